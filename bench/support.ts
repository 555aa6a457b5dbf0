/** Pieces the benches share: the compiled build, a process's memory, and emulator counter differences. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

let built: Promise<unknown> | undefined;

/** `npm run build`, once per bench run: Concord is measured as operators run it, compiled, without tsx. */
export function buildOnce(): Promise<unknown> {
  built ??= promisify(execFile)('npm', ['run', 'build'], { cwd: ROOT });
  return built;
}

/** Current and peak (`VmHWM`) resident memory of a live process, from `/proc/<pid>/status`. */
export function memory(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMiB: Math.round(kb('VmRSS') / 1024), peakMiB: Math.round(kb('VmHWM') / 1024) };
}

/**
 * CPU time a live process has used so far (user + system, every thread), in seconds, from `/proc/<pid>/stat`:
 * the work a phase cost, apart from the time it spent waiting (for the emulators, a linger window, the disk).
 */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which is in parentheses and may hold spaces): utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Bytes a live process has caused to be written to storage so far (`write_bytes` of `/proc/<pid>/io`). */
export function bytesWritten(pid: number): number {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  return Number(/write_bytes:\s+(\d+)/.exec(io)?.[1] ?? 0);
}

/**
 * Read and write system calls a live process has made so far (`syscr`, `syscw` of `/proc/<pid>/io`): every
 * page SQLite reads past its own cache is one `pread`, and system calls are dear on virtual machines.
 */
export function systemCalls(pid: number): { reads: number; writes: number } {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const count = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(io)?.[1] ?? 0);
  return { reads: count('syscr'), writes: count('syscw') };
}

/** `getconf CLK_TCK`: 100 on every Linux build Node runs on. */
const CLOCK_TICKS = 100;

/** Per-key increase of an emulator counter map (keys that did not grow are left out). */
export function countsSince(after: Record<string, number>, before: Record<string, number>) {
  const grown: Record<string, number> = {};
  for (const [key, value] of Object.entries(after)) {
    const d = value - (before[key] ?? 0);
    if (d > 0) grown[key] = d;
  }
  return grown;
}

/** `kind 12, other 3`, largest first. */
export const breakdown = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([key, value]) => `${key} ${value}`)
    .join(', ');
