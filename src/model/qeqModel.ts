/**
 * QeqModel (`sr+qeq`, charge equilibration with learned electronegativities; 4G-HDNNP of Ko et al., Nat. Commun. 12,
 * 398 (2021), with kernels as in kQEq, Staacke et al., Mach. Learn.: Sci. Technol. 3, 015032 (2022)):
 *
 *   χ_i = c_t + Σ_b v_b K(X_i, X_b)                         (eV/e; the charge part of ChargeModel, read as χ)
 *   q   = argmin_{Σq = Q} Σ χ_i q_i + ½ Σ J_{t(i)} q_i² + E_es(q)        (electrostatics/qeq.ts, CG + PME mat-vecs)
 *   E   = Σ_i ε(X_i) + Σ χ_i q_i + ½ Σ J_i q_i² + E_es(q)
 * Forces and stress from the stationarity of q (no dq/dr): dE/dr = ∂E_es/∂r|_q + backward(U),
 * U_i = ∂ε/∂X_i + q_i ∂χ_i/∂X_i. The charges depend on the whole structure (non-local charge transfer), unlike sr+q.
 * With `fragments` (e.g. the monomers of a dimer) each fragment keeps its own total charge (one multiplier per
 * fragment, the fluctuating-charge model): charge flows within a fragment only, so a neutral molecule polarises in
 * the field of a distant ion (induction energy −½ Fᵀα F ∝ 1/r⁴) without charge transfer between fragments.
 * Fitted by chargeFit.ts (χ weights and, through ln J, the hardness per species, by variable projection).
 */
import { FarfieldError, cellVolume, type CalculateOptions, type CalculationResult, type Structure } from '../core/index.js';
import { ElectrostaticsWorkspace, solveQeq } from '../electrostatics/index.js';
import { backwardOf } from '../descriptors/index.js';
import { ChargeModel, totalChargeOf, type ChargeModelParams, type FragmentCharges } from './chargeModel.js';

export interface QeqModelParams extends ChargeModelParams {
  /** Hardness J per species, eV/e² (in the energy part's species order). */
  hardness: number[];
}

export class QeqModel extends ChargeModel {
  override readonly name: string = 'qeq-model';
  readonly hardness: Float64Array;
  private readonly qeqWorkspace = new ElectrostaticsWorkspace();

  constructor(readonly qeqParams: QeqModelParams) {
    super(qeqParams);
    if (qeqParams.hardness.length !== this.species.length || qeqParams.hardness.some((j) => !(j > 0) || !Number.isFinite(j)))
      throw new FarfieldError('MODEL', `qeq model: need one positive hardness per species [${this.species.join(', ')}], got [${qeqParams.hardness.join(', ')}]`);
    this.hardness = Float64Array.from(qeqParams.hardness);
  }

  /** The per-fragment constraints of QEq when the model has fragments (one Lagrange multiplier per fragment). */
  fragmentsFor(fr: FragmentCharges): { fragments?: FragmentCharges } {
    return this.params.fragments ? { fragments: fr } : {};
  }

  override calculate(structure: Structure, options: CalculateOptions = {}): CalculationResult {
    const n = structure.species.length;
    const periodic = structure.pbc[0] && structure.pbc[1] && structure.pbc[2];
    const wantF = options.forces ?? true;
    const wantS = (options.stress ?? periodic) && periodic;
    const grad = wantF || wantS;
    const f = this.forward(structure, grad);
    const chi = f.g;
    const J = Float64Array.from(f.groups.speciesOf, (t) => this.hardness[t]);
    const params = this.solverParameters(structure, f.q);
    const r = solveQeq(structure, this.esKernel, params, { chi, hardness: J, totalCharge: totalChargeOf(structure, this.totalChargeKeys), ...this.fragmentsFor(f.fragments), forces: grad, stress: wantS }, this.qeqWorkspace);
    const q = r.charges;
    const energies = new Float64Array(n);
    let energy = 0;
    for (let i = 0; i < n; i++) {
      energies[i] = f.epsilon[i] + chi[i] * q[i] + 0.5 * J[i] * q[i] * q[i] + 0.5 * q[i] * r.potentials[i];
      energy += energies[i];
    }
    const result: CalculationResult = { energyEv: energy, energiesEv: energies, charges: q };
    if (grad) {
      const d = this.descriptor.width;
      const up = f.dEpsdX!, gg = f.dGdX!;
      for (let i = 0; i < n; i++) for (let k = i * d; k < (i + 1) * d; k++) up[k] += q[i] * gg[k];
      const back = backwardOf(this.descriptor, structure, f.ctx, f.saved, up);
      if (wantF) result.forcesEvPerA = Float64Array.from(r.forcesEvPerA!, (x, k) => x - back.positions[k]);
      if (wantS) {
        const v = cellVolume(structure.cell);
        result.stressEvPerA3 = Float64Array.from(r.stressEvPerA3!, (x, k) => x + back.strain[k] / v);
      }
    }
    if (options.uncertainty) {
      const u = super.calculate(structure, { forces: false, stress: false, uncertainty: true }).uncertainty;
      if (u) result.uncertainty = u;
    }
    return result;
  }
}
