/**
 * farfield and LAMMPS timed back to back, repeatedly, in one run (`node --import tsx bench/electrostatics-interleaved.ts
 * [cells = 8] [reps = 5]`; not part of `npm run bench`): on a loaded machine CPU time drifts by 1.5× within minutes,
 * so a ratio is only meaningful between runs taken at the same moment. Per repetition: PME energy + forces at 1e-6
 * along MD (`timeTrajectory`, tuned plan) against LAMMPS PPPM order 7 at r_c 11.13 Å, `pppm 1.5e-6` (the fastest
 * setting that met 1e-6 in the full scans of `electrostatics.bench.ts` at 4096 and 32768 ions; its error is not
 * re-measured here), then one Fumi–Tosi NVE step (`farfieldMdStep`) against LAMMPS born/coul/long at orders 7 and 6,
 * r_c 10 Å (`lammpsMdStep`). Prints each pair and the median ratios.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { tuneElectrostatics } from '../src/electrostatics/index.js';
import { farfieldMdStep, lammps, lammpsMdStep, melt, timeTrajectory } from './electrostatics.bench.js';

const cells = Number(process.argv[2] ?? 8), reps = Number(process.argv[3] ?? 5);
if (spawnSync('sh', ['-c', 'command -v lmp']).status !== 0) {
  console.log('lmp not available: nothing to compare');
  process.exit(0);
}
const { s, q } = melt(cells);
const n = q.length;
const p = tuneElectrostatics(s, q, { method: 'pme', accuracy: 1e-6 });
const median = (x: number[]): number => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)];
const pme: number[] = [], md: number[] = [];
for (let r = 0; r < reps; r++) {
  const traj = timeTrajectory(s, q, p, 12), ours = traj.cpuMs;
  const l = lammps(s, q, { order: 7, accuracy: 1.5e-6, cutoffA: 11.13 });
  if (l) pme.push(ours / l.cpuMs);
  console.log(`PME ${n} ions: farfield ${ours.toFixed(1)} ms (mean ${traj.meanCpuMs.toFixed(1)} incl. ${traj.rebuilds} list rebuild(s) in 12 calls; mesh ${p.mesh!.join('×')}, order ${p.order}, r_c ${p.realCutoffA!.toFixed(2)}) vs LAMMPS ${l ? `${l.cpuMs.toFixed(1)} ms (order 7, grid ${l.grid}, r_c 11.13, ${l.cpuUse}% CPU)` : 'failed'}; load ${loadavg()[0].toFixed(1)}`);
  if (n > 10000) continue;
  const f = farfieldMdStep(s), l7 = lammpsMdStep(s, 7, 10), l6 = lammpsMdStep(s, 6, 10);
  const best = Math.min(l7?.cpuMs ?? Infinity, l6?.cpuMs ?? Infinity);
  if (Number.isFinite(best)) md.push(f.cpuMs / best);
  console.log(`Fumi–Tosi MD step ${n} ions: farfield ${f.cpuMs.toFixed(1)} ms vs LAMMPS order 7 ${l7?.cpuMs.toFixed(1) ?? '–'} / order 6 ${l6?.cpuMs.toFixed(1) ?? '–'} ms (r_c 10, skin 2 Å)`);
}
if (pme.length) console.log(`median PME / LAMMPS ${median(pme).toFixed(2)} (${pme.map((x) => x.toFixed(2)).join(', ')})`);
if (md.length) console.log(`median MD step / LAMMPS ${median(md).toFixed(2)} (${md.map((x) => x.toFixed(2)).join(', ')})`);
