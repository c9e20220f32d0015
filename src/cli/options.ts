/**
 * The option family shared by the commands that run dynamics (md, learn): time step, temperature, thermostat and its
 * parameters, the Berendsen barostat, the seed — declared once and parsed once into the api's run options — and the
 * number parser every command uses for its numeric options.
 */
import type { Command } from 'commander';
import { FarfieldError } from '../core/index.js';
import type { Thermostat } from '../api/index.js';
import { THERMOSTAT_NAMES } from '../api/names.js';

/** A numeric option value, or a one-line error naming the option. */
export function num(v: string, name: string, integer = false): number {
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || (integer && !Number.isInteger(x))) throw new FarfieldError('INVALID_INPUT', `--${name} expects ${integer ? 'an integer' : 'a number'}, got '${v}'`);
  return x;
}

export function addDynamicsOptions(cmd: Command, pressureHelp: string): Command {
  return cmd
    .option('--dt <fs>', 'time step, fs', '2')
    .option('--temperature <K>', 'initial and thermostat temperature, K; A:B ramps the thermostat linearly from A to B over the run', '300')
    .option('--thermostat <name>', `${THERMOSTAT_NAMES.join(' | ')}`, 'bussi')
    .option('--tau <fs>', 'Bussi relaxation time, fs', '100')
    .option('--friction <1/fs>', 'Langevin friction, 1/fs', '0.01')
    .option('--pressure <GPa>', `${pressureHelp}; A:B ramps it linearly from A to B over the run`)
    .option('--density <g/cm3>', 'prescribed mass density, g/cm³ (NVT, no --pressure): the start is scaled isotropically to A; A:B then scales cell and positions along a linear ramp from A to B over the run')
    .option('--pressure-tau <fs>', 'barostat relaxation time τ_P, fs', '1000')
    .option('--compressibility <1/GPa>', 'barostat coupling: compressibility β in the scaling, 1/GPa', '0.05')
    .option('--seed <s>', 'seed of velocities and thermostat noise', '1');
}

export interface DynamicsOptions {
  timestepFs: number;
  temperatureK: number;
  thermostat: Thermostat;
  tauFs: number;
  frictionPerFs: number;
  seed: number;
  barostat?: { pressureGpa: number; tauFs: number; compressibilityPerGpa: number };
  /** End of a linear temperature ramp over the run (`--temperature A:B`), K. */
  temperatureEndK?: number;
  /** End of a linear pressure ramp over the run (`--pressure A:B`), GPa. */
  pressureEndGpa?: number;
  /** Prescribed density ramp [A, B] (`--density A:B`; a single value X is [X, X]), g/cm³. */
  densityGcm3?: [number, number];
}

/** A value or a ramp `A:B` of a numeric option: [start, end or undefined]. */
export function numOrRamp(v: string, name: string): [number, number | undefined] {
  const parts = v.split(':');
  if (parts.length === 1) return [num(v, name), undefined];
  if (parts.length !== 2) throw new FarfieldError('INVALID_INPUT', `--${name} expects a number or a ramp A:B, got '${v}'`);
  const bad = (): never => { throw new FarfieldError('INVALID_INPUT', `--${name} expects a number or a ramp A:B of two numbers, got '${v}'`); };
  const [a, b] = parts.map(Number);
  if (parts.some((q) => q.trim() === '') || !Number.isFinite(a) || !Number.isFinite(b)) bad();
  return [a, b];
}

/** The run options of `addDynamicsOptions`, validated. */
export function parseDynamicsOptions(o: Record<string, unknown>): DynamicsOptions {
  const thermostat = String(o.thermostat) as Thermostat;
  if (!THERMOSTAT_NAMES.includes(thermostat)) throw new FarfieldError('INVALID_INPUT', `--thermostat must be one of ${THERMOSTAT_NAMES.join(', ')}, got '${thermostat}'`);
  const [temperatureK, temperatureEndK] = numOrRamp(String(o.temperature), 'temperature');
  const [pressureGpa, pressureEndGpa] = o.pressure !== undefined ? numOrRamp(String(o.pressure), 'pressure') : [NaN, undefined];
  const density = o.density !== undefined ? numOrRamp(String(o.density), 'density') : undefined;
  const densityGcm3: [number, number] | undefined = density ? [density[0], density[1] ?? density[0]] : undefined;
  if (densityGcm3 && !densityGcm3.every((x) => x > 0)) throw new FarfieldError('INVALID_INPUT', `--density expects densities > 0 g/cm³, got '${String(o.density)}'`);
  if (densityGcm3 && o.pressure !== undefined) throw new FarfieldError('INVALID_INPUT', '--density prescribes the volume and cannot be combined with --pressure (the barostat); drop one of them');
  return {
    timestepFs: num(String(o.dt), 'dt'), temperatureK, thermostat,
    tauFs: num(String(o.tau), 'tau'), frictionPerFs: num(String(o.friction), 'friction'), seed: num(String(o.seed), 'seed', true),
    ...(o.pressure !== undefined ? {
      barostat: { pressureGpa, tauFs: num(String(o.pressureTau), 'pressure-tau'), compressibilityPerGpa: num(String(o.compressibility), 'compressibility') },
    } : {}),
    ...(temperatureEndK !== undefined ? { temperatureEndK } : {}),
    ...(pressureEndGpa !== undefined ? { pressureEndGpa } : {}),
    ...(densityGcm3 ? { densityGcm3 } : {}),
  };
}
