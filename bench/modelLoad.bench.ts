/**
 * Model load in a fresh process (issue 17 goal 4: a 1000-reference sr+lr model loads in < 0.5 s): the wall and CPU
 * time of `loadModel` after the library is imported, medians over fresh processes run interleaved (so the machine
 * load hits every variant alike), for the target-size model of bench/modelFile.bench.ts (2 × 1010 references,
 * D = 584, covariance 2022 × 2022) written
 *   - as saveModel writes it now (with the descriptor's Gaussian-projection tables), without and with the covariance;
 *   - without the tables (as files written before them; the load tabulates), without the covariance — the A/B.
 * and the first variant again with linear algebra capped at one thread (no helper thread started during the load: the
 * CPU figure is the main thread's alone; otherwise it includes the helper's start, ~60–90 ms on the other core).
 * With FARFIELD_BENCH_MODELS=DIR holding srlr.ffm (a real fitted sr+lr model), that file is also loaded as it is and
 * re-saved by this code. The library is the built dist/ when it is newer than every file under src/ (as a user runs
 * it), else the sources under tsx (noted); FARFIELD_BENCH_BASE_DIST=DIR adds the file without tables loaded by
 * another build (e.g. main's dist/: the A/B against the code before this work). The `uptime` load average is printed
 * with the figures.
 * Quick mode: 200 references, 3 processes per variant (else 7).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadModel, saveModel } from '../src/api/index.js';
import { KernelModel, serializeModelBinary } from '../src/model/index.js';
import { targetSizeModel } from './modelFile.bench.js';
import type { BenchContext } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** The library the children import, and how: [node arguments before the child, api entry URL, label]. */
function library(): [string[], string, string] {
  const built = join(root, 'dist', 'src', 'api', 'index.js');
  if (existsSync(built) && statSync(built).mtimeMs >= newestMtime(join(root, 'src'))) return [[], pathToFileURL(built).href, 'built dist/'];
  return [['--import', 'tsx'], pathToFileURL(join(root, 'src', 'api', 'index.ts')).href, 'sources under tsx (dist/ missing or stale: npm run build)'];
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
}

export async function run(ctx: BenchContext): Promise<void> {
  const [nodeArgs, entry, libLabel] = library();
  const dir = mkdtempSync(join(tmpdir(), 'ff-bench-load-'));
  try {
    const { model, note } = targetSizeModel(ctx.quick);
    const withTables = join(dir, 'tables.ffm'), without = join(dir, 'plain.ffm');
    saveModel(model, withTables);
    writeFileSync(without, serializeModelBinary(model, { tables: false }));
    type Variant = [name: string, file: string, cov: 'cov' | 'nocov', threads?: 'one-thread', lib?: string];
    const variants: Variant[] = [
      ['load, with tables, without covariance', withTables, 'nocov'],
      ['load, without tables (as before), without covariance', without, 'nocov'],
      ['load, with tables, with covariance', withTables, 'cov'],
      ['load, with tables, without covariance, 1 linalg thread', withTables, 'nocov', 'one-thread'],
    ];
    const base = process.env.FARFIELD_BENCH_BASE_DIST;
    if (base) variants.push([`base build (${base}), file without tables, without covariance`, without, 'nocov', undefined, pathToFileURL(join(base, 'src', 'api', 'index.js')).href]);
    const real = process.env.FARFIELD_BENCH_MODELS && join(process.env.FARFIELD_BENCH_MODELS, 'srlr.ffm');
    if (real && existsSync(real)) {
      const resaved = join(dir, 'srlr-resaved.ffm');
      saveModel(loadModel(real) as KernelModel, resaved);
      variants.push(['real srlr.ffm re-saved (tables), without covariance', resaved, 'nocov'], ['real srlr.ffm as stored, without covariance', real, 'nocov']);
    }
    const runs = ctx.quick ? 3 : 7;
    const wall = variants.map(() => [] as number[]), cpu = variants.map(() => [] as number[]);
    const load0 = loadavg()[0];
    for (let r = 0; r < runs; r++)
      variants.forEach(([, file, cov, threads, lib], v) => {
        const args = [...(lib ? [] : nodeArgs), join(here, 'modelLoad-child.mjs'), lib ?? entry, file, cov, ...(threads ? [threads] : [])];
        const p = spawnSync(process.execPath, args, { encoding: 'utf8' });
        const m = /LOAD ([\d.]+) ([\d.]+)/.exec(p.stdout ?? '');
        if (p.status !== 0 || !m) throw new Error(`modelLoad child failed (${p.status}): ${p.stderr}`);
        wall[v].push(Number(m[1]));
        cpu[v].push(Number(m[2]));
      });
    const load1 = loadavg()[0];
    console.log(`  (${note}; ${libLabel}; ${runs} fresh processes per variant, interleaved; load average ${load0.toFixed(1)} → ${load1.toFixed(1)})`);
    variants.forEach(([name, file], v) => {
      ctx.report(`${name} (wall)`, median(wall[v]), 'ms', `range ${Math.min(...wall[v]).toFixed(0)}–${Math.max(...wall[v]).toFixed(0)}; ${(statSync(file).size / 1e6).toFixed(1)} MB file`);
      ctx.report(`${name} (CPU)`, median(cpu[v]), 'ms', `range ${Math.min(...cpu[v]).toFixed(0)}–${Math.max(...cpu[v]).toFixed(0)}`);
    });
    ctx.report('CPU ratio with / without tables (no covariance)', median(cpu[0]) / median(cpu[1]), '×', 'same run, medians');
    if (base) ctx.report('CPU ratio this build with tables / base build', median(cpu[0]) / median(cpu[variants.length - 1]), '×', 'same run, medians');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
