/**
 * Charge equilibration: the CG solution with PME/Ewald/direct mat-vecs equals the dense KKT solution
 * [H 1; 1ᵀ 0][q; −μ] = [−χ; Q] (H built from the kernel's pair function, open boundaries), Σq = Q exactly, and
 * the forces and stress from stationarity (∂E_es/∂r at fixed q, no dq/dr) are finite-difference derivatives of the
 * equilibrated energy, periodic and open.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, makeStructure, type Calculator, type Structure } from '../../src/core/index.js';
import { gaussianKernel, solveQeq, type SolverParameters } from '../../src/electrostatics/index.js';
import { checkCalculator } from '../helpers/gradient.js';

function cluster(rng: Rng, n: number, L: number, pbc: boolean): Structure {
  const pos: number[] = [];
  while (pos.length < 3 * n) {
    const p = [rng.range(0, L), rng.range(0, L), rng.range(0, L)];
    let ok = true;
    for (let k = 0; k < pos.length; k += 3) {
      let d2 = 0;
      for (let a = 0; a < 3; a++) {
        let dx = p[a] - pos[k + a];
        if (pbc) dx -= L * Math.round(dx / L);
        d2 += dx * dx;
      }
      if (d2 < 2.0 * 2.0) ok = false;
    }
    if (ok) pos.push(...p);
  }
  const symbols = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 'Mg' : 'O'));
  return pbc
    ? makeStructure({ symbols, positions: pos, cell: [L, 0, 0, 0.2, L * 1.04, 0, -0.3, 0.1, L * 0.97] })
    : makeStructure({ symbols, positions: pos, pbc: [false, false, false] });
}

const CHI: Record<string, number> = { Mg: -2.0, O: 3.0 };
const J: Record<string, number> = { Mg: 9.0, O: 12.0 };
const KERNEL = gaussianKernel({ sigmaA: Math.SQRT2 * 0.9 });

function qeqCalculator(params: SolverParameters, Q = 0): Calculator {
  return {
    name: 'qeq',
    calculate(s: Structure, o = {}) {
      const chi = Float64Array.from(s.species, (k) => CHI[s.symbols[k]]);
      const hardness = Float64Array.from(s.species, (k) => J[s.symbols[k]]);
      const r = solveQeq(s, KERNEL, params, { chi, hardness, totalCharge: Q, tolerance: 1e-13, forces: o.forces ?? true, stress: o.stress });
      return { energyEv: r.energyEv, forcesEvPerA: r.forcesEvPerA, stressEvPerA3: r.stressEvPerA3, charges: r.charges };
    },
  };
}

/** Dense Gaussian elimination with partial pivoting (test-only reference). */
function denseSolve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) piv = r;
    [m[c], m[piv]] = [m[piv], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let k = r + 1; k < n; k++) s -= m[r][k] * x[k];
    x[r] = s / m[r][r];
  }
  return x;
}

test('qeq (open, direct): CG charges = dense KKT solution; Σq = Q', () => {
  const s = cluster(new Rng(3), 12, 9, false);
  const n = 12, Q = -1;
  const chi = Array.from(s.species, (k) => CHI[s.symbols[k]]);
  const hard = Array.from(s.species, (k) => J[s.symbols[k]]);
  const out = new Float64Array(2);
  const a: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(n + 1).fill(0));
  for (let i = 0; i < n; i++) {
    a[i][i] = hard[i];
    a[i][n] = 1;
    a[n][i] = 1;
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const d = Math.hypot(s.positions[3 * i] - s.positions[3 * j], s.positions[3 * i + 1] - s.positions[3 * j + 1], s.positions[3 * i + 2] - s.positions[3 * j + 2]);
      KERNEL.pair!(d, out);
      a[i][j] = out[0];
    }
  }
  const x = denseSolve(a, [...chi.map((c) => -c), Q]);
  const r = solveQeq(s, KERNEL, { method: 'direct' }, { chi: Float64Array.from(chi), hardness: Float64Array.from(hard), totalCharge: Q });
  for (let i = 0; i < n; i++) assert.ok(Math.abs(r.charges[i] - x[i]) < 1e-10, `atom ${i}: ${r.charges[i]} vs ${x[i]}`);
  assert.ok(Math.abs(r.charges.reduce((p, c) => p + c, 0) - Q) < 1e-12);
  assert.ok(Math.abs(r.chemicalPotential + x[n]) < 1e-9, `μ ${r.chemicalPotential} vs ${-x[n]}`);
  assert.ok(r.charges.some((q) => Math.abs(q) > 0.2), 'non-trivial charges');
});

