/**
 * Linear ramps of the thermostat temperature and the barostat pressure over a run (`md`/`learn --temperature A:B`,
 * `--pressure A:B`): heating, cooling, compression — non-stationary runs whose state point moves.
 *
 * The step that takes the state from step n − 1 to step n (n = 1, 2, …) uses the targets
 *   T(n) = T₀ + (T₁ − T₀) · min(n, S)/S,   P(n) = P₀ + (P₁ − P₀) · min(n, S)/S,
 * with S = `steps` (the run length): the first step already moves by 1/S, the last step of the ramp is at T₁/P₁
 * exactly, and a run longer than S holds the end values. The targets depend on the step counter only (part of every
 * MD state and checkpoint), so a resumed run follows the same ramp. T₀ is the integrator's `temperatureK` (also the
 * Maxwell–Boltzmann temperature of the start), P₀ the barostat's `pressureGpa`.
 *
 * A prescribed density ramp (`--density A:B`, g/cm³; NVT, no barostat): after the drift of the step that produces
 * step n, cell and Cartesian positions are scaled isotropically (fractional coordinates and velocities unchanged) by
 *   μ = (V / V(n))^{1/3},   V(n) = M / ρ(n),   ρ(n) = ρ₀ + (ρ₁ − ρ₀) · min(n, S)/S,
 * M = Σ mᵢ (amu → g: AMU_G; Å³ → cm³: 1e-24), so the cell volume after step n is V(n) whatever it was before — the
 * density is absolute, and a resumed run (its cell is in the checkpoint) lands on the same line. `init` scales the
 * start structure to ρ₀ (the learn loop scales it before its first reference call). The scaling does work
 * on the system (the potential energy changes at fixed velocities), so K + U − heat is conserved only while the
 * density is held (after the ramp): the thermostat carries that work away, hence NVT only.
 */
import { AMU_G, cellVolume, FarfieldError } from '../core/index.js';
import type { BerendsenBarostatConfig } from './operators.js';

export interface RampConfig {
  /** Steps over which the targets move from their start to their end values (then held), ≥ 1. */
  steps: number;
  /** Thermostat target at the end of the ramp, K (absent: the temperature is not ramped). */
  temperatureEndK?: number;
  /** Barostat target at the end of the ramp, GPa (absent: the pressure is not ramped; needs a barostat). */
  pressureEndGpa?: number;
  /** Prescribed density at the start of the ramp, g/cm³ (with densityEndGcm3; NVT only). */
  densityStartGcm3?: number;
  /** Prescribed density at the end of the ramp, g/cm³. */
  densityEndGcm3?: number;
}

/** Fraction of the ramp reached by the step that produces step `n` (min(n, S)/S; 0 before the first step). */
export function rampFraction(r: RampConfig, n: number): number {
  return Math.min(Math.max(n, 0), r.steps) / r.steps;
}

/** Thermostat target of the step that produces step `n`. */
export function rampTemperatureK(startK: number, r: RampConfig | undefined, n: number): number {
  if (!r || r.temperatureEndK === undefined) return startK;
  return startK + (r.temperatureEndK - startK) * rampFraction(r, n);
}

/** Barostat of the step that produces step `n` (the same object when the pressure is not ramped). */
export function rampBarostat(b: BerendsenBarostatConfig, r: RampConfig | undefined, n: number): BerendsenBarostatConfig {
  if (!r || r.pressureEndGpa === undefined) return b;
  return { ...b, pressureGpa: b.pressureGpa + (r.pressureEndGpa - b.pressureGpa) * rampFraction(r, n) };
}

/** Mass density, g/cm³, of total mass `massAmu` in a cell of volume `volumeA3`. */
export function densityGcm3(massAmu: number, volumeA3: number): number {
  return (massAmu * AMU_G) / (volumeA3 * 1e-24);
}

/** Prescribed density of step `n`, g/cm³ (undefined without a density ramp). */
export function rampDensityGcm3(r: RampConfig | undefined, n: number): number | undefined {
  if (!r || r.densityStartGcm3 === undefined || r.densityEndGcm3 === undefined) return undefined;
  return r.densityStartGcm3 + (r.densityEndGcm3 - r.densityStartGcm3) * rampFraction(r, n);
}

