/**
 * Calibration of the smooth-PME force-error model of src/electrostatics/tune.ts (PME_SELF_TABLE, PME_PAIR_TABLE):
 *   ΔF_k² = k_e² α⁴ [⟨q⁴⟩ s_p(x)² + ⟨q²⟩ (ρ_q/α³) t_p(x)²],   x = α h (cubic mesh), ρ_q = Σq²/V.
 * s_p: RMS spurious force on a lone unit charge over random positions (the exact force is zero);
 * t_p: from random ±1 melts, measured reciprocal error (PME vs Ewald at the same α and real cutoff, so the real-space
 * parts cancel) with the self part removed, at two densities (the ρ_q/α³ scaling is checked, not assumed).
 * Prints s_p(x)/x^p and t_p(x)/x^p per order p and x.
 *
 *   node --import tsx scripts/analysis/pme-error-calibration.ts
 */
import { COULOMB_EV_A, Rng, makeStructure } from '../../src/core/index.js';
import { computeElectrostatics, coulombKernel, type SolverParameters } from '../../src/electrostatics/index.js';

const L = 15, alpha = 0.5;
const cell = [L, 0, 0, 0, L, 0, 0, 0, L];
const xs = [0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.75];
const rng = new Rng(5);

function selfError(p: number, K: number, samples: number): number {
  let e2 = 0;
  for (let k = 0; k < samples; k++) {
    const s = makeStructure({ symbols: ['Na'], positions: [rng.range(0, L), rng.range(0, L), rng.range(0, L)], cell });
    const par: SolverParameters = { method: 'pme', alphaPerA: alpha, realCutoffA: 7, mesh: [K, K, K], order: p };
    const f = computeElectrostatics(s, Float64Array.from([1]), coulombKernel(), par, { stress: false }).forcesEvPerA!;
    e2 += f[0] ** 2 + f[1] ** 2 + f[2] ** 2;
  }
  return Math.sqrt(e2 / samples) / COULOMB_EV_A;
}

function melt(n: number): { s: ReturnType<typeof makeStructure>; q: Float64Array } {
  const pos: number[] = [];
  for (let i = 0; i < 3 * n; i++) pos.push(rng.range(0, L));
  return { s: makeStructure({ symbols: Array.from({ length: n }, () => 'Na'), positions: pos, cell }), q: Float64Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1)) };
}

const melts = [melt(60), melt(400)];
const refs = melts.map(({ s, q }) => computeElectrostatics(s, q, coulombKernel(), { method: 'ewald', alphaPerA: alpha, realCutoffA: 7, kCutoffPerA: 2 * alpha * 6.5 }, { stress: false }).forcesEvPerA!);

for (const p of [4, 5, 6, 7, 8]) {
  const selfRow: string[] = [], pairRow: string[] = [];
  for (const x of xs) {
    const K = Math.max(p, Math.round((alpha * L) / x));
    const xa = (alpha * L) / K;
    const s = selfError(p, K, 24);
    selfRow.push((s / alpha ** 2 / xa ** p).toPrecision(3));
    const ts: string[] = [];
    melts.forEach(({ s: st, q }, m) => {
      const n = q.length;
      const f = computeElectrostatics(st, q, coulombKernel(), { method: 'pme', alphaPerA: alpha, realCutoffA: 7, mesh: [K, K, K], order: p }, { stress: false }).forcesEvPerA!;
      let e2 = 0;
      for (let k = 0; k < 3 * n; k++) e2 += (f[k] - refs[m][k]) ** 2;
      const tot2 = e2 / n / COULOMB_EV_A ** 2;
      const rho = n / L ** 3;
      const t = Math.sqrt(Math.max(tot2 - s * s, 0) / (alpha ** 4 * (rho / alpha ** 3)));
      ts.push((t / xa ** p).toPrecision(3) + `(${(Math.sqrt(tot2) / s).toFixed(1)})`);
    });
    pairRow.push(ts.join('/'));
  }
  console.log(`p=${p} self s/x^p: ${selfRow.join(' ')}`);
  console.log(`p=${p} pair t/x^p [n=60 / n=400] (total/self): ${pairRow.join(' ')}`);
}
console.log(`x = ${xs.join(' ')}`);
