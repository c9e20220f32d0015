/**
 * Child process for memory.nightly.test.ts: builds a rattled rock-salt supercell with `reps`³ conventional cells, runs the
 * FKK (explicit k-vectors, or 'fkk-pme': PME) or LODE forward and reverse pass once, and prints JSON {atoms, growthBytes, featureBytes} where growthBytes is the rise
 * of the peak resident set size (getrusage maxRSS) across compute + backward (after building the neighbour list and
 * warming up the linear-algebra runtime, both shared infrastructure). A 4th argument 'dense' adds an N × N
 * Float64Array (meta-test: the measurement must detect quadratic storage).
 */
import { ComputeContext, backwardOf } from '../../../src/descriptors/index.js';
import { FkkDescriptor } from '../../../src/descriptors/longRange/index.js';
import { LodeDescriptor } from '../../../src/descriptors/lode/index.js';
import { supercell } from '../../../src/geometry/index.js';
import { getLinalg, linalgThreadsReady } from '../../../src/math/index.js';
import { rockSalt } from './helpers.js';

const reps = Number(process.argv[2]);
const kind = process.argv[3] ?? 'fkk';
const s = supercell(rockSalt(5.64, 0.3, 3), [reps, reps, reps]);
const d = kind.startsWith('fkk')
  ? new FkkDescriptor(['Na', 'Cl'], { count: 2, scale: 4, method: 'split', splitWidthA: 1.5, realCutoffA: 6, kCutoffPerA: 1.2, reciprocalSolver: kind === 'fkk-pme' ? 'pme' : 'ewald' })
  : new LodeDescriptor(['Na', 'Cl'], { count: 2, cutoffA: 4, kCutoffPerA: 1.2 });
const ctx = new ComputeContext(s);
ctx.neighbours(6); // the neighbour list is shared infrastructure: build it before measuring
// so is the linear-algebra runtime (wasm memory, helper thread) used by the batched reciprocal passes: warm it up
await linalgThreadsReady();
{
  const m = 256, a = new Float64Array(m * m).fill(1), c = new Float64Array(m * m);
  getLinalg().gemm(m, m, m, a, a, c);
}
const before = process.resourceUsage().maxRSS * 1024;
const out = d.compute(s, ctx);
const g = backwardOf(d, s, ctx, out.saved, new Float64Array(out.features.data.length).fill(1));
if (process.argv[4] === 'dense') {
  // meta-test: what storing one number per (centre, atom) would cost — the probe must see it
  const n = s.species.length, dense = new Float64Array(n * n);
  for (let k = 0; k < dense.length; k += 512) dense[k] = k;
  g.positions[0] += dense[512];
}
const after = process.resourceUsage().maxRSS * 1024;
process.stdout.write(JSON.stringify({ atoms: s.species.length, growthBytes: after - before, featureBytes: out.features.data.byteLength, check: g.positions[0] }));
