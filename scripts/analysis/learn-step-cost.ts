/**
 * CPU cost of one on-the-fly MD step with a learn run's model: the force σ evaluation (every σ-step) vs the plain
 * model forces (the other steps with `uncertaintyEvery` > 1). Medians of --repeat calls after one warm-up.
 *
 *   node --import tsx scripts/analysis/learn-step-cost.ts DIR/model.json START.xyz [--repeat 5]
 */
import { readStructures } from '../../src/host/index.js';
import { loadModel } from '../../src/api/index.js';
import { calculateWithForceUncertainty } from '../../src/api/learnUncertainty.js';
import { KernelModel } from '../../src/model/index.js';

const [path, start] = process.argv.slice(2);
const i = process.argv.indexOf('--repeat');
const repeat = i > 0 ? Number(process.argv[i + 1]) : 5;
const m = loadModel(path);
if (!(m instanceof KernelModel)) throw new Error(`${path} is not a kernel model`);
const s = readStructures(start).at(-1)!;
const cpu = (f: () => void): number => {
  const t = process.cpuUsage();
  f();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1e6;
};
const median = (a: number[]): number => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
const sigma: number[] = [], plain: number[] = [];
for (let k = 0; k <= repeat; k++) {
  const a = cpu(() => calculateWithForceUncertainty(m, s));
  const b = cpu(() => m.calculate(s, { forces: true, stress: true }));
  if (k > 0) { sigma.push(a); plain.push(b); }
}
console.log(`${s.species.length} atoms, references ${Array.from(m.refs.counts).join('/')}: force σ step ${median(sigma).toFixed(3)} CPU s, plain step ${median(plain).toFixed(3)} CPU s (ratio ${(median(sigma) / median(plain)).toFixed(1)})`);
