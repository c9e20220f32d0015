/**
 * `npm run bench [-- name-filter ...] [--quick] [--json out.json]`: runs bench/*.bench.ts in order and prints figures.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchContext, BenchFigure } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const jsonIdx = args.indexOf('--json');
const jsonOut = jsonIdx >= 0 ? args[jsonIdx + 1] : undefined;
const filters = args.filter((a, i) => !a.startsWith('--') && (jsonIdx < 0 || i !== jsonIdx + 1));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
const figures: BenchFigure[] = [];
for (const f of files) {
  const bench = f.replace(/\.bench\.ts$/, '');
  console.log(`\n== ${bench}`);
  const mod = (await import(pathToFileURL(join(here, f)).href)) as { run: (ctx: BenchContext) => Promise<void> };
  const ctx: BenchContext = {
    quick,
    report(name, value, unit, note) {
      figures.push({ bench, name, value, unit, ...(note ? { note } : {}) });
      const v = Math.abs(value) >= 100 ? value.toFixed(1) : value.toPrecision(4);
      console.log(`  ${name.padEnd(48)} ${v.padStart(12)} ${unit}${note ? '   ' + note : ''}`);
    },
  };
  await mod.run(ctx);
}
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ date: new Date().toISOString(), figures }, null, 2));
