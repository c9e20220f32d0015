/**
 * Learning proof (science.md §4.8, issue 5): 64 point charges (32 × +1, 32 × −1), minimum separation 2 Å, random
 * cubic cells of edge 11–15 Å; reference energies from the electrostatics engine's Ewald sum (point charges, k_e).
 * A plain linear least-squares fit on the FKK descriptor per central species,
 *   E = Σ_i w_{t(i)} · X_i + b,   i.e. columns Σ_{i: t(i)=s} X_i,c for s ∈ {+, −}, plus a bias,
 * solved by an SVD pseudo-inverse (one-sided Jacobi; singular values below 1e-9 s_max dropped, as in the paper) on
 * standardised columns, reaches a test-set energy RMSPE (RMSE / std of the test energies) below 0.1 %.
 * Failing would mean the descriptor does not carry the electrostatic energy (the energies span ~±30 %, so a model
 * without the long-range information sits near 100 %).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, makeStructure, type Structure } from '../../../src/core/index.js';
import { ComputeContext } from '../../../src/descriptors/index.js';
import { FkkDescriptor } from '../../../src/descriptors/longRange/index.js';
import { computeElectrostatics, coulombKernel, tuneElectrostatics } from '../../../src/electrostatics/index.js';

function randomCharges(rng: Rng): Structure {
  const L = rng.range(11, 15);
  const pos: number[] = [];
  while (pos.length < 3 * 64) {
    const p = [rng.range(0, L), rng.range(0, L), rng.range(0, L)];
    let ok = true;
    for (let k = 0; k < pos.length && ok; k += 3) {
      let d2 = 0;
      for (let a = 0; a < 3; a++) {
        let x = p[a] - pos[k + a];
        x -= L * Math.round(x / L);
        d2 += x * x;
      }
      ok = d2 >= 4;
    }
    if (ok) pos.push(...p);
  }
  return makeStructure({ symbols: Array.from({ length: 64 }, (_, i) => (i < 32 ? 'X' : 'Y')), positions: pos, cell: [L, 0, 0, 0, L, 0, 0, 0, L] });
}

/** Least squares min |A x − y| by one-sided Jacobi SVD of A (m × n, row-major), pseudo-inverse with a relative cut. */
function lstsq(A: Float64Array, m: number, n: number, y: Float64Array, cut = 1e-9): Float64Array {
  const U = Float64Array.from(A); // columns get orthogonalised in place
  const V = new Float64Array(n * n);
  for (let k = 0; k < n; k++) V[k * n + k] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < n - 1; p++)
      for (let q = p + 1; q < n; q++) {
        let a = 0, b = 0, c = 0;
        for (let r = 0; r < m; r++) {
          const up = U[r * n + p], uq = U[r * n + q];
          a += up * up; b += uq * uq; c += up * uq;
        }
        if (Math.abs(c) <= 1e-15 * Math.sqrt(a * b)) continue;
        off = Math.max(off, Math.abs(c) / Math.sqrt(a * b));
        const zeta = (b - a) / (2 * c);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const cs = 1 / Math.sqrt(1 + t * t), sn = cs * t;
        for (let r = 0; r < m; r++) {
          const up = U[r * n + p], uq = U[r * n + q];
          U[r * n + p] = cs * up - sn * uq; U[r * n + q] = sn * up + cs * uq;
        }
        for (let r = 0; r < n; r++) {
          const vp = V[r * n + p], vq = V[r * n + q];
          V[r * n + p] = cs * vp - sn * vq; V[r * n + q] = sn * vp + cs * vq;
        }
      }
    if (off < 1e-14) break;
  }
  const sv = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let r = 0; r < m; r++) s += U[r * n + k] ** 2;
    sv[k] = Math.sqrt(s);
  }
  const smax = Math.max(...sv);
  const x = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    if (sv[k] <= cut * smax) continue;
    let uy = 0;
    for (let r = 0; r < m; r++) uy += U[r * n + k] * y[r];
    const coef = uy / (sv[k] * sv[k]); // U columns are σ_k u_k
    for (let r = 0; r < n; r++) x[r] += V[r * n + k] * coef;
  }
  return x;
}

test('toy model: linear fit on FKK per central species reaches test RMSPE < 0.1 % on 64 random ±1 charges', () => {
  const rng = new Rng(2024);
  const nTrain = 60, nTest = 20;
  const d = new FkkDescriptor(['X', 'Y'], { zetaMaxPerA: 2, scale: 2, count: 8, smearingA: 0.5, accuracy: 1e-6 });
  const W = d.width, cols = 2 * W + 1;
  const rows: Float64Array[] = [];
  const energies: number[] = [];
  for (let c = 0; c < nTrain + nTest; c++) {
    const s = randomCharges(rng);
    const q = Float64Array.from(s.species, (t) => (s.symbols[t] === 'X' ? 1 : -1));
    const params = tuneElectrostatics(s, q, { accuracy: 1e-8, method: 'ewald' });
    energies.push(computeElectrostatics(s, q, coulombKernel(), params, { forces: false, stress: false }).energyEv);
    const X = d.compute(s, new ComputeContext(s)).features.data;
    const row = new Float64Array(cols);
    for (let i = 0; i < 64; i++) {
      const o = (q[i] > 0 ? 0 : 1) * W;
      for (let k = 0; k < W; k++) row[o + k] += X[i * W + k];
    }
    row[cols - 1] = 1;
    rows.push(row);
  }
  // standardise the feature columns on the training set (bias column left as is)
  const mean = new Float64Array(cols), std = new Float64Array(cols).fill(1);
  for (let k = 0; k < cols - 1; k++) {
    for (let r = 0; r < nTrain; r++) mean[k] += rows[r][k] / nTrain;
    let v = 0;
    for (let r = 0; r < nTrain; r++) v += (rows[r][k] - mean[k]) ** 2 / nTrain;
    std[k] = Math.sqrt(v) || 1;
  }
  const A = new Float64Array(nTrain * cols);
  for (let r = 0; r < nTrain; r++) for (let k = 0; k < cols; k++) A[r * cols + k] = k === cols - 1 ? 1 : (rows[r][k] - mean[k]) / std[k];
  const w = lstsq(A, nTrain, cols, Float64Array.from(energies.slice(0, nTrain)));
  let se = 0, mu = 0, vv = 0;
  const test = energies.slice(nTrain);
  for (const e of test) mu += e / nTest;
  for (let t = 0; t < nTest; t++) {
    const row = rows[nTrain + t];
    let pred = 0;
    for (let k = 0; k < cols; k++) pred += w[k] * (k === cols - 1 ? 1 : (row[k] - mean[k]) / std[k]);
    se += (pred - test[t]) ** 2;
    vv += (test[t] - mu) ** 2;
  }
  const rmspe = (100 * Math.sqrt(se / nTest)) / Math.sqrt(vv / nTest);
  console.log(`toy model: test RMSPE ${rmspe.toFixed(4)} % (energies ${Math.min(...test).toFixed(1)} … ${Math.max(...test).toFixed(1)} eV)`);
  assert.ok(rmspe < 0.1, `RMSPE ${rmspe} % ≥ 0.1 %`);
});
