/**
 * Molecular-dynamics state and the observables computed from it.
 *
 * Units: positions Å (as given, not wrapped), velocities Å/fs, masses amu, forces eV/Å, energies eV, time fs,
 * temperature K. With m in amu, m·AMU_EV_FS2_PER_A2 is in eV·fs²/Å², so a = F / (m·AMU_EV_FS2_PER_A2) is in Å/fs²
 * and K = ½ Σ m v² · AMU_EV_FS2_PER_A2 is in eV.
 *
 * The state is plain data, updated in place by an integrator's `step`; the caller owns the loop.
 */
import {
  AMU_EV_FS2_PER_A2, BOLTZMANN_EV_PER_K, EV_PER_A3_IN_GPA, FarfieldError, atomicMassAmu, cellVolume, type Rng, type Structure,
} from '../core/index.js';
import type { PreparedConstraints } from './constraints.js';

export interface MdState {
  /** The structure being simulated (species, symbols, pbc, info); positions and cell below are the current ones. */
  readonly template: Structure;
  /** Positions, Å, 3N atom-major (unwrapped: atoms are never wrapped back into the cell). */
  positions: Float64Array;
  /** Velocities, Å/fs, 3N. */
  velocities: Float64Array;
  /** Masses, amu, N. */
  masses: Float64Array;
  /** Forces at the current positions, eV/Å, 3N, as the calculator returned them (fixed coordinates are applied to the
   *  velocities by the integrator, so frames keep the calculator's forces as labels). */
  forces: Float64Array;
  /** Cell rows, Å (changed only by a barostat). */
  cell: Float64Array;
  /** Potential energy at the current positions, eV. */
  potentialEnergyEv: number;
  /** Potential (virial) stress at the current positions, eV/Å³, when the integrator asked for it. */
  stressEvPerA3?: Float64Array;
  /** Steps taken. */
  step: number;
  /** Simulated time, fs. */
  timeFs: number;
  /**
   * Energy put into the system by thermostat (and barostat) operators so far, eV (Σ ΔK of every stochastic or
   * rescaling operator). The conserved quantity is K + U − heatEv.
   */
  heatEv: number;
  /**
   * Degrees of freedom for the temperature: 3N − 3 when total momentum is conserved, 3N otherwise; with fixed
   * coordinates 3N − (fixed flags) − (conserved momentum components), see constraints.ts.
   */
  degreesOfFreedom: number;
  /** Fixed coordinates (selective dynamics, move_mask), if any; velocities always lie in the allowed subspace. */
  constraints?: PreparedConstraints;
  /** Random stream of the run (velocity initialisation and thermostat noise). */
  rng: Rng;
}

/** Masses (amu) from the structure's symbols, or a validated override (length N, positive, finite). */
export function massesOf(s: Structure, override?: ArrayLike<number>): Float64Array {
  const n = s.species.length;
  if (override) {
    if (override.length !== n) throw new FarfieldError('INVALID_INPUT', `md: ${override.length} masses given for ${n} atoms`);
    const m = Float64Array.from(override);
    m.forEach((x, i) => {
      if (!(x > 0) || !Number.isFinite(x)) throw new FarfieldError('INVALID_INPUT', `md: mass of atom ${i} must be positive and finite, got ${x}`);
    });
    return m;
  }
  const bySpecies = s.symbols.map((sym) => {
    try {
      return atomicMassAmu(sym);
    } catch {
      throw new FarfieldError('INVALID_INPUT', `md: no standard atomic mass for element '${sym}'; pass masses explicitly`);
    }
  });
  return Float64Array.from(s.species, (k) => bySpecies[k]);
}

/** K = ½ Σ m v² (eV). */
export function kineticEnergyEv(masses: Float64Array, velocities: Float64Array): number {
  let k = 0;
  for (let i = 0; i < masses.length; i++) {
    const vx = velocities[3 * i], vy = velocities[3 * i + 1], vz = velocities[3 * i + 2];
    k += masses[i] * (vx * vx + vy * vy + vz * vz);
  }
  return 0.5 * k * AMU_EV_FS2_PER_A2;
}

/** Instantaneous temperature T = 2K / (N_f k_B), K. */
export function temperatureK(state: MdState): number {
  return (2 * kineticEnergyEv(state.masses, state.velocities)) / (state.degreesOfFreedom * BOLTZMANN_EV_PER_K);
}

/** K + U − heat: constant up to integration error for every integrator here (eV). */
export function conservedEnergyEv(state: MdState): number {
  return kineticEnergyEv(state.masses, state.velocities) + state.potentialEnergyEv - state.heatEv;
}

