/**
 * Charged-dimer extrapolation with an EXTRAPOLATING validation split (issue 18, docs/RESULTS.md § Learned charges,
 * round 6). The protocol is fixed before any test error is looked at:
 *  1. the pair's 10 training frames (4–12 Å) are sorted by `distance`; the `nVal` farthest (default 3) are the
 *     validation set, the others the tuning-training set — validation mimics the test task (extrapolating ~2–3 Å
 *     beyond the last training distance) and never touches the test frames (12–15 Å);
 *  2. every grid point (charge width s × force weight W_F × fragments on/off) is fitted on the near frames and
 *     scored by the validation inter_energy RMSE per dimer (energy only: the test measures energy extrapolation);
 *  3. the lowest score wins; that setting is refitted on all 10 training frames and evaluated once on the test frames.
 * Frames are treated as non-periodic (pbc F F F in memory; same as the results/dimers/np copies of earlier rounds).
 *   node --import tsx scripts/dimer-extrapolation.ts K [--widths 0.5,1,1.5,2] [--force-weights 0.01,0.1,1]
 *        [--fragments 1,0] [--val 3] [--refs 128] [--model sr+q] [--data DIR]
 * (--model sr+lode or sr: the same protocol over the force weight only, β = 1 as in the earlier tables; any
 * learned-charge kind, e.g. sr+lr+q, takes the charge grid.)
 * --seed S (round 7, robustness): compare's permutation seed (the order of the training frames, which sets where
 * farthest-point selection starts), the reference-selection seed and the charge fit's seed; without it the round-6
 * behaviour (seed 1, selection and charge seeds at their defaults).
 * --hardness J1,J2,… (round 10, sr+qeq with fragments): one fixed hardness J for every species (fitHardness false) as
 * one more grid axis chosen on validation — J sets the polarisability of the neutral partner, which the fit on the
 * near frames (where ε absorbs everything) cannot pin down (fitted J ran to H 7.6, C 688 eV/e² on CA).
 * Units: without --per-dimer the printed energy is the per-atom RMSE × the number of SPECIES (rounds 6–9 used
 * `symbols.length`, the species table, for the atom count): the ratio between models of one pair is unaffected;
 * --per-dimer prints true per-dimer values (× atoms) instead.
 * Prints one line per grid point (validation RMSE, per-frame errors) and the final test line.
 */
import { compareModels, isChargeKind, loadStructures } from '../src/api/index.js';
import type { Structure } from '../src/core/index.js';

const args = process.argv.slice(2);
const k = args[0];
const opt = (name: string, def: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const list = (name: string, def: string) => opt(name, def).split(',').map(Number);
const dir = opt('--data', '../shared/data/lode-charged-dimers');
const widths = list('--widths', '0.5,1,1.5,2');
const forceWeights = list('--force-weights', '0.01,0.1,1');
const fragmentChoices = list('--fragments', '1,0').map((x) => x === 1);
const nVal = Number(opt('--val', '3'));
const refs = Number(opt('--refs', '128'));
const model = opt('--model', 'sr+q');
const seedArg = args.includes('--seed') ? Number(opt('--seed', '1')) : undefined;
const seed = seedArg ?? 1;
const hardnesses = args.includes('--hardness') ? list('--hardness', '') : [NaN];

const open = (s: Structure): Structure => ({ ...s, pbc: [false, false, false] });
const dist = (s: Structure) => Number(s.info.distance);
const train = loadStructures(`${dir}/train-id${k}.xyz`).structures.map(open).sort((a, b) => dist(a) - dist(b));
const test = loadStructures(`${dir}/test-id${k}.xyz`).structures.map(open).sort((a, b) => dist(a) - dist(b));
const near = train.slice(0, train.length - nVal), far = train.slice(train.length - nVal);
const atoms = args.includes('--per-dimer') ? train[0].species.length : train[0].symbols.length; // see the header (units)
const energyUnit = args.includes('--per-dimer') ? 'meV/dimer' : 'meV/atom×species (see header)';

const chargeModel = isChargeKind(model);
// descriptor presets (sr, sr+lode, …) take only the force weight: widths and fragments collapse to one grid point
const config = (s: number, wf: number, frag: boolean, J = NaN) => ({
  selection: { count: refs, ...(seedArg !== undefined ? { seed: seedArg } : {}) },
  weights: { forces: wf },
  ...(chargeModel ? {
    charges: {
      totalChargeKeys: ['chargeA', 'chargeB'], iterations: 15, tolerance: 1e-4, sigmaA: s, ...(seedArg !== undefined ? { seed: seedArg } : {}),
      ...(frag ? { fragments: { startKeys: ['indexB'], chargeKeys: ['chargeA', 'chargeB'] } } : {}),
      ...(Number.isFinite(J) ? { fitHardness: false, hardness: Object.fromEntries(train[0].symbols.map((sp) => [sp, J])) } : {}),
    },
  } : {}),
});

/** Fit on `tr`, evaluate on `te`: energy RMSE per dimer (meV), per-frame errors (meV), force RMSE (meV/Å). */
async function run(tr: Structure[], te: Structure[], cfg: ReturnType<typeof config>) {
  const r = await compareModels({
    data: tr, test: te, models: [model], trainSizes: [tr.length], seed, energyKey: 'inter_energy',
    targets: ['energy', 'forces'], fit: cfg, ...(model === 'sr+lode' ? { lodeWeights: [1] } : {}),
  });
  const run0 = r.results.runs[0];
  const p = r.results.parity[0];
  const perFrame = p.energy.pred.map((y, i) => (y - p.energy.ref[i]) * atoms * 1000);
  return { e: run0.energy!.rmseMevPerAtom * atoms, f: run0.forces!.rmseMevPerA, perFrame, fitS: run0.fitTimeS };
}

console.log(`id${k} ${model}: tuning train ${near.map(dist).map((d) => d.toFixed(2)).join(',')} | validation ${far.map(dist).map((d) => d.toFixed(2)).join(',')} | test ${test.map(dist).map((d) => d.toFixed(2)).join(',')}`);
let best: { s: number; wf: number; frag: boolean; J: number; score: number } | undefined;
for (const frag of chargeModel ? fragmentChoices : [false])
  for (const s of chargeModel ? widths : [NaN])
    for (const J of hardnesses)
    for (const wf of forceWeights) {
      const v = await run(near, far, config(s, wf, frag, J));
      console.log(`  val s=${s} W_F=${wf} fragments=${frag ? 1 : 0}${Number.isFinite(J) ? ` J=${J}` : ''}: E ${v.e.toFixed(2)} ${energyUnit} (${v.perFrame.map((x) => x.toFixed(1)).join('/')}), F ${v.f.toFixed(2)} meV/Å, fit ${v.fitS.toFixed(0)} s`);
      if (!best || v.e < best.score) best = { s, wf, frag, J, score: v.e };
    }
const b = best!;
const t = await run(train, test, config(b.s, b.wf, b.frag, b.J));
console.log(`id${k} ${model} seed ${seed} chosen s=${b.s} W_F=${b.wf} fragments=${b.frag ? 1 : 0}${Number.isFinite(b.J) ? ` J=${b.J}` : ''} (val ${b.score.toFixed(2)}): TEST E ${t.e.toFixed(2)} ${energyUnit} (${t.perFrame.map((x) => x.toFixed(1)).join('/')}), F ${t.f.toFixed(2)} meV/Å, fit ${t.fitS.toFixed(0)} s`);
