/**
 * Descriptor phase of a fit (model/parallelFeatures.ts): sr+lr features of NaCl melt frames (the 64-ion fixture,
 * positions jittered by 0.15 Å and the cell scaled by 1 ± 2 % per frame, so each frame gets its own FKK plan as in
 * an NPT training set) on one thread and on two (this thread + one worker), alternating. Figures: wall time and the
 * process's CPU time (both threads; the worker's start-up included). Wall gains need two free cores. Every run
 * gets new frames (the FKK plans are memoised per cell).
 * Frames: 120 (`--quick`: 24).
 */
import { readFileSync } from 'node:fs';
import { makeStructure, Rng } from '../src/core/index.js';
import { parseXyzText } from '../src/io/index.js';
import { createDescriptor } from '../src/descriptors/index.js';
import { computeFeaturesParallel, parallelFeaturesSettings } from '../src/model/index.js';
import type { BenchContext } from './harness.js';

export async function run(ctx: BenchContext): Promise<void> {
  const file = new URL('../../shared/fixtures/nacl-melt-64.xyz', import.meta.url);
  const base = parseXyzText(readFileSync(file, 'utf8'), 'nacl-melt-64.xyz')[0];
  const frames = ctx.quick ? 24 : 120;
  // fresh frames (new cells) for every run: per-cell FKK plans are memoised, a repeated set would be cheaper
  const framesOf = (seed: number): ReturnType<typeof makeStructure>[] => {
    const rng = new Rng(seed);
    return Array.from({ length: frames }, () => {
      const f = 1 + 0.02 * rng.normal();
      const pos = Float64Array.from(base.positions, (x) => (x + 0.15 * rng.normal()) * f);
      return makeStructure({ symbols: Array.from(base.species, (z) => base.symbols[z]), positions: pos, cell: Array.from(base.cell, (x) => x * f) });
    });
  };
  const d = createDescriptor({ kind: 'composite', species: ['Na', 'Cl'], hypers: { blocks: [{ spec: { kind: 'sr', hypers: {} }, weight: 1 }, { spec: { kind: 'fkk', hypers: {} }, weight: 1 }] } });
  const saved = parallelFeaturesSettings.minAtoms;
  parallelFeaturesSettings.minAtoms = 0;
  try {
    let seed = 1;
    for (const threads of [1, 2, 1, 2] as const) {
      const structures = framesOf(seed++);
      const c0 = process.cpuUsage(), t0 = performance.now();
      const r = computeFeaturesParallel(structures, d, { threads });
      const c = process.cpuUsage(c0), wall = (performance.now() - t0) / 1000;
      ctx.report(`sr+lr features, ${frames} × 64 ions, ${threads} thread(s)`, wall, 's wall',
        `CPU ${((c.user + c.system) / 1e6).toFixed(2)} s; threads used ${r.threads}${r.workerError ? `; worker: ${r.workerError.split('\n')[0]}` : ''}`);
    }
  } finally {
    parallelFeaturesSettings.minAtoms = saved;
  }
}
