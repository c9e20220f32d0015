/**
 * The electrostatic design rows of the learned-charge fits (chargeFit.ts): for one structure, h(v) — the part of the
 * scaled energy/force/stress rows (design.ts layout) that the charges contribute — and its exact Jacobian J = ∂h/∂v
 * with respect to the charge weights (references, then one offset per species).
 *   sr+q:   q = P g,        ∂E/∂g = Pφ,  δq = P δg
 *   sr+qeq: q = QEq(χ = g), ∂E/∂χ = q,   δq = QEq(δχ, Q = 0) (one CG solve; q is affine in χ; with fragments every
 *           fragment's total is 0 in δq)
 * Column j: δE = (∂E/∂g)·δg; one electrostatic sum with sources δq and probes q gives ∂(qᵀAδq)/∂r, ∂/∂ε and δφ = Aδq;
 * the force/stress columns come from one batched descriptor reverse pass with upstreams
 * δu_i ∂g_i/∂X_i + u_i ∂δg_i/∂X_i (u = ∂E/∂g; δu = Pδφ for sr+q, δq for sr+qeq).
 * sr+qeq hardness columns (`hardnessColumns`, appended after the p charge columns, one per species t, with respect to
 * θ_t = ln J_t): differentiating the stationarity χ + (diag J + A) q = μ1 gives δq = QEq(δχ = 1_t ⊙ q, Q = 0) per
 * unit δJ_t, δE = ½ Σ_{i∈t} q_i² (envelope theorem), and the force/stress columns as for an offset column (δχ = 0,
 * so no ∂δg/∂X term); every entry × J_t for the log parametrisation (J stays positive).
 */
import { cellVolume, type Structure } from '../core/index.js';
import { backwardManyOf, backwardOf } from '../descriptors/index.js';
import { ElectrostaticsWorkspace, computeElectrostatics, electrostaticSum, solveQeq, type SolverParameters } from '../electrostatics/index.js';
import { projectFragments, totalChargeOf, type ChargeModel } from './chargeModel.js';
import { ReferenceSet, gatherRows, type RowScaling } from './design.js';
import { QeqModel } from './qeqModel.js';

const VOIGT: [number, number][] = [[0, 0], [1, 1], [2, 2], [1, 2], [0, 2], [0, 1]];

/**
 * The electrostatic rows h(v) of one structure (scaled, design.ts layout) and, when asked, their Jacobian
 * J = ∂h/∂v (rows × p, column order: charge references, then one offset per species).
 */
