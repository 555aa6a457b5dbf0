/**
 * `npm run bench [name…]`: runs every `bench/*.bench.ts` (or those named), prints their figures and writes
 * them with the machine's description to `bench/results/latest.json`. Benchmarks measure; tests never time.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { basename, join } from 'node:path';

export interface BenchResult {
  name: string;
  figures: Record<string, number | string>;
  notes?: string[];
}

const dir = new URL('.', import.meta.url).pathname;
const wanted = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
};
console.log(`machine: ${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}`);

const results: BenchResult[] = [];
for (const file of files) {
  const mod = (await import(join(dir, file))) as { run: () => Promise<BenchResult> };
  console.log(`\n▶ ${basename(file, '.bench.ts')}`);
  const result = await mod.run();
  for (const [key, value] of Object.entries(result.figures)) console.log(`  ${key.padEnd(48)} ${value}`);
  for (const note of result.notes ?? []) console.log(`  note: ${note}`);
  results.push(result);
}

const out = join(dir, 'results', wanted.length === 0 ? 'latest.json' : `latest-${wanted.join('-')}.json`);
writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), machine, results }, null, 2)}\n`);
console.log(`\nwritten: ${out}`);
