/**
 * The charge-transfer benchmark of issue 18 (reference/chargeTransfer.ts): fit sr, sr+q and sr+qeq on the
 * undoped+doped pairs of one seed and report, on the pairs of another seed, the error of the far-dopant energy
 * difference ΔE = E(doped) − E(undoped) (RMSE over pairs, meV), the energy RMSE per frame (meV) and the force
 * RMSE (meV/Å), and the probe-cluster charge shift of the QEq reference vs the models.
 *   node --import tsx scripts/charge-transfer-bench.ts [trainGeometries=30] [testGeometries=10] [references=64] [models=sr,sr+q,sr+qeq] [iterations=30]
 * sr+qeq fits the electronegativities and the hardness per species (started at 10 eV/e² each; the reference has
 * Na 10, Cl 12, Al 6). Also printed: the reference's probe charge shift vs the gap, and the models' fitted χ/J.
 */
import { fitAny } from '../src/api/index.js';
import { chargeTransferDataset } from '../src/reference/index.js';
import { ChargeModel, QeqModel } from '../src/model/index.js';
import type { Structure } from '../src/core/index.js';

const nTrain = Number(process.argv[2] ?? 30), nTest = Number(process.argv[3] ?? 10), refs = Number(process.argv[4] ?? 64);
const kinds = (process.argv[5] ?? 'sr,sr+q,sr+qeq').split(','), iterations = Number(process.argv[6] ?? 30);
const train = chargeTransferDataset({ n: nTrain, seed: 1 });
const test = chargeTransferDataset({ n: nTest, seed: 2 });
const rms = (x: number[]) => Math.sqrt(x.reduce((a, b) => a + b * b, 0) / x.length);
const probeQ = (q: Float64Array) => Array.from(q.subarray(0, 18)).reduce((a, b) => a + b, 0);
for (const kind of kinds) {
  const t0 = performance.now();
  const r = await fitAny(train, {
    descriptors: kind, selection: { count: refs }, threads: 1,
    charges: { count: 8, iterations, tolerance: 1e-6 },
  }, { onWarning: () => {} });
  const fitS = (performance.now() - t0) / 1000;
  const pred = test.map((s: Structure) => r.model.calculate(s, { forces: true, stress: false }));
  const dE: number[] = [], eErr: number[] = [], fErr: number[] = [], dQerr: number[] = [];
  for (let k = 0; k < test.length; k++) {
    eErr.push(pred[k].energyEv - test[k].labels.energyEv!);
    const f = pred[k].forcesEvPerA!, g = test[k].labels.forcesEvPerA!;
    for (let c = 0; c < f.length; c++) fErr.push(f[c] - g[c]);
  }
  // the sign of sr+q's charges is free (E is even in q): align it with the reference over the test frames
  let align = 0;
  for (let k = 0; k < test.length; k++) if (pred[k].charges) for (let i = 0; i < pred[k].charges!.length; i++) align += pred[k].charges![i] * test[k].labels.charges![i];
  const sign = align < 0 ? -1 : 1;
  for (let k = 0; k < test.length; k += 2) {
    const ref = test[k + 1].labels.energyEv! - test[k].labels.energyEv!;
    dE.push(pred[k + 1].energyEv - pred[k].energyEv - ref);
    if (pred[k].charges) {
      const refShift = probeQ(test[k + 1].labels.charges!) - probeQ(test[k].labels.charges!);
      dQerr.push(sign * (probeQ(pred[k + 1].charges!) - probeQ(pred[k].charges!)) - refShift);
    }
  }
  console.log(`${kind.padEnd(7)} ΔE(far dopant) RMSE ${(1000 * rms(dE)).toFixed(2)} meV | E RMSE ${(1000 * rms(eErr)).toFixed(2)} meV/frame | F RMSE ${(1000 * rms(fErr)).toFixed(2)} meV/Å`
    + (dQerr.length ? ` | probe-cluster charge shift error RMS ${rms(dQerr).toFixed(4)} e` : '') + ` | fit ${fitS.toFixed(0)} s`);
  if (r.model instanceof ChargeModel) console.log(`        charge offsets [${r.model.species.join(', ')}] = ${Array.from(r.model.chargeOffsets, (x) => x.toFixed(3)).join(', ')}`
    + (r.model instanceof QeqModel ? `; fitted J = ${Array.from(r.model.hardness, (x) => x.toFixed(3)).join(', ')} eV/e²` : ''));
}
const shifts: number[] = [];
for (let k = 0; k < test.length; k += 2) shifts.push(probeQ(test[k + 1].labels.charges!) - probeQ(test[k].labels.charges!));
const dRef: number[] = [];
for (let k = 0; k < test.length; k += 2) dRef.push(test[k + 1].labels.energyEv! - test[k].labels.energyEv!);
console.log('reference probe shift (e) vs gap (Å): ' + test.filter((_, k) => k % 2 === 0).map((u, k) => `${(u.info.gap as number).toFixed(1)}:${shifts[k].toFixed(3)}`).join(' '));
console.log(`reference: probe-cluster charge shift RMS ${rms(shifts).toFixed(4)} e; ΔE spread (std) ${(1000 * Math.sqrt(rms(dRef) ** 2 - (dRef.reduce((a, b) => a + b, 0) / dRef.length) ** 2)).toFixed(1)} meV`);
