/**
 * Where does an on-the-fly run lose against random frames? (issue 15). Given a `learn-vs-offline.ts --out DIR` run,
 * refits the learned frames and random pool frames along two fit paths:
 *   one batch (FPS references over all frames at once, as many per species as the run held) and the run's own batch
 *   sequence (create on the first batch, then add per batch, as learnSession does). Random frames are labelled by the
 *   same reference (stress included) and drawn as learn-vs-offline.ts draws them; held-out = its 25 frames.
 *   `--max-new` must be the run's fit.maxNewReferences; `--weights` adds the run's batches with new references chosen
 *   by the refit-so-far model's per-atom force error (err) or its square (err2) × kernel distance² (AddOptions.atomWeights).
 *   node --import tsx scripts/analysis/learn-decompose.ts --dir DIR --descriptors sr|sr+lr --seed S [--max-new 8] [--weights err|err2]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng, type Structure } from '../../src/core/index.js';
import { readStructures } from '../../src/host/index.js';
import { evaluateModel, relabelStructures } from '../../src/api/index.js';
import { IncrementalKernelFit } from '../../src/model/index.js';
import { resolveDescriptor } from '../../src/api/fit.js';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const dir = arg('dir', '');
const descriptors = arg('descriptors', 'sr');
const seed = Number(arg('seed', '3'));
const SR = { radial: { nmax: 8, cutoffA: 6 }, angular: { nmax: 4, lmax: 2, cutoffA: 4.5 } };
const hypers = descriptors === 'sr' ? SR : { sr: SR };
const state = JSON.parse(readFileSync(join(dir, 'learn', 'state.json'), 'utf8')) as { fittedBatches: number[] };
const learned = readStructures(join(dir, 'learn', 'training.xyz'));
const pool = readStructures(join(dir, 'pool.xyz'));
const held = readStructures(join(dir, 'held.xyz')).slice(6);
const idx = Array.from(pool.keys());
new Rng(2 + seed).shuffle(idx);
const random = relabelStructures(idx.slice(0, learned.length).map((i) => pool[i]), { engine: 'fumi-tosi' });
function cfg(maxNew: number) {
  return { descriptor: resolveDescriptor(descriptors, ['Na', 'Cl'], hypers), maxNewReferences: maxNew, maxReferences: 1000, minDistance: 1e-3 };
}
const weighting = arg('weights', '');
const maxNewArg = Number(arg('max-new', '8'));
function atomWeights(f: IncrementalKernelFit, part: readonly Structure[]): Float64Array[] {
  const m = f.solve();
  return part.map((s) => {
    const n = s.species.length;
    const F = s.labels.forcesEvPerA!;
    const r = m.calculate(s, { forces: true });
    const w = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let e2 = 0;
      for (let c = 0; c < 3; c++) e2 += (F[3 * i + c] - r.forcesEvPerA![3 * i + c]) ** 2;
      w[i] = weighting === 'err' ? Math.sqrt(e2) : e2;
    }
    return w;
  });
}
function batched(frames: readonly Structure[], batches: readonly number[], maxNew: number, byError = false): IncrementalKernelFit {
  let k = 0;
  let f: IncrementalKernelFit | null = null;
  for (const b of batches) {
    const part = frames.slice(k, k + b);
    k += b;
    if (!f) f = IncrementalKernelFit.create(part, cfg(maxNew));
    else f.add(part, byError ? { atomWeights: atomWeights(f, part) } : {});
  }
  return f!;
}
const fmt = (f: IncrementalKernelFit): string => {
  const s = evaluateModel(f.solve(), held).summary;
  return `F ${s.forces!.rmse_meV_per_A.toFixed(1)} meV/Å, E ${s.energy!.rmse_meV_per_atom.toFixed(2)} meV/atom, selected refs ${f.selectedReferenceCounts().join('/')}`;
};
const lf = batched(learned, state.fittedBatches, maxNewArg);
const nRef = lf.selectedReferenceCounts()[0];
console.log(`${descriptors} seed ${seed}: ${learned.length} frames, batches ${state.fittedBatches.join(',')}`);
console.log(`  learned frames, run's batches:    ${fmt(lf)}`);
console.log(`  learned frames, one batch:        ${fmt(IncrementalKernelFit.create(learned, cfg(nRef)))}`);
console.log(`  random frames,  run's batches:    ${fmt(batched(random, state.fittedBatches, maxNewArg))}`);
console.log(`  random frames,  one batch:        ${fmt(IncrementalKernelFit.create(random, cfg(nRef)))}`);
if (weighting) {
  console.log(`  learned frames, run's batches, refs by ${weighting} × d²: ${fmt(batched(learned, state.fittedBatches, maxNewArg, true))}`);
  console.log(`  random frames,  run's batches, refs by ${weighting} × d²: ${fmt(batched(random, state.fittedBatches, maxNewArg, true))}`);
}
const sorted = relabelStructures(idx.slice(0, learned.length).sort((a, b) => a - b).map((i) => pool[i]), { engine: 'fumi-tosi' });
console.log(`  random sorted by time, run's batches: ${fmt(batched(sorted, state.fittedBatches, maxNewArg))}`);
