/**
 * On-the-fly learning vs an offline fit on the same number of random MD frames (issue 15 part B, Fumi–Tosi NaCl).
 *
 *   node --import tsx scripts/analysis/learn-vs-offline.ts [--steps 300] [--descriptors sr|sr+lr] [--seed 3] [--config FILE] [--out DIR]
 *
 * 1. `runLearn` from the shared 64-ion melt frame, Fumi–Tosi reference, Bussi 1200 K, 2 fs, seed S (default 3), default learn
 *    config except the descriptor (sr hypers reduced: radial nmax 8 / 6 Å, angular nmax 4 / lmax 2 / 4.5 Å).
 * 2. A Fumi–Tosi MD of the same length (seed S, every step kept) and an independent held-out MD (seed 96 + S, 300
 *    steps, every 30th frame after the first two).
 * 3. Offline `fitModel` on as many random frames of (2) (drawn with seed 2 + S) as the run labelled, with as many
 *    references per species. `--config FILE`: a learn config (JSON) merged under the descriptor settings.
 * Prints calls, the learn model's and the offline model's energy and force errors on the held-out frames.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/core/index.js';
import { readStructures } from '../../src/host/index.js';
import { evaluateModel, fitModel, runLearn, runMolecularDynamics, type LearnConfig } from '../../src/api/index.js';
import { fumiTosiNaCl } from '../../src/reference/index.js';
import { IncrementalKernelFit } from '../../src/model/index.js';
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

const r = await runLearn({
  start, reference: { engine: 'fumi-tosi' }, steps, timestepFs: 2, temperatureK: 1200, seed, out: join(out, 'learn'),
  config: { ...extra, fit: { ...extra.fit, descriptors, descriptorHypers: hypers } },
});
runMolecularDynamics({ calculator: fumiTosiNaCl(), start, steps, timestepFs: 2, temperatureK: 1200, every: 1, output: join(out, 'pool.xyz'), seed });
runMolecularDynamics({ calculator: fumiTosiNaCl(), start, steps: 300, timestepFs: 2, temperatureK: 1200, every: 30, output: join(out, 'held.xyz'), seed: 96 + seed });
const pool = readStructures(join(out, 'pool.xyz'));
const held = readStructures(join(out, 'held.xyz')).slice(2);
const idx = Array.from(pool.keys());
new Rng(2 + seed).shuffle(idx);
const pick = idx.slice(0, r.trainingStructures).map((i) => pool[i]);
const off = await fitModel(pick, { descriptors, descriptorHypers: hypers, species: ['Na', 'Cl'], selection: { count: r.references.Na }, threads: 1 }, { onWarning: () => {} });
const fmt = (s: ReturnType<typeof evaluateModel>['summary']) =>
  `forces ${s.forces!.rmse_meV_per_A.toFixed(1)} meV/Å (${s.forces!.rmspe_percent!.toFixed(1)} %), energy ${s.energy!.rmse_meV_per_atom.toFixed(2)} meV/atom`;
console.log(`${descriptors}, seed ${seed}, ${steps} steps: ${r.calls} reference calls (first/last quarter ${r.callsPer100.firstQuarter.toFixed(1)}/${r.callsPer100.lastQuarter.toFixed(1)} per 100 steps), references ${JSON.stringify(r.references)}, threshold ${r.finalThresholdEvPerA.toFixed(3)} eV/Å, exact force σ at ${r.exactForceSigmaSteps} of ${r.steps} steps, escapes ${r.escapes}`);
console.log(`  learn model on ${held.length} held-out frames: ${fmt(evaluateModel(r.model, held).summary)}`);
console.log(`  offline, ${pick.length} random frames of a ${steps}-step reference MD: ${fmt(evaluateModel(off.model, held).summary)}`);
// the same frames through the learn run's own fit path (incremental fit, one batch, as many references)
const inc = IncrementalKernelFit.create(pick, {
  descriptor: resolveDescriptor(descriptors, ['Na', 'Cl'], hypers), maxNewReferences: r.references.Na, maxReferences: 1000, minDistance: 1e-3,
}).solve();
console.log(`  offline through the learn fit path (same frames, one batch): ${fmt(evaluateModel(inc, held).summary)}`);
if (arg('out', '') === '') rmSync(out, { recursive: true, force: true });
