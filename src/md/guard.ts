/**
 * Blow-up guard: an observer that stops a run whose integration has failed (time step too large for the forces, a
 * calculator far outside its domain) instead of letting it write 10²³ K trajectories. After every step it checks
 *  - non-finite potential energy, positions or velocities (non-finite energies and forces from the calculator are
 *    caught in the force evaluation itself, operators.ts, with the same error type);
 *  - temperature T > temperatureFactor × T_ref, T_ref = max(thermostat target, initial T, temperatureFloorK);
 *  - conserved-energy excursion |E_c − E_c(0)| / N > conservedDriftEvPerAtom, E_c = K + U − heat (MdState.heatEv),
 *    which measures integration error in NVE and with the thermostats alike;
 *  - an atom displaced by more than maxStepDisplacementA in one step (default: min(5 Å, the smallest face width of
 *    the cell over its periodic directions) — crossing a whole period, or an absurd jump without one).
 * Defaults are far outside anything a sound run reaches (a 5 Å jump in one step is ≥ 0.25 Å/fs even at the 20 fs
 * limit, ~50× the thermal speed of Na at 1200 K; 1 eV/atom is ~8 k_B T per atom at 1200 K); each is overridable and
 * 0 (or Infinity) switches a check off. The guard throws `MdBlowUpError` (code NUMERIC) naming the step, the quantity,
 * its value and the threshold; a caller that writes frames closes its file so that the frames written so far stay.
 */
import { FarfieldError, cellWidths } from '../core/index.js';
import type { Integrator } from './integrators.js';
import type { Observer } from './observers.js';
import { conservedEnergyEv, temperatureK, type MdState } from './state.js';

export interface BlowUpLimits {
  /** Stop when T exceeds this multiple of the reference temperature (default 10). */
  temperatureFactor: number;
  /** Lowest reference temperature, K (default 300): a run started at 0 K may warm up without tripping. */
  temperatureFloorK: number;
  /** Stop when |conserved − initial| / N exceeds this, eV/atom (default 1). */
  conservedDriftEvPerAtom: number;
  /** Stop when an atom moves more than this in one step, Å (default min(5 Å, smallest periodic face width)). */
  maxStepDisplacementA: number;
}

/** Defaults (the step-displacement limit depends on the cell: `defaultMaxStepDisplacementA`). */
export const DEFAULT_BLOW_UP_LIMITS = { temperatureFactor: 10, temperatureFloorK: 300, conservedDriftEvPerAtom: 1 } as const;

/** Absolute cap of the default step-displacement limit, Å. */
export const DEFAULT_MAX_STEP_DISPLACEMENT_A = 5;

export type BlowUpQuantity = 'energy' | 'forces' | 'positions' | 'velocities' | 'temperature' | 'conserved-energy drift' | 'step displacement';

/** Thrown by the guard; `step` is the step after which the check failed. */
export class MdBlowUpError extends FarfieldError {
  constructor(
    readonly step: number,
    readonly quantity: BlowUpQuantity,
    readonly value: number,
    readonly limit: number,
    message: string,
  ) {
    super('NUMERIC', message);
  }
}

/** The default step-displacement limit for a structure's cell and pbc. */
export function defaultMaxStepDisplacementA(cell: ArrayLike<number>, pbc: readonly boolean[]): number {
  let lim = DEFAULT_MAX_STEP_DISPLACEMENT_A;
  if (pbc.some((p) => p)) {
    const w = cellWidths(cell);
    for (let d = 0; d < 3; d++) if (pbc[d] && w[d] > 0 && Number.isFinite(w[d])) lim = Math.min(lim, w[d]);
  }
  return lim;
}

function checkLimit(x: number | undefined, name: string): void {
  if (x !== undefined && !(x >= 0)) throw new FarfieldError('INVALID_INPUT', `md guard: ${name} must be ≥ 0 (0 = off), got ${x}`);
}

const on = (x: number) => x > 0 && x < Infinity;

/**
 * The guard for a run of `integrator` from `state` (its current conserved energy and temperature are the reference).
 * Returns an observer; use it before the observers that write frames or logs so a blown-up step is not recorded.
 */
