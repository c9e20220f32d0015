/**
 * Accuracy scan of the tuned solvers (issue 13 item 2): over the seeded cell family of
 * test/electrostatics/accuracyFamily.ts (reduced triclinic cells, edge ratios to 1:10, vacuum to 95 %, 2 … 4096 ions)
 * plus the two reproductions, for Ewald, PME and auto at each cell's requested relative accuracy ε:
 *   measured = RMS over atoms of |F − F_ref| / k_e, F_ref = Ewald at 1e-10 (exact real-space kernel);
 *   estimate = √(real² + k-space²) / k_e of the printed estimates (describeParameters).
 * Prints one line per cell and method, then per method the distribution of measured/estimate (min, median, max),
 * the worst measured/requested ratio and the total CPU time.
 *
 *   node --import tsx scripts/analysis/pme-accuracy.ts [cells=56] [maxIons=4096]      (from the repository root)
 */
import { existsSync } from 'node:fs';
import { COULOMB_EV_A } from '../../src/core/index.js';
import { computeElectrostatics, coulombKernel, describeParameters, tuneElectrostatics, type Method, type TunedParameters } from '../../src/electrostatics/index.js';
import { readStructures } from '../../src/host/index.js';
import { familyCell, reproductionCells, type FamilyCell } from '../../test/electrostatics/accuracyFamily.js';

const count = Number(process.argv[2] ?? 56);
const maxIons = Number(process.argv[3] ?? 4096);
const cells: FamilyCell[] = [];
for (let k = 0; k < count; k++) cells.push(familyCell(k, maxIons));
const toy = 'data/toy.xyz';
if (existsSync(toy)) {
  const s = readStructures(toy)[0];
  cells.push(...reproductionCells(s, s.labels.charges ?? Float64Array.from(s.arrays.charges!.data as Float64Array)));
} else cells.push(...reproductionCells());

const methods: (Method | 'auto')[] = ['ewald', 'pme', 'auto'];
const stats: Record<string, { ratioEst: number[]; ratioReq: number[]; ms: number }> = {};
for (const m of methods) stats[m] = { ratioEst: [], ratioReq: [], ms: 0 };

function rms(f: Float64Array, ref: Float64Array): number {
  let e2 = 0;
  for (let k = 0; k < f.length; k++) e2 += (f[k] - ref[k]) ** 2;
  return Math.sqrt(e2 / (f.length / 3)) / COULOMB_EV_A;
}

for (const c of cells) {
  const { structure: s, charges: q, accuracy } = c;
  const ref = computeElectrostatics(s, q, coulombKernel(), tuneElectrostatics(s, q, { method: 'ewald', accuracy: 1e-10 }), { stress: false });
  console.log(`${c.name}, accuracy ${accuracy}`);
  for (const m of methods) {
    const t0 = process.cpuUsage();
    const p: TunedParameters = tuneElectrostatics(s, q, { method: m, accuracy });
    const r = computeElectrostatics(s, q, coulombKernel(), p, { stress: false });
    const dt = process.cpuUsage(t0);
    const ms = (dt.user + dt.system) / 1000;
    const measured = rms(r.forcesEvPerA!, ref.forcesEvPerA!);
    const est = Math.hypot(p.realErrorEvPerA ?? 0, p.reciprocalErrorEvPerA ?? 0) / COULOMB_EV_A;
    stats[m].ratioEst.push(measured / est);
    stats[m].ratioReq.push(measured / accuracy);
    stats[m].ms += ms;
    console.log(`  ${m.padEnd(5)} measured ${measured.toExponential(2)} est ${est.toExponential(2)} meas/est ${(measured / est).toFixed(2)} meas/req ${(measured / accuracy).toFixed(2)} ${ms.toFixed(0)} ms | ${describeParameters(p)}`);
  }
}

const q = (a: number[], f: number): number => { const b = [...a].sort((x, y) => x - y); return b[Math.min(b.length - 1, Math.floor(f * (b.length - 1) + 0.5))]; };
console.log(`\n${cells.length} cells`);
console.log('method | measured/estimate min | median | max | within [1/3, 3] | worst measured/requested | over 2× requested | CPU s');
for (const m of methods) {
  const { ratioEst: e, ratioReq: r, ms } = stats[m];
  const inside = e.filter((x) => x >= 1 / 3 && x <= 3).length;
  console.log(`${m} | ${q(e, 0).toFixed(2)} | ${q(e, 0.5).toFixed(2)} | ${q(e, 1).toFixed(2)} | ${inside}/${e.length} | ${Math.max(...r).toFixed(2)} | ${r.filter((x) => x > 2).length} | ${(ms / 1000).toFixed(1)}`);
}