export function chargeRows(model: ChargeModel, refsQ: ReferenceSet, x: { s: Structure; rows: number; eRows: number; fRows: number; sRows: number; params: SolverParameters },
  scaling: RowScaling, withJ: boolean, ws: ElectrostaticsWorkspace = new ElectrostaticsWorkspace(), hardnessColumns = false): { h: Float64Array; J: Float64Array | null } {
  const s = x.s, n = s.species.length, d = model.descriptor.width;
  const useF = x.fRows > 0, useS = x.sRows > 0, grad = useF || useS;
  const f = model.forward(s, grad || withJ);
  // sr+q: q = P g, ∂E/∂g = Pφ; sr+qeq: q = QEq(χ = g), ∂E/∂χ = q (stationarity)
  const qeq = model instanceof QeqModel ? model : null;
  const hard = qeq ? Float64Array.from(f.groups.speciesOf, (t) => qeq.hardness[t]) : null;
  let q: Float64Array, u: Float64Array, eTot: number, forcesQ: Float64Array | undefined, stressQ: Float64Array | undefined;
  if (qeq && hard) {
    const r = solveQeq(s, model.esKernel, x.params, { chi: f.g, hardness: hard, totalCharge: totalChargeOf(s, model.totalChargeKeys), ...qeq.fragmentsFor(f.fragments), forces: true, stress: useS }, ws);
    q = r.charges; u = q; eTot = r.energyEv; forcesQ = r.forcesEvPerA; stressQ = r.stressEvPerA3;
  } else {
    const es = computeElectrostatics(s, f.q, model.esKernel, x.params, { forces: true, stress: useS, potentials: true, workspace: ws });
    q = f.q; u = projectFragments(es.potentials!.slice(), f.fragments); eTot = es.energyEv; forcesQ = es.forcesEvPerA; stressQ = es.stressEvPerA3;
  }
  const h = new Float64Array(x.rows);
  const V = useS ? cellVolume(s.cell) : 1;
  if (x.eRows) h[0] = (scaling.energy * eTot) / n;
  if (grad) {
    const up = new Float64Array(n * d);
    const gg = f.dGdX!;
    for (let i = 0; i < n; i++) for (let k = i * d; k < (i + 1) * d; k++) up[k] = u[i] * gg[k];
    const back = backwardOf(model.descriptor, s, f.ctx, f.saved, up);
    if (useF) for (let k = 0; k < 3 * n; k++) h[x.eRows + k] = scaling.forces * (forcesQ![k] - back.positions[k]);
    if (useS) {
      const st = stressQ!;
      VOIGT.forEach(([a, b], r) => {
        h[x.eRows + x.fRows + r] = scaling.stress * 0.5 * (st[3 * a + b] + st[3 * b + a] + (back.strain[3 * a + b] + back.strain[3 * b + a]) / V);
      });
    }
  }
  if (!withJ) return { h, J: null };

  const pq = refsQ.nColumns;
  const nh = hardnessColumns && qeq ? refsQ.species.length : 0;
  const p = pq + nh;
  const J = new Float64Array(x.rows * p);
  const kernel = model.kernel;
  // δg per column (N × p, column-major by column) and the per-reference kernel gradients
  const groups = f.groups;
  const dg = new Float64Array(p * n);
  // hardness columns: the pseudo-χ 1_t ⊙ q whose QEq response is δq per unit δJ_t
  for (let t = 0; t < nh; t++) for (const i of groups.atoms[t]) dg[(pq + t) * n + i] = q[i];
  const prepared: { a: ReturnType<typeof kernel.prepare>; kmat: Float64Array }[] = [];
  for (let t = 0; t < refsQ.species.length; t++) {
    const atoms = groups.atoms[t], nt = atoms.length, mt = refsQ.counts[t], off = refsQ.offsets[t];
    for (const i of atoms) dg[refsQ.energyColumn(t) * n + i] = 1;
    if (nt === 0 || mt === 0) { prepared.push({ a: kernel.prepare(new Float64Array(0), 0, d), kmat: new Float64Array(0) }); continue; }
    const a = kernel.prepare(gatherRows(f.features, d, atoms), nt, d);
    const kmat = kernel.matrix(a, refsQ.prepared[t]);
    for (let i = 0; i < nt; i++) for (let b = 0; b < mt; b++) dg[(off + b) * n + atoms[i]] = kmat[i * mt + b];
    prepared.push({ a, kmat });
  }
  const budget = 64 * 2 ** 20;
  const chunk = Math.max(1, Math.min(p, Math.floor(budget / (8 * Math.max(1, n * d)))));
  const dq = new Float64Array(n);
  const zeroCharges = { ...f.fragments, charge: new Float64Array(f.fragments.charge.length) }; // δq keeps every fragment's total
  const dPos = new Float64Array(chunk * 3 * n), dStr = new Float64Array(chunk * 9);
  for (let j0 = 0; j0 < p; j0 += chunk) {
    const j1 = Math.min(p, j0 + chunk), cnt = j1 - j0;
    const up = grad ? new Float64Array(cnt * n * d) : null;
    for (let j = j0; j < j1; j++) {
      const c = j - j0;
      const col = dg.subarray(j * n, (j + 1) * n);
      if (qeq && hard) dq.set(solveQeq(s, model.esKernel, x.params, { chi: col, hardness: hard, totalCharge: 0, ...qeq.fragmentsFor(zeroCharges), forces: false, stress: false }, ws).charges);
      else {
        dq.set(col);
        projectFragments(dq, f.fragments);
      }
      let dE = 0;
      for (let i = 0; i < n; i++) dE += u[i] * col[i];
      if (j >= pq) dE *= 0.5; // ½ Σ_{i∈t} q_i² (col = 1_t ⊙ q, u = q)
      if (x.eRows) J[j] = (scaling.energy * dE) / n;
      if (!grad) continue;
      const r = electrostaticSum(s, model.esKernel, x.params, { channels: 1, sources: dq, probes: q, potentials: true, strain: useS }, ws);
      dPos.set(r.dPositions!, c * 3 * n);
      if (useS) dStr.set(r.dStrain!, c * 9);
      const dphi = r.potentials!;
      if (!qeq) projectFragments(dphi, f.fragments);
      const gg = f.dGdX!;
      const base = c * n * d;
      for (let i = 0; i < n; i++) {
        const w = qeq ? dq[i] : dphi[i];
        for (let k = 0; k < d; k++) up![base + i * d + k] = w * gg[i * d + k];
      }
    }
    if (!grad || !up) continue;
    // + (φ_i − φ̄) ∂K(X_i, X_b)/∂X_i for the reference columns in this chunk
    for (let t = 0; t < refsQ.species.length; t++) {
      const atoms = groups.atoms[t], mt = refsQ.counts[t], off = refsQ.offsets[t];
      if (atoms.length === 0 || mt === 0) continue;
      const b0 = Math.max(0, j0 - off), b1 = Math.min(mt, j1 - off);
      if (b1 <= b0) continue;
      const tmp = new Float64Array((b1 - b0) * n * d);
      kernel.gradientPerReference(prepared[t].a, refsQ.prepared[t], b0, b1, prepared[t].kmat, tmp, { index: atoms, stride: n });
      for (let b = b0; b < b1; b++) {
        const c = off + b - j0;
        for (const i of atoms) {
          const src = (b - b0) * n * d + i * d, dst = c * n * d + i * d;
          for (let k = 0; k < d; k++) up[dst + k] += u[i] * tmp[src + k];
        }
      }
    }
    const back = backwardManyOf(model.descriptor, s, f.ctx, f.saved, up, cnt);
    for (let c = 0; c < cnt; c++) {
      const j = j0 + c;
      if (useF) for (let k = 0; k < 3 * n; k++) J[(x.eRows + k) * p + j] = -scaling.forces * (dPos[c * 3 * n + k] + back.positions[c * 3 * n + k]);
      if (useS) VOIGT.forEach(([a, b], r) => {
        const sa = dStr[c * 9 + 3 * a + b] + dStr[c * 9 + 3 * b + a] + back.strain[c * 9 + 3 * a + b] + back.strain[c * 9 + 3 * b + a];
        J[(x.eRows + x.fRows + r) * p + j] = (scaling.stress * 0.5 * sa) / V;
      });
    }
  }
  // ∂/∂ln J_t = J_t ∂/∂J_t
  for (let t = 0; t < nh; t++) {
    const jt = qeq!.hardness[t];
    for (let r = 0; r < x.rows; r++) J[r * p + pq + t] *= jt;
  }
  return { h, J };
}
