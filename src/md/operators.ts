/**
 * The operators integrators are composed of (jax-md's momentum/position steps, LAMMPS-style in-place updates):
 * kick (B), drift (A), force evaluation, Langevin friction + noise (O), Bussi velocity rescaling, and Berendsen
 * isotropic volume scaling. Each acts in place on an MdState; thermostat operators add the kinetic energy they
 * change to `state.heatEv` so that K + U − heat stays constant.
 */
import {
  AMU_EV_FS2_PER_A2, BOLTZMANN_EV_PER_K, EV_PER_A3_IN_GPA, FarfieldError, type Calculator, type Rng, type Structure,
} from '../core/index.js';
import { projectOntoAllowed } from './constraints.js';
import { MdBlowUpError } from './guard.js';
import { kineticEnergyEv, pressureEvPerA3, type MdState } from './state.js';

/** B: v ← v + dt · F / m (then projected onto the allowed subspace when coordinates are fixed: v ← P(v + dt·F/m)). */
export function kick(state: MdState, dtFs: number): void {
  const { velocities: v, forces: f, masses: m } = state;
  for (let i = 0; i < m.length; i++) {
    const c = dtFs / (m[i] * AMU_EV_FS2_PER_A2);
    v[3 * i] += c * f[3 * i];
    v[3 * i + 1] += c * f[3 * i + 1];
    v[3 * i + 2] += c * f[3 * i + 2];
  }
  if (state.constraints) projectOntoAllowed(state.constraints, v);
}

/** A: r ← r + dt · v. */
export function drift(state: MdState, dtFs: number): void {
  const { positions: r, velocities: v } = state;
  for (let k = 0; k < r.length; k++) r[k] += dtFs * v[k];
}

/**
 * A non-finite energy or force: at the initial structure a FarfieldError (bad input or calculator), inside a step an
 * MdBlowUpError naming the step (state.step counts completed steps, so the evaluation belongs to step + 1; `init`
 * leaves the potential energy NaN until its first evaluation).
 */
function nonFinite(state: MdState, quantity: 'energy' | 'forces', what: string): never {
  if (Number.isNaN(state.potentialEnergyEv))
    throw new FarfieldError('NUMERIC', `md: ${what} at the initial structure; check the calculator and the starting structure`);
  const step = state.step + 1;
  throw new MdBlowUpError(step, quantity, NaN, 0, `md blew up at step ${step}: ${what}; the integration is unstable: reduce the time step or check the calculator and the starting structure`);
}

/** Forces, energy (and stress) at the current positions and cell; refuses non-finite results. */
export function evaluate(state: MdState, calc: Calculator, wantStress: boolean): void {
  const s: Structure = { ...state.template, positions: state.positions, cell: state.cell, labels: {} };
  const r = calc.calculate(s, { forces: true, stress: wantStress });
  if (!r.forcesEvPerA || r.forcesEvPerA.length !== state.forces.length)
    throw new FarfieldError('INVALID_INPUT', `md: calculator '${calc.name}' returned no forces (or the wrong number) — MD needs forces`);
  if (!Number.isFinite(r.energyEv))
    nonFinite(state, 'energy', `calculator '${calc.name}' returned a non-finite energy (${r.energyEv})`);
  for (let k = 0; k < r.forcesEvPerA.length; k++)
    if (!Number.isFinite(r.forcesEvPerA[k]))
      nonFinite(state, 'forces', `non-finite force on atom ${Math.floor(k / 3)} (${r.forcesEvPerA[k]})`);
  state.forces.set(r.forcesEvPerA);
  state.potentialEnergyEv = r.energyEv;
  if (wantStress) {
    if (!r.stressEvPerA3) throw new FarfieldError('INVALID_INPUT', `md: calculator '${calc.name}' returned no stress, which the barostat needs`);
    state.stressEvPerA3 = r.stressEvPerA3.slice();
  }
}

/**
 * O: Langevin friction and noise over dt (exact Ornstein–Uhlenbeck update),
 * v ← c v + √((1 − c²) k_B T / m) ξ, c = exp(−γ dt). The kinetic-energy change is added to `heatEv`.
 */
export function langevinO(state: MdState, dtFs: number, frictionPerFs: number, temperatureK: number): void {
  const { velocities: v, masses: m, rng } = state;
  const c = Math.exp(-frictionPerFs * dtFs);
  const kT = BOLTZMANN_EV_PER_K * temperatureK;
  const before = kineticEnergyEv(m, v);
  for (let i = 0; i < m.length; i++) {
    const s = Math.sqrt(((1 - c * c) * kT) / (m[i] * AMU_EV_FS2_PER_A2));
    for (let d = 0; d < 3; d++) v[3 * i + d] = c * v[3 * i + d] + s * rng.normal();
  }
  // fixed coordinates: the orthogonal projection of isotropic noise is isotropic noise in the allowed subspace
  if (state.constraints) projectOntoAllowed(state.constraints, v);
  state.heatEv += kineticEnergyEv(m, v) - before;
}