/**
 * Scale cell (9, row vectors) and positions (3N, Å) isotropically, in place, to the density `rhoGcm3` of total mass
 * `massAmu`; returns the linear factor μ.
 */
export function scaleToDensity(cell: Float64Array, positions: Float64Array, massAmu: number, rhoGcm3: number): number {
  const targetV = (massAmu * AMU_G) / (rhoGcm3 * 1e-24);
  const mu = Math.cbrt(targetV / cellVolume(cell));
  for (let k = 0; k < positions.length; k++) positions[k] *= mu;
  for (let k = 0; k < 9; k++) cell[k] *= mu;
  return mu;
}

/** The density-ramp part of the step that produces step `n` (no-op without a density ramp). */
export function applyDensityRamp(st: { cell: Float64Array; positions: Float64Array; masses: Float64Array }, r: RampConfig | undefined, n: number): void {
  const rho = rampDensityGcm3(r, n);
  if (rho === undefined) return;
  let m = 0;
  for (let i = 0; i < st.masses.length; i++) m += st.masses[i];
  scaleToDensity(st.cell, st.positions, m, rho);
}

/** A copy of `s` scaled isotropically to the start density of ramp `r` (the same object without a density ramp). */
export function structureAtRampStart<S extends { cell: Float64Array; positions: Float64Array }>(s: S, massAmu: number, r: RampConfig | undefined): S {
  const rho = rampDensityGcm3(r, 0);
  if (rho === undefined) return s;
  const out = { ...s, cell: s.cell.slice(), positions: s.positions.slice() };
  scaleToDensity(out.cell, out.positions, massAmu, rho);
  return out;
}

/** Check a ramp against its integrator (thermostat for a temperature ramp, barostat for a pressure ramp). */
export function checkRamp(r: RampConfig, thermostatted: boolean, hasBarostat: boolean): void {
  if (!Number.isInteger(r.steps) || r.steps < 1) throw new FarfieldError('INVALID_INPUT', `md: ramp.steps must be an integer ≥ 1, got ${r.steps}`);
  if (r.temperatureEndK !== undefined) {
    if (!(r.temperatureEndK >= 0) || !Number.isFinite(r.temperatureEndK))
      throw new FarfieldError('INVALID_INPUT', `md: the end temperature of a ramp must be ≥ 0 K, got ${r.temperatureEndK}`);
    if (!thermostatted) throw new FarfieldError('INVALID_INPUT', 'md: a temperature ramp needs a thermostat (bussi or langevin), not NVE');
  }
  if (r.pressureEndGpa !== undefined) {
    if (!Number.isFinite(r.pressureEndGpa)) throw new FarfieldError('INVALID_INPUT', `md: the end pressure of a ramp must be finite, got ${r.pressureEndGpa}`);
    if (!hasBarostat) throw new FarfieldError('INVALID_INPUT', 'md: a pressure ramp needs the barostat (--pressure A:B)');
  }
  checkDensityRamp(r.densityStartGcm3, r.densityEndGcm3, thermostatted, hasBarostat, 'md');
}

/** Check a prescribed density ramp A:B (g/cm³): both finite and > 0, a thermostat, no barostat. */
export function checkDensityRamp(a: number | undefined, b: number | undefined, thermostatted: boolean, hasBarostat: boolean, who: string): void {
  if (a === undefined && b === undefined) return;
  if (a === undefined || b === undefined || !(a > 0) || !(b > 0) || !Number.isFinite(a) || !Number.isFinite(b))
    throw new FarfieldError('INVALID_INPUT', `${who}: --density expects a ramp A:B of two densities > 0 g/cm³, got ${a}:${b} (e.g. --density 1.4725:1.6275)`);
  if (hasBarostat) throw new FarfieldError('INVALID_INPUT', `${who}: --density prescribes the volume; it cannot be combined with the barostat (--pressure); drop --pressure (NVT along a prescribed volume)`);
  if (!thermostatted) throw new FarfieldError('INVALID_INPUT', `${who}: a density ramp does work on the system; it needs a thermostat (bussi or langevin), not NVE`);
}
