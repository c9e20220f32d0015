/**
 * The MD step of `farfield learn`, split around its force evaluation: `before` (everything up to the new positions)
 * and `after` (the closing half-kick and thermostat), so that the evaluation in between can be asynchronous — a
 * reference call (CP2K) at the same positions replaces the model's energy, forces and stress. The operator
 * sequences are those of md/integrators.ts exactly (velocity Verlet; Bussi rescaling around it; BAOAB Langevin),
 * built from md's public operators, including the optional Berendsen barostat (md's `berendsenScale` after the
 * drift, before the evaluation, as in md's integrators; the stress of the last evaluation sets the pressure) and the
 * optional temperature/pressure/density ramp (md/ramp.ts, by step number as in md's integrators).
 */
import { FarfieldError } from '../core/index.js';
import { applyDensityRamp, berendsenScale, bussiRescale, drift, kick, langevinO, rampBarostat, rampTemperatureK, type IntegratorConfig, type MdState } from '../md/index.js';

export interface SplitStepper {
  /** Up to the positions of the next step (the evaluation comes next). */
  before(st: MdState): void;
  /** After the evaluation: closing half-kick, thermostat, step counter and time. */
  after(st: MdState): void;
}

export function splitStepper(c: IntegratorConfig): SplitStepper {
  const dt = c.timestepFs, baro = c.barostat;
  // targets of the step that produces step st.step + 1 (md/ramp.ts; constant without a ramp)
  const scale = (st: MdState): void => {
    if (baro) berendsenScale(st, dt, rampBarostat(baro, c.ramp, st.step + 1));
    applyDensityRamp(st, c.ramp, st.step + 1);
  };
  const target = (T: number, st: MdState): number => rampTemperatureK(T, c.ramp, st.step + 1);
  const finish = (st: MdState): void => {
    st.step++;
    st.timeFs += dt;
  };
  switch (c.kind) {
    case 'verlet':
      return {
        before: (st) => { kick(st, dt / 2); drift(st, dt); scale(st); },
        after: (st) => { kick(st, dt / 2); finish(st); },
      };
    case 'bussi': {
      const tau = c.tauFs ?? 100, T = c.temperatureK ?? 0;
      return {
        before: (st) => { bussiRescale(st, dt / 2, tau, target(T, st)); kick(st, dt / 2); drift(st, dt); scale(st); },
        after: (st) => { kick(st, dt / 2); bussiRescale(st, dt / 2, tau, target(T, st)); finish(st); },
      };
    }
    case 'langevin': {
      const g = c.frictionPerFs ?? 0.01, T = c.temperatureK ?? 0;
      return {
        before: (st) => { kick(st, dt / 2); drift(st, dt / 2); langevinO(st, dt, g, target(T, st)); drift(st, dt / 2); scale(st); },
        after: (st) => { kick(st, dt / 2); finish(st); },
      };
    }
    default:
      throw new FarfieldError('UNSUPPORTED', `learn: integrator '${c.kind}' is not supported (verlet, bussi, langevin)`);
  }
}

/** Put an evaluation into the state (energy, forces, optional stress); non-finite values are an error naming the step. */
export function applyEvaluation(st: MdState, energyEv: number, forces: ArrayLike<number>, stress: Float64Array | undefined, source: string): void {
  if (!Number.isFinite(energyEv)) throw new FarfieldError('NUMERIC', `learn: ${source} gave a non-finite energy at step ${st.step + 1}`);
  for (let k = 0; k < forces.length; k++)
    if (!Number.isFinite(forces[k])) throw new FarfieldError('NUMERIC', `learn: ${source} gave a non-finite force on atom ${Math.floor(k / 3)} at step ${st.step + 1}`);
  st.forces.set(forces);
  st.potentialEnergyEv = energyEv;
  if (stress) st.stressEvPerA3 = Float64Array.from(stress);
}

/** With a barostat every evaluation must carry a stress (the next step's pressure); a clear error otherwise. */
export function requireStress(stress: Float64Array | undefined, source: string, step: number): void {
  if (!stress || stress.length !== 9 || !stress.every(Number.isFinite))
    throw new FarfieldError('UNSUPPORTED', `learn --pressure: ${source} gave no stress at step ${step}; the barostat needs the stress of every evaluation (periodic cell, a reference that computes stress)`);
}