test('qeq (open, direct): forces from stationarity = finite differences of the equilibrated energy (charged)', () => {
  checkCalculator(qeqCalculator({ method: 'direct' }, 1), cluster(new Rng(4), 10, 8, false), { h: 1e-5, rtol: 1e-6 });
});

for (const [name, params] of [
  ['ewald', { method: 'ewald', alphaPerA: 0.4, realCutoffA: 7, kCutoffPerA: 3.0 }],
  ['pme', { method: 'pme', alphaPerA: 0.4, realCutoffA: 7, mesh: [16, 16, 16], order: 6 }],
] as [string, SolverParameters][]) {
  test(`qeq (periodic, ${name}): forces and stress = finite differences; Σq = 0`, () => {
    const s = cluster(new Rng(5), 12, 8, true);
    const calc = qeqCalculator(params);
    const q = calc.calculate(s, { forces: false }).charges!;
    assert.ok(Math.abs(q.reduce((p, c) => p + c, 0)) < 1e-12);
    checkCalculator(calc, s, { h: 1e-5, strainH: 1e-5, rtol: 1e-6, symmetry: name === 'pme' ? false : undefined });
  });
}

test('qeq with fragments (open, direct): CG = dense KKT with one multiplier per fragment; each fragment keeps its charge', () => {
  const s = cluster(new Rng(7), 12, 9, false);
  const n = 12, nA = 5, QF = [1, -0.5];
  const of = Int32Array.from({ length: n }, (_, i) => (i < nA ? 0 : 1));
  const chi = Array.from(s.species, (k) => CHI[s.symbols[k]]);
  const hard = Array.from(s.species, (k) => J[s.symbols[k]]);
  const out = new Float64Array(2);
  // [H C; Cᵀ 0][q; −μ] = [−χ; Q_F], C the n × 2 fragment membership matrix
  const a: number[][] = Array.from({ length: n + 2 }, () => new Array<number>(n + 2).fill(0));
  for (let i = 0; i < n; i++) {
    a[i][i] = hard[i];
    a[i][n + of[i]] = 1;
    a[n + of[i]][i] = 1;
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const d = Math.hypot(s.positions[3 * i] - s.positions[3 * j], s.positions[3 * i + 1] - s.positions[3 * j + 1], s.positions[3 * i + 2] - s.positions[3 * j + 2]);
      KERNEL.pair!(d, out);
      a[i][j] = out[0];
    }
  }
  const x = denseSolve(a, [...chi.map((c) => -c), ...QF]);
  const fragments = { of, charge: Float64Array.from(QF), size: Float64Array.of(nA, n - nA) };
  const r = solveQeq(s, KERNEL, { method: 'direct' }, { chi: Float64Array.from(chi), hardness: Float64Array.from(hard), totalCharge: 7, fragments });
  for (let i = 0; i < n; i++) assert.ok(Math.abs(r.charges[i] - x[i]) < 1e-10, `atom ${i}: ${r.charges[i]} vs ${x[i]}`);
  for (let k = 0; k < 2; k++) {
    let sum = 0;
    for (let i = 0; i < n; i++) if (of[i] === k) sum += r.charges[i];
    assert.ok(Math.abs(sum - QF[k]) < 1e-12, `fragment ${k}: Σq = ${sum} (want ${QF[k]})`);
    assert.ok(Math.abs(r.chemicalPotentials[k] + x[n + k]) < 1e-9, `μ_${k} ${r.chemicalPotentials[k]} vs ${-x[n + k]}`);
  }
  assert.ok(Math.abs(r.chemicalPotentials[0] - r.chemicalPotentials[1]) > 1e-3, 'the two multipliers differ (no charge transfer)');
});

test('qeq with fragments (open, direct): forces from stationarity = finite differences (+1 / 0 fragments)', () => {
  const s = cluster(new Rng(8), 10, 8, false);
  const of = Int32Array.from({ length: 10 }, (_, i) => (i < 4 ? 0 : 1));
  const fragments = { of, charge: Float64Array.of(1, 0), size: Float64Array.of(4, 6) };
  const calc: Calculator = {
    name: 'qeq-fragments',
    calculate(x: Structure, o = {}) {
      const chi = Float64Array.from(x.species, (k) => CHI[x.symbols[k]]);
      const hardness = Float64Array.from(x.species, (k) => J[x.symbols[k]]);
      const r = solveQeq(x, KERNEL, { method: 'direct' }, { chi, hardness, fragments, tolerance: 1e-13, forces: o.forces ?? true });
      return { energyEv: r.energyEv, forcesEvPerA: r.forcesEvPerA, charges: r.charges };
    },
  };
  // fragments are atom-index ranges: a permutation legitimately changes them
  checkCalculator(calc, s, { h: 1e-5, rtol: 1e-6, symmetry: { checks: ['translation', 'rotation'] } });
});
