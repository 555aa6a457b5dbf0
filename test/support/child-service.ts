import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait-for.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `concord start --config <file>` as a real child process and finds the URL it listens on. */
export async function startChildService(configPath: string) {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'start', '--config', configPath],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = once(child, 'exit');
  const url = await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`concord exited with ${child.exitCode}: ${output}`);
    const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
    return match?.[1];
  }, 'the child service to listen');
  return {
    url,
    output: () => output,
    /** SIGKILL: no shutdown code runs, as in a crash or an OOM kill. */
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
