/**
 * The charge-transfer benchmark (reference/chargeTransfer.ts) with validation-chosen settings (issue 18, round 6).
 * Protocol, fixed before the test set is evaluated:
 *  - training geometries: seed 1 (nTrain geometries, undoped + doped frames); validation: seed 3 (nVal geometries);
 *    test: seed 2 (nTest geometries, the same test pairs as the round-4 tables); all from the same generator (gap
 *    9–36 Å);
 *  - for sr+q and for sr+qeq alike, the number of charge/electronegativity references per species (`charges.count`)
 *    is chosen from `counts` by the validation far-dopant ΔE RMSE; the chosen fit (no refit) is evaluated once on
 *    the test pairs; sr is fitted once (nothing to choose).
 *   node --import tsx scripts/charge-transfer-protocol.ts [nTrain=30] [nVal=10] [nTest=30] [refs=64] [counts=0,8] [models=sr,sr+q,sr+qeq] [forceWeights=1]
 * (forceWeights: a grid of force-row weights W_F searched jointly with the counts, for every model alike.)
 */
import { fitAny } from '../src/api/index.js';
import { chargeTransferDataset } from '../src/reference/index.js';
import { QeqModel } from '../src/model/index.js';
import type { Calculator, Structure } from '../src/core/index.js';

const a = process.argv.slice(2);
const nTrain = Number(a[0] ?? 30), nVal = Number(a[1] ?? 10), nTest = Number(a[2] ?? 30), refs = Number(a[3] ?? 64);
const counts = (a[4] ?? '0,8').split(',').map(Number), kinds = (a[5] ?? 'sr,sr+q,sr+qeq').split(',');
const forceWeights = (a[6] ?? '1').split(',').map(Number);
const train = chargeTransferDataset({ n: nTrain, seed: 1 });
const val = chargeTransferDataset({ n: nVal, seed: 3 });
const test = chargeTransferDataset({ n: nTest, seed: 2 });
const rms = (x: number[]) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);
const probeQ = (q: Float64Array) => Array.from(q.subarray(0, 18)).reduce((s, v) => s + v, 0);

/** Far-dopant ΔE RMSE (meV), energy RMSE per frame (meV), force RMSE (meV/Å), probe charge-shift error (e). */
function score(model: Calculator, set: Structure[]) {
  const pred = set.map((s) => model.calculate(s, { forces: true, stress: false }));
  const dE: number[] = [], eErr: number[] = [], fErr: number[] = [], dQ: number[] = [];
  let align = 0;
  for (let k = 0; k < set.length; k++) {
    eErr.push(pred[k].energyEv - set[k].labels.energyEv!);
    const f = pred[k].forcesEvPerA!, g = set[k].labels.forcesEvPerA!;
    for (let c = 0; c < f.length; c++) fErr.push(f[c] - g[c]);
    const q = pred[k].charges;
    if (q) for (let i = 0; i < q.length; i++) align += q[i] * set[k].labels.charges![i];
  }
  const sign = align < 0 ? -1 : 1;   // E is even in q: align the free sign with the reference
  for (let k = 0; k < set.length; k += 2) {
    dE.push(pred[k + 1].energyEv - pred[k].energyEv - (set[k + 1].labels.energyEv! - set[k].labels.energyEv!));
    if (pred[k].charges)
      dQ.push(sign * (probeQ(pred[k + 1].charges!) - probeQ(pred[k].charges!)) - (probeQ(set[k + 1].labels.charges!) - probeQ(set[k].labels.charges!)));
  }
  return { dE: 1000 * rms(dE), e: 1000 * rms(eErr), f: 1000 * rms(fErr), dQ: dQ.length ? rms(dQ) : NaN };
}
const line = (r: ReturnType<typeof score>) =>
  `ΔE ${r.dE.toFixed(2)} meV | E ${r.e.toFixed(2)} meV/frame | F ${r.f.toFixed(2)} meV/Å` + (Number.isFinite(r.dQ) ? ` | probe shift err ${r.dQ.toFixed(4)} e` : '');

console.log(`train ${nTrain} geometries (seed 1), validation ${nVal} (seed 3), test ${nTest} (seed 2), ${refs} references, counts ${counts.join(',')}`);
for (const kind of kinds) {
  const grid = (kind === 'sr' ? [undefined] : counts).flatMap((count) => forceWeights.map((wf) => ({ count, wf })));
  let best: { count: number | undefined; wf: number; model: Calculator; v: ReturnType<typeof score> } | undefined;
  for (const { count, wf } of grid) {
    const t0 = performance.now();
    const r = await fitAny(train, {
      descriptors: kind, selection: { count: refs }, threads: 1,
      ...(wf !== 1 ? { weights: { forces: wf } } : {}),
      ...(count !== undefined ? { charges: { count, iterations: 30, tolerance: 1e-6 } } : {}),
    }, { onWarning: () => {} });
    const fitS = (performance.now() - t0) / 1000;
    const v = score(r.model, val);
    const extra = r.model instanceof QeqModel ? ` | J ${Array.from(r.model.hardness, (x) => x.toFixed(2)).join('/')} [${r.model.species.join('/')}]` : '';
    console.log(`  ${kind} count ${count ?? '-'} W_F ${wf}: VALIDATION ${line(v)} | fit ${fitS.toFixed(0)} s${extra}`);
    if (!best || v.dE < best.v.dE) best = { count, wf, model: r.model, v };
  }
  const t = score(best!.model, test);
  console.log(`${kind.padEnd(7)} chosen count ${best!.count ?? '-'} W_F ${best!.wf}: TEST ${line(t)}`);
}
