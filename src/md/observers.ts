/**
 * Observers: how frames and thermodynamic data leave `md`. An observer is a callback on the state; `every(k, f)`
 * calls f on steps divisible by k. `md` cannot import `io`, so `frameObserver` takes a writer function
 * (the api layer passes an extended-XYZ appender). `runMd` is an optional convenience loop with progress
 * reporting; callers may equally write their own loop over `integrator.step`.
 */
import { EV_PER_A3_IN_GPA, FarfieldError, noProgress, type ProgressCallback, type Structure } from '../core/index.js';
import type { Integrator } from './integrators.js';
import { conservedEnergyEv, kineticEnergyEv, pressureEvPerA3, stateToStructure, temperatureK, type MdState } from './state.js';

export type Observer = (state: MdState) => void;

/** Call `fn` when state.step is a multiple of k (k ≥ 1). */
export function every(k: number, fn: Observer): Observer {
  if (!Number.isInteger(k) || k < 1) throw new FarfieldError('INVALID_INPUT', `md observer interval must be an integer ≥ 1, got ${k}`);
  return (st) => {
    if (st.step % k === 0) fn(st);
  };
}

/** Passes a Structure snapshot (energy/forces/stress labels; info md_step, time_fs, temperature_K) to `write`. */
export function frameObserver(write: (frame: Structure) => void, options: { every?: number; velocities?: boolean } = {}): Observer {
  return every(options.every ?? 1, (st) => write(stateToStructure(st, { velocities: options.velocities ?? false })));
}

export interface ThermoRecord {
  step: number;
  timeFs: number;
  temperatureK: number;
  potentialEv: number;
  kineticEv: number;
  /** K + U − heat, eV. */
  conservedEv: number;
  /** Including the kinetic part, when the stress is known. */
  pressureGpa?: number;
  volumeA3?: number;
}

export function thermoRecord(st: MdState): ThermoRecord {
  const rec: ThermoRecord = {
    step: st.step,
    timeFs: st.timeFs,
    temperatureK: temperatureK(st),
    potentialEv: st.potentialEnergyEv,
    kineticEv: kineticEnergyEv(st.masses, st.velocities),
    conservedEv: conservedEnergyEv(st),
  };
  if (st.stressEvPerA3) rec.pressureGpa = pressureEvPerA3(st) * EV_PER_A3_IN_GPA;
  return rec;
}

/** Passes a ThermoRecord to `log` every k steps. */
export function thermoObserver(log: (r: ThermoRecord) => void, options: { every?: number } = {}): Observer {
  return every(options.every ?? 1, (st) => log(thermoRecord(st)));
}

export interface RunOptions {
  observers?: Observer[];
  progress?: ProgressCallback;
  /** Checked before every step; return true to stop early (e.g. on a user's cancel). */
  shouldStop?: () => boolean;
}

/**
 * Take `steps` steps. Observers see the initial state (when state.step is 0) and the state after every step.
 * Returns the state (the same object).
 */
export function runMd(integrator: Integrator, state: MdState, steps: number, options: RunOptions = {}): MdState {
  if (!Number.isInteger(steps) || steps < 0) throw new FarfieldError('INVALID_INPUT', `md: number of steps must be an integer ≥ 0, got ${steps}`);
  const observers = options.observers ?? [];
  const progress = options.progress ?? noProgress;
  if (state.step === 0) for (const o of observers) o(state);
  const every = Math.max(1, Math.floor(steps / 100));
  for (let k = 0; k < steps; k++) {
    if (options.shouldStop?.()) break;
    integrator.step(state);
    for (const o of observers) o(state);
    if ((k + 1) % every === 0 || k + 1 === steps) progress({ phase: 'md', done: k + 1, total: steps });
  }
  return state;
}
