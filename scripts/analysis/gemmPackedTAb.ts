// Usage: node --import tsx scripts/analysis/gemmPackedTAb.ts [threads=1]
// A/B in one process: P·R̂ from the 'grad' pack (gemmPacked, the old second pack) vs from the 'dots' pack read
// transposed (gemmPackedT); shapes of the 1728-ion sr+lr MD kernel evaluation (block 128 atoms, 1013 refs, 568 cols).
import { getLinalg } from '../../src/math/linalg/index.js';
const threads = process.argv[2] === '2' ? 2 : 1;
const la = getLinalg('wasm', { threads });
const na = 128, nb = 1013, d = 568;
const R = Float64Array.from({ length: nb * d }, (_, k) => Math.sin(k)), P = Float64Array.from({ length: na * nb }, (_, k) => Math.cos(k));
const dots = la.packB(R, d, nb, true), grad = la.packB(R, nb, d, false);
const o1 = new Float64Array(na * d), o2 = new Float64Array(na * d);
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const reps = 30, A: number[] = [], B: number[] = [];
for (let w = 0; w < 5; w++) { la.gemmPacked(na, P, grad, o1); la.gemmPackedT(na, P, dots, o2); }
for (let r = 0; r < 15; r++) {
  let t = cpu(); for (let q = 0; q < reps; q++) la.gemmPacked(na, P, grad, o1); A.push((cpu() - t) / reps);
  t = cpu(); for (let q = 0; q < reps; q++) la.gemmPackedT(na, P, dots, o2); B.push((cpu() - t) / reps);
}
const med = (x: number[]) => x.slice().sort((a, b) => a - b)[x.length >> 1];
let same = true; for (let k = 0; k < o1.length; k++) if (!Object.is(o1[k], o2[k])) same = false;
console.log(`threads ${threads}: gemmPacked (grad pack) ${med(A).toFixed(3)} ms, gemmPackedT (dots pack) ${med(B).toFixed(3)} ms CPU per call, ratio ${(med(B) / med(A)).toFixed(3)}, bitwise ${same}; GFLOP/s ${(2 * na * nb * d / med(A) / 1e6).toFixed(1)} / ${(2 * na * nb * d / med(B) / 1e6).toFixed(1)}`);