export function blowUpGuard(integrator: Integrator, state: MdState, limits: Partial<BlowUpLimits> = {}): Observer {
  for (const k of ['temperatureFactor', 'temperatureFloorK', 'conservedDriftEvPerAtom', 'maxStepDisplacementA'] as const) checkLimit(limits[k], k);
  const factor = limits.temperatureFactor ?? DEFAULT_BLOW_UP_LIMITS.temperatureFactor;
  const floor = limits.temperatureFloorK ?? DEFAULT_BLOW_UP_LIMITS.temperatureFloorK;
  const maxDrift = limits.conservedDriftEvPerAtom ?? DEFAULT_BLOW_UP_LIMITS.conservedDriftEvPerAtom;
  const maxDisp = limits.maxStepDisplacementA ?? defaultMaxStepDisplacementA(state.cell, state.template.pbc);
  const dt = integrator.config.timestepFs;
  const n = state.masses.length;
  const t0 = temperatureK(state);
  const target = Math.max(integrator.config.temperatureK ?? 0, integrator.config.ramp?.temperatureEndK ?? 0); // a ramp: its hotter end
  const tRef = Math.max(floor, Number.isFinite(t0) ? t0 : 0, target ?? 0);
  const tMax = factor * tRef;
  const e0 = conservedEnergyEv(state);
  const prev = state.positions.slice();
  const hint = `the integration is unstable: reduce the time step (now ${dt} fs) or check the calculator and the starting structure`;
  const fail = (st: MdState, q: BlowUpQuantity, value: number, limit: number, what: string, setting: string): never => {
    throw new MdBlowUpError(st.step, q, value, limit,
      `md blew up at step ${st.step} (t = ${st.timeFs} fs): ${what}; ${hint}${setting ? ` (threshold: ${setting})` : ''}`);
  };
  return (st) => {
    if (st.step === 0) {
      prev.set(st.positions);
      return;
    }
    if (!Number.isFinite(st.potentialEnergyEv)) fail(st, 'energy', st.potentialEnergyEv, 0, `the potential energy is ${st.potentialEnergyEv}`, '');
    const r = st.positions, v = st.velocities;
    let d2max = 0, worst = -1;
    for (let i = 0; i < n; i++) {
      const dx = r[3 * i] - prev[3 * i], dy = r[3 * i + 1] - prev[3 * i + 1], dz = r[3 * i + 2] - prev[3 * i + 2];
      const d2 = dx * dx + dy * dy + dz * dz;
      if (!(d2 <= d2max)) {
        d2max = d2;
        worst = i;
        if (Number.isNaN(d2)) break;
      }
      if (!Number.isFinite(v[3 * i]) || !Number.isFinite(v[3 * i + 1]) || !Number.isFinite(v[3 * i + 2]))
        fail(st, 'velocities', NaN, 0, `the velocity of atom ${i} is not finite`, '');
    }
    if (!Number.isFinite(d2max)) fail(st, 'positions', d2max, 0, `the position of atom ${worst} is not finite`, '');
    prev.set(r);
    const T = temperatureK(st);
    if (on(factor) && T > tMax)
      fail(st, 'temperature', T, tMax, `temperature ${T.toPrecision(4)} K exceeds ${tMax.toPrecision(4)} K`,
        `temperatureFactor ${factor} × reference ${tRef.toPrecision(4)} K; CLI --max-temperature-factor`);
    if (on(maxDrift)) {
      const drift = Math.abs(conservedEnergyEv(st) - e0) / n;
      if (!(drift <= maxDrift))
        fail(st, 'conserved-energy drift', drift, maxDrift, `the conserved energy has drifted by ${drift.toPrecision(4)} eV/atom, more than ${maxDrift} eV/atom`,
          `conservedDriftEvPerAtom ${maxDrift}; CLI --max-drift`);
    }
    if (on(maxDisp) && d2max > maxDisp * maxDisp)
      fail(st, 'step displacement', Math.sqrt(d2max), maxDisp, `atom ${worst} moved ${Math.sqrt(d2max).toPrecision(4)} Å in one step, more than ${maxDisp.toPrecision(4)} Å`,
        `maxStepDisplacementA ${maxDisp.toPrecision(4)}; CLI --max-displacement`);
  };
}
