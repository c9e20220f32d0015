/** Thermostat names of `runMolecularDynamics` and the integrator each stands for (pure: the web page's MD uses it). */
import { FarfieldError } from '../core/index.js';
import type { IntegratorConfig, RampConfig } from '../md/index.js';

export type Thermostat = 'nve' | 'bussi' | 'langevin';
export const THERMOSTATS: readonly Thermostat[] = ['nve', 'bussi', 'langevin'];

/** Integrator config for a thermostat name. */
export function integratorConfig(thermostat: Thermostat, timestepFs: number, temperatureK: number, extra: { tauFs?: number; frictionPerFs?: number } = {}): IntegratorConfig {
  switch (thermostat) {
    case 'nve': return { kind: 'verlet', timestepFs };
    case 'bussi': return { kind: 'bussi', timestepFs, temperatureK, tauFs: extra.tauFs ?? 100 };
    case 'langevin': return { kind: 'langevin', timestepFs, temperatureK, frictionPerFs: extra.frictionPerFs ?? 0.01 };
    default: throw new FarfieldError('INVALID_INPUT', `unknown thermostat '${thermostat as string}' (known: ${THERMOSTATS.join(', ')})`);
  }
}

/**
 * The ramp of a run of `steps` steps (md/ramp.ts) from the end values of its options, or nothing when none is given.
 * The ramp spans the whole run: its last step is at the end values.
 */
export function runRamp(steps: number, o: { temperatureEndK?: number; pressureEndGpa?: number; densityGcm3?: readonly [number, number] }): { ramp: RampConfig } | Record<string, never> {
  if (o.temperatureEndK === undefined && o.pressureEndGpa === undefined && o.densityGcm3 === undefined) return {};
  return {
    ramp: {
      steps: Math.max(1, steps),
      ...(o.temperatureEndK !== undefined ? { temperatureEndK: o.temperatureEndK } : {}),
      ...(o.pressureEndGpa !== undefined ? { pressureEndGpa: o.pressureEndGpa } : {}),
      ...(o.densityGcm3 !== undefined ? { densityStartGcm3: o.densityGcm3[0], densityEndGcm3: o.densityGcm3[1] } : {}),
    },
  };
}
