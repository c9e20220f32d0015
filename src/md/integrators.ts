/**
 * Integrators: `init` + `step` over explicit state (DESIGN.md rule 6), each a composition of the operators in
 * operators.ts, registered by name and constructed from JSON.
 *
 *  - `verlet`   velocity Verlet, NVE: B(dt/2) A(dt) F B(dt/2). Symplectic; energy error O(dt²), no drift.
 *  - `langevin` BAOAB Langevin (Leimkuhler & Matthews, Appl. Math. Res. Express 2013, 34): B(dt/2) A(dt/2)
 *               O(dt) A(dt/2) F B(dt/2); NVT, configurational sampling error O(dt²). Momentum is not conserved
 *               (N_f = 3N).
 *  - `bussi`    canonical sampling through velocity rescaling (Bussi, Donadio & Parrinello 2007) wrapped
 *               symmetrically around velocity Verlet: R(dt/2) B A F B R(dt/2). NVT; conserves total momentum
 *               (N_f = 3N − 3).
 * Each accepts an optional isotropic Berendsen barostat applied after the drift (before the force evaluation), and an
 * optional linear ramp of the thermostat temperature and the barostat pressure (ramp.ts: targets by step number).
 * Conserved quantity: K + U − heat (see MdState.heatEv), except with a barostat.
 * Fixed coordinates (constraints.ts: POSCAR selective dynamics, ASE move_mask) are honoured by every integrator: the
 * kick and the Langevin O step project velocities onto the allowed subspace; they are refused with a barostat.
 */
import { FarfieldError, Registry, Rng, validateStructure, type Calculator, type Structure } from '../core/index.js';
import { berendsenScale, bussiRescale, drift, evaluate, kick, langevinO, type BerendsenBarostatConfig } from './operators.js';
import { constrainedMaxwellBoltzmann, constraintsFromStructure, prepareConstraints, projectOntoAllowed, type CoordinateConstraints } from './constraints.js';
import { massesOf, maxwellBoltzmannVelocities, type MdState } from './state.js';
import { applyDensityRamp, checkRamp, rampBarostat, rampDensityGcm3, rampTemperatureK, type RampConfig } from './ramp.js';

export interface IntegratorConfig {
  /** Registry name: 'verlet', 'langevin', 'bussi'. */
  kind: string;
  timestepFs: number;
  /** Thermostat temperature, K (langevin, bussi). */
  temperatureK?: number;
  /** Langevin friction γ, 1/fs (default 0.01). */
  frictionPerFs?: number;
  /** Bussi relaxation time τ, fs (default 100). */
  tauFs?: number;
  /** Optional isotropic Berendsen barostat. */
  barostat?: BerendsenBarostatConfig;
  /** Optional linear ramp of the thermostat temperature and/or the barostat pressure (ramp.ts). */
  ramp?: RampConfig;
}

export interface MdInitOptions {
  /** Maxwell–Boltzmann temperature for the initial velocities, K (default: the thermostat's, else 0). */
  temperatureK?: number;
  /** Initial velocities, Å/fs, 3N (used as given; overrides temperatureK). */
  velocities?: ArrayLike<number>;
  /** Masses, amu, N (default: standard atomic masses of the symbols). */
  masses?: ArrayLike<number>;
  /** Seed of the run's random stream (velocities and thermostat noise); default 0. */
  seed?: number;
  /** Rescale the Maxwell–Boltzmann velocities to the exact temperature. */
  exactTemperature?: boolean;
  /**
   * Fixed coordinates (constraints.ts). Default (undefined): those the structure carries (`selective_dynamics` from a
   * POSCAR, ASE's `move_mask`); null: none. Given velocities are projected onto the allowed subspace.
   */
  constraints?: CoordinateConstraints | null;
}

export interface Integrator {
  readonly name: string;
  readonly config: Readonly<IntegratorConfig>;
  /** Build the state: masses, velocities, forces at the initial positions. Does not modify `structure`. */
  init(structure: Structure, options?: MdInitOptions): MdState;
  /** Advance one time step, in place. */
  step(state: MdState): void;
  toJSON(): IntegratorConfig;
}

export type IntegratorFactory = (calculator: Calculator, config: IntegratorConfig) => Integrator;

/** Integrators by name. */
export const integrators = new Registry<IntegratorFactory>('integrator');

