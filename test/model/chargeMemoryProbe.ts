/**
 * Child process for chargeMemory.nightly.test.ts: builds a rattled rock-salt supercell with `reps`³ conventional
 * cells and prints JSON {atoms, growthBytes}: the rise of the peak RSS across one call of
 *   'sr+q'   — ChargeModel.calculate (descriptor forward + reverse, PME energy/forces/stress with tuned parameters),
 *   'sr+qeq' — QeqModel.calculate (the same plus the CG charge equilibration with PME mat-vecs),
 *   'qeq'    — solveQeq alone (CG + forces/stress, PME), the part that must never form an N × N matrix,
 * after warming up the descriptor, the solver and the linear-algebra runtime on a 64-atom cell. The models are
 * built from a small 'sr' descriptor (cutoffs 4.5/4 Å) with reference environments taken from the structure.
 */
import { ComputeContext, createDescriptor } from '../../src/descriptors/index.js';
import { gaussianKernel, solveQeq, tuneElectrostatics } from '../../src/electrostatics/index.js';
import { supercell } from '../../src/geometry/index.js';
import { getLinalg, linalgThreadsReady } from '../../src/math/index.js';
import { ChargeModel, QeqModel, type ChargeModelParams } from '../../src/model/index.js';
import type { Structure } from '../../src/core/index.js';
import { rockSalt } from '../descriptors/longRange/helpers.js';

const reps = Number(process.argv[2]);
const kind = process.argv[3] ?? 'sr+q';
const DESC = { kind: 'sr', species: ['Na', 'Cl'], hypers: { radial: { cutoffA: 4.5, nmax: 4 }, angular: { cutoffA: 4, nmax: 4, lmax: 2 } } };

function modelFor(s: Structure): ChargeModel {
  const d = createDescriptor(DESC);
  const X = d.compute(s, new ComputeContext(s)).features.data, D = d.width;
  const rows = (i0: number, k: number) => X.slice(i0 * D, (i0 + k) * D);
  const params: ChargeModelParams = {
    energy: { descriptor: DESC, kernel: { kind: 'polynomial', hypers: { zeta: 2 } }, species: [
      { species: 'Na', features: rows(0, 4), weights: Float64Array.from([0.1, -0.2, 0.05, 0.1]), referenceEnergyEv: -1 },
      { species: 'Cl', features: rows(4, 4), weights: Float64Array.from([0.2, 0.1, -0.1, 0.05]), referenceEnergyEv: -2 },
    ] },
    charges: [
      { species: 'Na', features: rows(8, 3), weights: Float64Array.from([0.1, 0.05, -0.02]), offsetE: 0.8 },
      { species: 'Cl', features: rows(11, 3), weights: Float64Array.from([-0.1, 0.02, 0.03]), offsetE: -0.8 },
    ],
    electrostatics: { sigmaA: 1, accuracy: 1e-5 },
  };
  return kind === 'sr+qeq' ? new QeqModel({ ...params, hardness: [10, 12] }) : new ChargeModel(params);
}

const warm = supercell(rockSalt(5.64, 0.3, 3), [2, 2, 2]);
const s = supercell(rockSalt(5.64, 0.3, 3), [reps, reps, reps]);
const model = modelFor(warm);
const n = s.species.length;
const chi = Float64Array.from(s.species, (k) => (s.symbols[k] === 'Na' ? -2 : 2)), hard = Float64Array.from(s.species, (k) => (s.symbols[k] === 'Na' ? 10 : 12));
const kernel = gaussianKernel({ sigmaA: Math.SQRT2 });
const params = tuneElectrostatics(s, new Float64Array(n).fill(1), { accuracy: 1e-5 });
const run = (t: Structure, p: ReturnType<typeof tuneElectrostatics>) => kind === 'qeq'
  ? solveQeq(t, kernel, p, { chi: chi.subarray(0, t.species.length), hardness: hard.subarray(0, t.species.length), forces: true, stress: true }).charges[0]
  : model.calculate(t, { forces: true, stress: true }).energyEv;
run(warm, tuneElectrostatics(warm, new Float64Array(warm.species.length).fill(1), { accuracy: 1e-5 }));
await linalgThreadsReady();
{
  const m = 256, a = new Float64Array(m * m).fill(1), c = new Float64Array(m * m);
  getLinalg().gemm(m, m, m, a, a, c);
}
const before = process.resourceUsage().maxRSS * 1024;
const check = run(s, params);
const after = process.resourceUsage().maxRSS * 1024;
process.stdout.write(JSON.stringify({ atoms: n, growthBytes: after - before, check }));