/** Gamma(shape, 1) deviate for shape ≥ 1 (Marsaglia & Tsang, ACM TOMS 26, 363 (2000)), exact rejection method. */
export function gammaDeviate(shape: number, rng: Rng): number {
  const d = shape - 1 / 3, c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = rng.normal();
    let v = 1 + c * x;
    if (v <= 0) continue;
    v = v * v * v;
    const u = rng.uniform();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Σ_{i=1}^{n} ξ_i² for standard normal ξ_i (a χ²_n deviate): summed directly for n ≤ 32, else 2·Gamma(n/2). */
export function sumOfSquaredGaussians(n: number, rng: Rng): number {
  if (n <= 32) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.normal();
      s += x * x;
    }
    return s;
  }
  if (n % 2 === 0) return 2 * gammaDeviate(n / 2, rng);
  const x = rng.normal();
  return 2 * gammaDeviate((n - 1) / 2, rng) + x * x;
}

/**
 * The new kinetic energy of the canonical-sampling velocity-rescaling thermostat (Bussi, Donadio & Parrinello,
 * J. Chem. Phys. 126, 014101 (2007), eq. (A7)), an exact solution of its stochastic differential equation over dt:
 *   K' = c K + (1 − c) K̄ (R₁² + Σ_{i=2}^{N_f} R_i²) / N_f + 2 R₁ √(c (1 − c) K K̄ / N_f),
 * c = exp(−dt/τ), K̄ = N_f k_B T / 2, R_i standard normal. (K' ≥ 0: it is a sum of squares.)
 */
export function bussiKineticEnergy(K: number, targetKEv: number, nf: number, c: number, rng: Rng): number {
  const r1 = rng.normal();
  const rest = sumOfSquaredGaussians(nf - 1, rng);
  return c * K + ((1 - c) * targetKEv * (r1 * r1 + rest)) / nf + 2 * r1 * Math.sqrt((c * (1 - c) * K * targetKEv) / nf);
}

/**
 * Bussi velocity rescaling over dt: v ← α v with α = √(K'/K), K' from `bussiKineticEnergy`. K' − K is added to
 * `heatEv`. Scaling all velocities by one factor keeps the total momentum (zero stays zero). With K = 0 there is no
 * direction to scale: the operator does nothing (start from non-zero velocities).
 */
export function bussiRescale(state: MdState, dtFs: number, tauFs: number, temperatureK: number): void {
  const K = kineticEnergyEv(state.masses, state.velocities);
  if (!(K > 0)) return;
  const nf = state.degreesOfFreedom;
  const Kt = 0.5 * nf * BOLTZMANN_EV_PER_K * temperatureK;
  const K2 = bussiKineticEnergy(K, Kt, nf, Math.exp(-dtFs / tauFs), state.rng);
  const alpha = Math.sqrt(K2 / K);
  const v = state.velocities;
  for (let k = 0; k < v.length; k++) v[k] *= alpha;
  state.heatEv += K2 - K;
}

export interface BerendsenBarostatConfig {
  /** Target pressure, GPa. */
  pressureGpa: number;
  /** Relaxation time τ_P, fs. */
  tauFs: number;
  /** Isothermal compressibility β used in the scaling, 1/GPa (only sets the coupling strength). */
  compressibilityPerGpa: number;
}

/**
 * Berendsen isotropic barostat (Berendsen et al., J. Chem. Phys. 81, 3684 (1984)): positions and cell scaled by
 * μ = [1 − β dt (P₀ − P) / τ_P]^{1/3}, P = 2K/(3V) − tr(σ)/3 from the last force evaluation. Relaxes the density
 * towards P₀ but samples no exact ensemble and has no conserved quantity (its work is not added to `heatEv`).
 * The factor is limited to |μ³ − 1| ≤ 0.1 per step; larger requests throw (τ_P too short).
 */
export function berendsenScale(state: MdState, dtFs: number, b: BerendsenBarostatConfig): void {
  const P = pressureEvPerA3(state) * EV_PER_A3_IN_GPA;
  const mu3 = 1 - (b.compressibilityPerGpa * dtFs * (b.pressureGpa - P)) / b.tauFs;
  if (!(Math.abs(mu3 - 1) <= 0.1))
    throw new FarfieldError('NUMERIC', `md step ${state.step}: Berendsen volume factor ${mu3.toFixed(4)} per step (pressure ${P.toFixed(3)} GPa); increase tauFs`);
  const mu = Math.cbrt(mu3);
  for (let k = 0; k < state.positions.length; k++) state.positions[k] *= mu;
  for (let k = 0; k < 9; k++) state.cell[k] *= mu;
}
