/**
 * Normal-equation phase of a fit (model/parallelNormal.ts) on the NaCl liquid xTB frames (data/nacl-liquid-xtb.xyz,
 * 64 ions, sr+lr, 1000 references per species as in issue 17's 300-frame fit), this thread + one worker, alternating
 * the caller's linalg thread cap on/off (parallelNormalSettings.capCallerThreads: off = the linalg helper thread of
 * the calling thread competes with the worker, as before the cap). Figures: wall time and the process's CPU time
 * (all threads) and how long the caller waited for the worker after its own share (the split's imbalance). Frames: 40 (`--quick`: 10); references are selected among these frames' environments (fewer
 * candidates than the 300-frame fit, the same M = 2028 columns when ≥ 1000 per species exist). Needs two free cores
 * for wall figures; quote the load.
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseXyzText } from '../src/io/index.js';
import { resolveDescriptor } from '../src/api/index.js';
import { buildNormalEquations, computeFeatures, fitRowScaling, normalEquationsJob, parallelNormalSettings, selectFitReferences, setupFit } from '../src/model/index.js';
import type { BenchContext } from './harness.js';

export async function run(ctx: BenchContext): Promise<void> {
  const file = new URL('../data/nacl-liquid-xtb.xyz', import.meta.url);
  if (!existsSync(file)) {
    console.log('  data/nacl-liquid-xtb.xyz missing: skipped');
    return;
  }
  const frames = ctx.quick ? 10 : 40;
  const structures = parseXyzText(readFileSync(file, 'utf8'), 'nacl-liquid-xtb.xyz').slice(0, frames);
  const config = { descriptor: resolveDescriptor('sr+lr', ['Na', 'Cl']), selection: { count: 1000 } };
  const setup = setupFit(structures, config);
  const refs = selectFitReferences(structures, computeFeatures(structures, setup.descriptor), setup, config);
  const job = normalEquationsJob(structures, setup, refs, fitRowScaling(structures, setup), config);
  const saved = { ...parallelNormalSettings };
  parallelNormalSettings.minWork = 0; // the worker even for --quick
  try {
    for (const cap of [true, false, true, false]) {
      parallelNormalSettings.capCallerThreads = cap;
      const c0 = process.cpuUsage(), t0 = performance.now();
      const r = buildNormalEquations(job, { threads: 2 });
      const c = process.cpuUsage(c0), wall = (performance.now() - t0) / 1000;
      ctx.report(`normal equations ${frames} × 64 sr+lr, M ${r.ata.length ** 0.5}, caller cap ${cap ? 'on' : 'off'}`, wall, 's wall',
        `CPU ${((c.user + c.system) / 1e6).toFixed(2)} s; threads ${r.threads}; caller waited ${(r.callerWaitS ?? 0).toFixed(1)} s for the worker; load ${loadavg()[0].toFixed(1)}${r.workerError ? `; worker: ${r.workerError.split('\n')[0]}` : ''}`);
    }
  } finally {
    Object.assign(parallelNormalSettings, saved);
  }
}