function positive(x: number | undefined, name: string, fallback?: number): number {
  const v = x ?? fallback;
  if (v === undefined || !(v > 0) || !Number.isFinite(v)) throw new FarfieldError('INVALID_INPUT', `md: ${name} must be a positive finite number, got ${x}`);
  return v;
}

function checkConfig(c: IntegratorConfig, needsTemperature: boolean): void {
  positive(c.timestepFs, 'timestepFs');
  if (needsTemperature && (c.temperatureK === undefined || !(c.temperatureK >= 0) || !Number.isFinite(c.temperatureK)))
    throw new FarfieldError('INVALID_INPUT', `md: integrator '${c.kind}' needs temperatureK ≥ 0, got ${c.temperatureK}`);
  if (c.barostat) {
    positive(c.barostat.tauFs, 'barostat.tauFs');
    positive(c.barostat.compressibilityPerGpa, 'barostat.compressibilityPerGpa');
    if (!Number.isFinite(c.barostat.pressureGpa)) throw new FarfieldError('INVALID_INPUT', 'md: barostat.pressureGpa must be finite');
  }
  if (c.ramp) checkRamp(c.ramp, needsTemperature, c.barostat !== undefined);
}

function initState(calc: Calculator, config: IntegratorConfig, structure: Structure, options: MdInitOptions, conservesMomentum: boolean): MdState {
  validateStructure(structure, 'md initial structure');
  const n = structure.species.length;
  if (n === 0) throw new FarfieldError('INVALID_INPUT', 'md: the structure has no atoms');
  if (config.barostat && !(structure.pbc[0] && structure.pbc[1] && structure.pbc[2]))
    throw new FarfieldError('INVALID_INPUT', 'md: the barostat needs a fully periodic structure');
  const rho0 = rampDensityGcm3(config.ramp, 0);
  if (rho0 !== undefined && !(structure.pbc[0] && structure.pbc[1] && structure.pbc[2]))
    throw new FarfieldError('INVALID_INPUT', 'md: a density ramp (--density A:B) needs a fully periodic structure');
  const masses = massesOf(structure, options.masses);
  const given = options.constraints === undefined ? constraintsFromStructure(structure) : options.constraints;
  const constraints = given ? prepareConstraints(given, structure) : null;
  let degreesOfFreedom = conservesMomentum && n > 1 ? 3 * n - 3 : 3 * n;
  if (constraints) {
    if (rho0 !== undefined)
      throw new FarfieldError('UNSUPPORTED', `md: a density ramp cannot be combined with fixed coordinates (${constraints.fixedCount} fixed); run without --density, or pass constraints: null to ignore them`);
    if (config.barostat)
      throw new FarfieldError('UNSUPPORTED', `md: the barostat cannot be combined with fixed coordinates (${constraints.fixedCount} fixed by ${constraints.basis === 'fractional' ? 'selective dynamics' : 'move_mask'}): how fixed atoms follow a changing cell is not defined; run NVT/NVE, or pass constraints: null to ignore them`);
    degreesOfFreedom = 3 * n - constraints.fixedCount - (conservesMomentum && n > 1 ? constraints.commonDimension : 0);
    if (degreesOfFreedom <= 0)
      throw new FarfieldError('INVALID_INPUT', `md: every degree of freedom is fixed (${constraints.fixedCount} fixed coordinates for ${n} atoms); nothing to integrate`);
  }
  const rng = new Rng(options.seed ?? 0);
  let velocities: Float64Array;
  if (options.velocities) {
    if (options.velocities.length !== 3 * n)
      throw new FarfieldError('INVALID_INPUT', `md: ${options.velocities.length} velocity entries for ${n} atoms (expected ${3 * n})`);
    velocities = Float64Array.from(options.velocities);
    if (!velocities.every(Number.isFinite)) throw new FarfieldError('INVALID_INPUT', 'md: initial velocities must be finite');
    if (constraints) projectOntoAllowed(constraints, velocities);
  } else if (constraints) {
    velocities = constrainedMaxwellBoltzmann(constraints, masses, options.temperatureK ?? config.temperatureK ?? 0, rng, options.exactTemperature ?? false);
  } else {
    velocities = maxwellBoltzmannVelocities(masses, options.temperatureK ?? config.temperatureK ?? 0, rng, options.exactTemperature ?? false);
  }
  const state: MdState = {
    template: structure,
    positions: structure.positions.slice(),
    velocities,
    masses,
    forces: new Float64Array(3 * n),
    cell: structure.cell.slice(),
    potentialEnergyEv: NaN, // set by the first evaluation below
    step: 0,
    timeFs: 0,
    heatEv: 0,
    degreesOfFreedom,
    rng,
    ...(constraints ? { constraints } : {}),
  };
  applyDensityRamp(state, config.ramp, 0); // the start at ρ₀ of a density ramp (ramp.ts)
  evaluate(state, calc, config.barostat !== undefined);
  return state;
}

