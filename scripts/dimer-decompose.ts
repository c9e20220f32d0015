/**
 * Per-term decomposition of a fitted sr+q dimer model vs separation (issue 18, CA offset; docs/RESULTS.md round 10).
 * Fits one setting (the final step of scripts/dimer-extrapolation.ts: all 10 training frames, open boundaries) and
 * prints, per training and test frame: label, prediction, error, Σε, E − Σε (E_es; for sr+qeq also Σχq + ½ΣJq²), the inter-fragment part of E_es
 * (Σ_{i∈A, j∈B} k_e q_i q_j erf(r_ij/2s)/r_ij), each fragment's Σq, and the smallest A–B atom distance.
 *   node --import tsx scripts/dimer-decompose.ts K --seed S --force-weight 0.1 --fragments 1|0 [--width 1] [--model sr+q]
 *        [--config-json '{"charges": {...}}']   (merged into the charge settings)   [--tune: validation split only]
 */
import { erf } from '../src/math/index.js';
import { compareModels, loadStructures } from '../src/api/index.js';
import { COULOMB_EV_A, type Structure } from '../src/core/index.js';
import { ChargeModel, QeqModel } from '../src/model/index.js';

const args = process.argv.slice(2);
const k = args[0];
const opt = (name: string, def: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const dir = opt('--data', '../shared/data/lode-charged-dimers');
const seed = Number(opt('--seed', '1'));
const wf = Number(opt('--force-weight', '0.1'));
const frag = opt('--fragments', '1') === '1';
const s = Number(opt('--width', '1'));
const model = opt('--model', 'sr+q');
const extra = JSON.parse(opt('--config-json', '{}')) as { charges?: Record<string, unknown> };

const open = (x: Structure): Structure => ({ ...x, pbc: [false, false, false] });
const dist = (x: Structure) => Number(x.info.distance);
const all = loadStructures(`${dir}/train-id${k}.xyz`).structures.map(open).sort((a, b) => dist(a) - dist(b));
// --tune: the protocol's tuning split (fit on all but the 3 farthest training frames, "test" = those 3; test set untouched)
const tune = args.includes('--tune');
const train = tune ? all.slice(0, all.length - 3) : all;
const test = tune ? all.slice(all.length - 3) : loadStructures(`${dir}/test-id${k}.xyz`).structures.map(open).sort((a, b) => dist(a) - dist(b));
const cfg = {
  selection: { count: 128, seed },
  weights: { forces: wf },
  charges: {
    totalChargeKeys: ['chargeA', 'chargeB'], iterations: 15, tolerance: 1e-4, sigmaA: s, seed,
    ...(frag ? { fragments: { startKeys: ['indexB'], chargeKeys: ['chargeA', 'chargeB'] } } : {}),
    ...(extra.charges ?? {}),
  },
};
let fitted: ChargeModel | undefined;
const r = await compareModels({
  data: train, test, models: [model], trainSizes: [train.length], seed, energyKey: 'inter_energy',
  targets: ['energy', 'forces'], fit: cfg, onModel: (_m, _n, f) => { if (f instanceof ChargeModel) fitted = f; },
});
const run0 = r.results.runs[0];
const atoms = train[0].species.length; // atoms per dimer (symbols is the species table)
console.log(`${tune ? 'TUNING SPLIT ' : ''}id${k} ${model} seed ${seed} W_F=${wf} fragments=${frag ? 1 : 0} s=${s}: test E ${(run0.energy!.rmseMevPerAtom * atoms).toFixed(3)} meV per dimer (= dimer-extrapolation's units × ${atoms}/${train[0].symbols.length}), F ${run0.forces!.rmseMevPerA.toFixed(2)} meV/Å`);
const m = fitted!;
if (m instanceof QeqModel) console.log(`hardness ${m.species.map((sp, t) => `${sp} ${m.hardness[t].toFixed(3)}`).join(', ')} eV/e²`);
const pf = r.results.parity[0].energy;
console.log('compare parity, pred − ref (meV per dimer):', pf.pred.map((y, i) => ((y - pf.ref[i]) * atoms * 1000).toFixed(3)).join(' '));
console.log('set   d(Å)   dmin  label(meV)  pred   err   Σε(meV)  E−Σε   E_es(A-B)  ΣqA      ΣqB   (E−Σε: E_es, plus Σχq + ½ΣJq² for sr+qeq)');
for (const [set, frames] of [['train', train], [tune ? 'val' : 'test', test]] as const)
  for (const x of frames) {
    const res = m.calculate(x, { forces: false, stress: false });
    const f = m.forward(x, false);
    const q = res.charges!, n = q.length, ib = Number(x.info.indexB), p = x.positions;
    let eps = 0;
    for (let i = 0; i < n; i++) eps += f.epsilon[i];
    let eab = 0, dmin = Infinity, qa = 0, qb = 0;
    for (let i = 0; i < n; i++) (i < ib ? (qa += q[i]) : (qb += q[i]));
    for (let i = 0; i < ib; i++)
      for (let j = ib; j < n; j++) {
        const rr = Math.hypot(p[3 * i] - p[3 * j], p[3 * i + 1] - p[3 * j + 1], p[3 * i + 2] - p[3 * j + 2]);
        dmin = Math.min(dmin, rr);
        eab += COULOMB_EV_A * q[i] * q[j] * erf(rr / (2 * s)) / rr;
      }
    const label = Number(x.info.inter_energy) * 1000, pred = res.energyEv * 1000;
    console.log(`${set.padEnd(5)} ${dist(x).toFixed(2).padStart(6)} ${dmin.toFixed(2).padStart(6)} ${label.toFixed(3).padStart(9)} ${pred.toFixed(3).padStart(8)} ${(pred - label).toFixed(3).padStart(7)} ${(eps * 1000).toFixed(3).padStart(9)} ${((res.energyEv - eps) * 1000).toFixed(3).padStart(9)} ${(eab * 1000).toFixed(3).padStart(9)} ${qa.toExponential(3).padStart(11)} ${qb.toExponential(3).padStart(11)}`);
  }
