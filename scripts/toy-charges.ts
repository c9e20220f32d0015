/**
 * Learned charges of sr+q on the point-charge toy set (issue 18 proof): fit on frames 0–9 of data/toy.xyz
 * (128 references, s = 0.3 Å, 4 charge references per species), report per-species mean ± std and the largest
 * deviation from the true ±1 over frames 160–199.
 *   node --import tsx scripts/toy-charges.ts
 */
import { chargeStatistics, fitAny, loadStructures } from '../src/api/index.js';

const toy = loadStructures('data/toy.xyz').structures;
const r = await fitAny(toy.slice(0, 10), { descriptors: 'sr+q', selection: { count: 128 }, charges: { sigmaA: 0.3, count: 4 } }, { onWarning: () => {} });
const test = toy.slice(160, 200);
console.log(JSON.stringify(chargeStatistics(r.model, test)));
let worst = 0;
for (const s of test) {
  const q = r.model.calculate(s, { forces: false, stress: false }).charges!;
  for (let i = 0; i < q.length; i++) worst = Math.max(worst, Math.abs(Math.abs(q[i]) - Math.abs(s.labels.charges![i])));
}
console.log(`largest | |q| − 1 | over ${test.length} frames: ${worst.toExponential(3)} e; test energy RMSE ${r.errors.train.energy?.rmse_meV_per_atom} (train)`);
