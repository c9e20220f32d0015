/**
 * On-the-fly learning vs an offline fit on the same number of random MD frames (issue 15 part B, Fumi–Tosi NaCl).
 *
 *   node --import tsx scripts/analysis/learn-vs-offline.ts [--steps 300] [--descriptors sr|sr+lr] [--seed 3] [--config FILE] [--out DIR]
 *     [--draws K] [--reuse --refs N]   (K random draws for the offline fit; --reuse: the run and MDs already in DIR)
 *
 * 1. `runLearn` from the shared 64-ion melt frame, Fumi–Tosi reference, Bussi 1200 K, 2 fs, seed S (default 3), the
 *    learn config of `--config FILE` (JSON, default none = the defaults) under the descriptor settings (sr hypers
 *    reduced: radial nmax 8 / 6 Å, angular nmax 4 / lmax 2 / 4.5 Å).
 * 2. A Fumi–Tosi MD of the same length (seed S, every step kept) and an independent held-out MD (seed 96 + S, 300
 *    steps, every 10th frame from step 60 on: 25 frames).
 * 3. The comparator, made fair in three ways (each of them changed the verdict once, see docs/learn.md): the random
 *    frames of (2) (drawn with seed 2 + S, as many as the run labelled) are labelled by the same reference as the run
 *    (energy, forces AND stress: MD frames carry no stress); the offline fit has as many selected reference
 *    environments per species as the run (pseudo-references of linear blocks not counted); and it goes through the
 *    same solver (the incremental fit, one batch = an offline FPS fit). `fitModel` on the same frames and count is
 *    printed too (first draw). With --draws K the offline fit is repeated on K independent draws (seeds 2 + S + 100 k).
 * Prints calls, the learn model's and the offline models' energy and force errors on the held-out frames.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/core/index.js';
import { readStructures } from '../../src/host/index.js';
import { evaluateModel, fitModel, loadModel, relabelStructures, runLearn, runMolecularDynamics, type LearnConfig } from '../../src/api/index.js';
import { fumiTosiNaCl } from '../../src/reference/index.js';
import { IncrementalKernelFit, type KernelModel } from '../../src/model/index.js';
import { resolveDescriptor } from '../../src/api/fit.js';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const steps = Number(arg('steps', '300'));
const descriptors = arg('descriptors', 'sr');
const seed = Number(arg('seed', '3'));
const extra = arg('config', '') ? (JSON.parse(readFileSync(arg('config', ''), 'utf8')) as LearnConfig) : {};
const SR = { radial: { nmax: 8, cutoffA: 6 }, angular: { nmax: 4, lmax: 2, cutoffA: 4.5 } };
const hypers = descriptors === 'sr' ? SR : { sr: SR };
const out = arg('out', mkdtempSync(join(tmpdir(), 'ff-learn-vs-offline-')));
const start = readStructures(new URL('../../../shared/fixtures/nacl-melt-64.xyz', import.meta.url).pathname)[0];

const reuse = process.argv.includes('--reuse'); // an earlier run's DIR: skip the learn run and the MDs (give --refs)
const r = reuse ? null : await runLearn({
  start, reference: { engine: 'fumi-tosi' }, steps, timestepFs: 2, temperatureK: 1200, seed, out: join(out, 'learn'),
  config: { ...extra, fit: { ...extra.fit, descriptors, descriptorHypers: hypers } },
});
if (!reuse) {
  runMolecularDynamics({ calculator: fumiTosiNaCl(), start, steps, timestepFs: 2, temperatureK: 1200, every: 1, output: join(out, 'pool.xyz'), seed });
  runMolecularDynamics({ calculator: fumiTosiNaCl(), start, steps: 300, timestepFs: 2, temperatureK: 1200, every: 10, output: join(out, 'held.xyz'), seed: 96 + seed });
}
const pool = readStructures(join(out, 'pool.xyz'));
const held = readStructures(join(out, 'held.xyz')).slice(6);
const model = r ? r.model : (loadModel(join(out, 'learn', 'model.json')) as KernelModel);
const frames = r ? r.trainingStructures : readStructures(join(out, 'learn', 'training.xyz')).length;
const nRef = r ? r.selectedReferences.Na : Number(arg('refs', '1000'));
const draws = Number(arg('draws', '1'));
const fmt = (s: ReturnType<typeof evaluateModel>['summary']) =>
  `forces ${s.forces!.rmse_meV_per_A.toFixed(1)} meV/Å (${s.forces!.rmspe_percent!.toFixed(1)} %), energy ${s.energy!.rmse_meV_per_atom.toFixed(2)} meV/atom`;
if (r) console.log(`${descriptors}, seed ${seed}, ${steps} steps: ${r.calls} reference calls (first/last quarter ${r.callsPer100.firstQuarter.toFixed(1)}/${r.callsPer100.lastQuarter.toFixed(1)} per 100 steps), selected references ${JSON.stringify(r.selectedReferences)}, threshold ${r.finalThresholdEvPerA.toFixed(3)} eV/Å, exact force σ at ${r.exactForceSigmaSteps} of ${r.steps} steps, escapes ${r.escapes}`);
else console.log(`${descriptors}, seed ${seed}: reused ${out} (${frames} frames)`);
console.log(`  learn model on ${held.length} held-out frames: ${fmt(evaluateModel(model, held).summary)}`);
for (let draw = 0; draw < draws; draw++) {
  const idx = Array.from(pool.keys());
  new Rng(2 + seed + 100 * draw).shuffle(idx);
  const pick = relabelStructures(idx.slice(0, frames).map((i) => pool[i]), { engine: 'fumi-tosi' });
  const inc = IncrementalKernelFit.create(pick, {
    descriptor: resolveDescriptor(descriptors, ['Na', 'Cl'], hypers), maxNewReferences: nRef, maxReferences: 1000, minDistance: 1e-3,
  });
  console.log(`  offline (draw ${draw}), ${pick.length} random frames of a ${steps}-step reference MD, ${inc.selectedReferenceCounts().join('/')} references (same solver, one batch): ${fmt(evaluateModel(inc.solve(), held).summary)}`);
  if (draw === 0 && !reuse) {
    const off = await fitModel(pick, { descriptors, descriptorHypers: hypers, species: ['Na', 'Cl'], selection: { count: nRef }, threads: 1 }, { onWarning: () => {} });
    console.log(`  offline fitModel, same frames and count: ${fmt(evaluateModel(off.model, held).summary)}`);
  }
}
if (arg('out', '') === '') rmSync(out, { recursive: true, force: true });
