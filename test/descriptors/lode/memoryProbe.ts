/**
 * Child process for memory.nightly.test.ts (LODE split paths): builds a rattled rock-salt supercell with `reps`³ conventional
 * cells, runs one forward + reverse pass of 'lode-split' (k-vector long part), 'lode-pme' (PME long part) or
 * 'lode-ms' (split, l ≤ 2) and prints JSON {atoms, growthBytes}: the rise of the peak RSS across compute + backward,
 * after building the neighbour lists, the per-σ′ spline tables (per descriptor, not per structure; a warm-up pass on
 * a 64-atom cell) and warming up the linear-algebra runtime.
 */
import { ComputeContext, backwardOf } from '../../../src/descriptors/index.js';
import { LodeDescriptor, LodeMsDescriptor } from '../../../src/descriptors/lode/index.js';
import { supercell } from '../../../src/geometry/index.js';
import { getLinalg, linalgThreadsReady } from '../../../src/math/index.js';
import { rockSalt } from '../longRange/helpers.js';

const reps = Number(process.argv[2]);
const kind = process.argv[3] ?? 'lode-split';
const s = supercell(rockSalt(5.64, 0.3, 3), [reps, reps, reps]);
const split = { method: 'split', splitWidthA: 1.5, realCutoffA: 8, kCutoffPerA: 1.2 };
const d = kind === 'lode-ms'
  ? new LodeMsDescriptor(['Na', 'Cl'], { lmax: 2, count: 2, densityCount: 2, cutoffA: 3, densityCutoffA: 4, ...split })
  : new LodeDescriptor(['Na', 'Cl'], { count: 2, cutoffA: 3, ...split, reciprocalSolver: kind === 'lode-pme' ? 'pme' : 'ewald' });
{
  const w = supercell(rockSalt(5.64, 0.3, 3), [2, 2, 2]), c = new ComputeContext(w);
  const o = d.compute(w, c);
  backwardOf(d, w, c, o.saved, new Float64Array(o.features.data.length).fill(1));
}
const ctx = new ComputeContext(s);
ctx.neighbours(8);
ctx.neighbours(4);
await linalgThreadsReady();
{
  const m = 256, a = new Float64Array(m * m).fill(1), c = new Float64Array(m * m);
  getLinalg().gemm(m, m, m, a, a, c);
}
const before = process.resourceUsage().maxRSS * 1024;
const out = d.compute(s, ctx);
const g = backwardOf(d, s, ctx, out.saved, new Float64Array(out.features.data.length).fill(1));
const after = process.resourceUsage().maxRSS * 1024;
process.stdout.write(JSON.stringify({ atoms: s.species.length, growthBytes: after - before, check: g.positions[0] }));