/** Total momentum Σ m v, amu·Å/fs (3-vector). */
export function totalMomentum(masses: Float64Array, velocities: Float64Array): Float64Array {
  const p = new Float64Array(3);
  for (let i = 0; i < masses.length; i++) for (let d = 0; d < 3; d++) p[d] += masses[i] * velocities[3 * i + d];
  return p;
}

/** Subtract the centre-of-mass velocity in place, so that Σ m v = 0. */
export function removeCentreOfMassVelocity(masses: Float64Array, velocities: Float64Array): void {
  const p = totalMomentum(masses, velocities);
  let M = 0;
  for (let i = 0; i < masses.length; i++) M += masses[i];
  for (let i = 0; i < masses.length; i++) for (let d = 0; d < 3; d++) velocities[3 * i + d] -= p[d] / M;
}

/**
 * Independent Maxwell–Boltzmann draws v_ia = √(k_B T / m_i) ξ_ia (ξ standard normal, from `rng`, atoms in order), Å/fs,
 * with nothing removed: the common first step of `maxwellBoltzmannVelocities` and of the constrained variant
 * (md/constraints.ts), so both consume the random stream identically.
 */
export function rawMaxwellBoltzmann(masses: Float64Array, temperatureK: number, rng: Rng): Float64Array {
  if (!(temperatureK >= 0) || !Number.isFinite(temperatureK))
    throw new FarfieldError('INVALID_INPUT', `md: temperature must be ≥ 0 K and finite, got ${temperatureK}`);
  const n = masses.length;
  const v = new Float64Array(3 * n);
  const kT = BOLTZMANN_EV_PER_K * temperatureK;
  for (let i = 0; i < n; i++) {
    const s = Math.sqrt(kT / (masses[i] * AMU_EV_FS2_PER_A2));
    for (let d = 0; d < 3; d++) v[3 * i + d] = s * rng.normal();
  }
  return v;
}

/**
 * Maxwell–Boltzmann velocities at `temperatureK`: v_ia = √(k_B T / m_i) ξ_ia (ξ standard normal, from `rng`), then the
 * centre-of-mass velocity is removed (so ⟨K⟩ = (3N − 3) k_B T / 2). With `exact`, rescaled so that
 * 2K/((3N − 3) k_B) = T exactly. Returns a new Float64Array(3N), Å/fs.
 */
export function maxwellBoltzmannVelocities(masses: Float64Array, temperatureK: number, rng: Rng, exact = false): Float64Array {
  const v = rawMaxwellBoltzmann(masses, temperatureK, rng);
  const n = masses.length;
  const kT = BOLTZMANN_EV_PER_K * temperatureK;
  if (n > 1) removeCentreOfMassVelocity(masses, v);
  if (exact && n > 1 && temperatureK > 0) {
    const K = kineticEnergyEv(masses, v);
    const scale = Math.sqrt((0.5 * (3 * n - 3) * kT) / K);
    for (let k = 0; k < 3 * n; k++) v[k] *= scale;
  }
  return v;
}

/** Pressure including the kinetic part, P = 2K/(3V) − tr(σ)/3, eV/Å³ (needs the stress and a 3-D cell). */
export function pressureEvPerA3(state: MdState): number {
  if (!state.stressEvPerA3) throw new FarfieldError('INVALID_INPUT', 'md: pressure needs the stress; the integrator did not compute it');
  const V = cellVolume(state.cell);
  const s = state.stressEvPerA3;
  return (2 * kineticEnergyEv(state.masses, state.velocities)) / (3 * V) - (s[0] + s[4] + s[8]) / 3;
}

/** Pressure in GPa. */
export function pressureGpa(state: MdState): number {
  return pressureEvPerA3(state) * EV_PER_A3_IN_GPA;
}

/** A Structure snapshot of the state (copies), with energy, forces and stress as labels. */
export function stateToStructure(state: MdState, options: { velocities?: boolean } = {}): Structure {
  const t = state.template;
  const info = { ...t.info, md_step: state.step, time_fs: state.timeFs, temperature_K: temperatureK(state), conserved_energy_eV: conservedEnergyEv(state) };
  const arrays = { ...t.arrays };
  if (options.velocities) arrays.velocities = { type: 'R', width: 3, data: state.velocities.slice() };
  return {
    cell: state.cell.slice(),
    pbc: [...t.pbc],
    positions: state.positions.slice(),
    species: t.species,
    symbols: t.symbols,
    info,
    arrays,
    labels: {
      energyEv: state.potentialEnergyEv,
      forcesEvPerA: state.forces.slice(),
      ...(state.stressEvPerA3 ? { stressEvPerA3: state.stressEvPerA3.slice() } : {}),
    },
  };
}