function finishStep(state: MdState, dt: number): void {
  state.step++;
  state.timeFs += dt;
}

/** Velocity Verlet (NVE). */
export function velocityVerlet(calc: Calculator, config: Omit<IntegratorConfig, 'kind'>): Integrator {
  const c: IntegratorConfig = { ...config, kind: 'verlet' };
  checkConfig(c, false);
  const dt = c.timestepFs, baro = c.barostat;
  return {
    name: 'verlet',
    config: c,
    init: (s, o = {}) => initState(calc, c, s, o, true),
    step(st) {
      kick(st, dt / 2);
      drift(st, dt);
      if (baro) berendsenScale(st, dt, rampBarostat(baro, c.ramp, st.step + 1));
      applyDensityRamp(st, c.ramp, st.step + 1);
      evaluate(st, calc, baro !== undefined);
      kick(st, dt / 2);
      finishStep(st, dt);
    },
    toJSON: () => ({ ...c }),
  };
}

/** BAOAB Langevin (NVT). */
export function langevin(calc: Calculator, config: Omit<IntegratorConfig, 'kind'>): Integrator {
  const c: IntegratorConfig = { frictionPerFs: 0.01, ...config, kind: 'langevin' };
  checkConfig(c, true);
  const gamma = positive(c.frictionPerFs, 'frictionPerFs');
  const dt = c.timestepFs, T = c.temperatureK!, baro = c.barostat;
  return {
    name: 'langevin',
    config: c,
    init: (s, o = {}) => initState(calc, c, s, o, false),
    step(st) {
      kick(st, dt / 2);
      drift(st, dt / 2);
      langevinO(st, dt, gamma, rampTemperatureK(T, c.ramp, st.step + 1));
      drift(st, dt / 2);
      if (baro) berendsenScale(st, dt, rampBarostat(baro, c.ramp, st.step + 1));
      applyDensityRamp(st, c.ramp, st.step + 1);
      evaluate(st, calc, baro !== undefined);
      kick(st, dt / 2);
      finishStep(st, dt);
    },
    toJSON: () => ({ ...c }),
  };
}

/** Bussi–Donadio–Parrinello canonical velocity rescaling around velocity Verlet (NVT). */
export function bussi(calc: Calculator, config: Omit<IntegratorConfig, 'kind'>): Integrator {
  const c: IntegratorConfig = { tauFs: 100, ...config, kind: 'bussi' };
  checkConfig(c, true);
  const tau = positive(c.tauFs, 'tauFs');
  const dt = c.timestepFs, T = c.temperatureK!, baro = c.barostat;
  return {
    name: 'bussi',
    config: c,
    init: (s, o = {}) => initState(calc, c, s, o, true),
    step(st) {
      const Tn = rampTemperatureK(T, c.ramp, st.step + 1);
      bussiRescale(st, dt / 2, tau, Tn);
      kick(st, dt / 2);
      drift(st, dt);
      if (baro) berendsenScale(st, dt, rampBarostat(baro, c.ramp, st.step + 1));
      applyDensityRamp(st, c.ramp, st.step + 1);
      evaluate(st, calc, baro !== undefined);
      kick(st, dt / 2);
      bussiRescale(st, dt / 2, tau, Tn);
      finishStep(st, dt);
    },
    toJSON: () => ({ ...c }),
  };
}

integrators.register('verlet', velocityVerlet);
integrators.register('langevin', langevin);
integrators.register('bussi', bussi);

/** Construct an integrator from its JSON configuration (`kind` selects the registry entry). */
export function createIntegrator(calc: Calculator, config: IntegratorConfig): Integrator {
  if (!config || typeof config.kind !== 'string') throw new FarfieldError('INVALID_INPUT', 'md: integrator config needs a string `kind`');
  return integrators.get(config.kind)(calc, config);
}
