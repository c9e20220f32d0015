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
 */
import { FarfieldError } from '../core/index.js';
import type { BerendsenBarostatConfig } from './operators.js';

export interface RampConfig {
  /** Steps over which the targets move from their start to their end values (then held), ≥ 1. */
  steps: number;
  /** Thermostat target at the end of the ramp, K (absent: the temperature is not ramped). */
  temperatureEndK?: number;
  /** Barostat target at the end of the ramp, GPa (absent: the pressure is not ramped; needs a barostat). */
  pressureEndGpa?: number;
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
}
