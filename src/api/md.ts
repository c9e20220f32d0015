/**
 * Library verb `runMolecularDynamics`: molecular dynamics with any Calculator (a fitted kernel model, a reference
 * potential) through `md` (init + step over explicit state), frames written with `io` as the run goes (extended
 * XYZ, live: each frame is appended whole as it is made, so the file can be read during the run and an interrupted
 * run keeps its frames), a periodic thermodynamic log and a summary.
 *
 * Thermostats: 'nve' (velocity Verlet), 'bussi' (canonical velocity rescaling, τ default 100 fs), 'langevin'
 * (BAOAB, γ default 0.01 fs⁻¹). `temperatureEndK` / `pressureEndGpa` ramp the targets linearly over the run (md/ramp.ts). The conserved quantity is K + U − (heat exchanged with the thermostat), so its
 * drift measures integration error in every ensemble; it is reported in eV/atom (final − initial) and as the
 * largest excursion from the initial value.
 * Uncertainty: when the calculator is a kernel model fitted with a stored covariance, the log reports the model's
 * standard deviation of the total energy per atom and the largest per-atom force σ (eV/Å, model/forceUncertainty.ts)
 * at the logged steps (one extra evaluation per log line, so the default log interval is at least
 * MIN_DEFAULT_LOG_EVERY steps: a short run logging every step would spend more on the uncertainty than on the
 * dynamics).
 * Blow-up guard (md/guard.ts), on by default: a run whose temperature, conserved energy or step displacement leaves
 * the thresholds (or turns non-finite) throws MdBlowUpError naming the step; the frames written so far stay.
 * Fixed coordinates carried by the start structure (POSCAR selective dynamics, ASE move_mask) are honoured
 * (md/constraints.ts); the summary reports their number and the degrees of freedom of the temperature.
 */
import { FarfieldError, type Calculator, type ProgressCallback, type Structure } from '../core/index.js';
import { checkOutputFile, formatForWriting, openXyzLiveWriter } from '../host/index.js';
import {
  MdBlowUpError, blowUpGuard, createIntegrator, runMd, stateToStructure, thermoRecord,
  type BlowUpLimits, type IntegratorConfig, type MdState, type Observer, type ThermoRecord, type BerendsenBarostatConfig,
} from '../md/index.js';
import { KernelModel } from '../model/index.js';
import { ComputeWorkspace } from '../descriptors/index.js';
import { fumiTosiNaCl, pointCharges } from '../reference/index.js';
import { integratorConfig, runRamp, type Thermostat } from './mdConfig.js';
import { loadModel } from './modelFiles.js';
import { readFrameAt } from './io.js';

export { THERMOSTATS, integratorConfig, type Thermostat } from './mdConfig.js';

export interface MolecularDynamicsOptions {
  calculator: Calculator;
  start: Structure;
  steps: number;
  timestepFs: number;
  /** Initial Maxwell–Boltzmann temperature and thermostat target, K. */
  temperatureK: number;
  /** Default 'bussi'. */
  thermostat?: Thermostat;
  /** Bussi relaxation time, fs (default 100). */
  tauFs?: number;
  /** Langevin friction, 1/fs (default 0.01). */
  frictionPerFs?: number;
  /**
   * Isotropic Berendsen barostat (md/operators.ts `berendsenScale`; `md --pressure`): the calculator must give the
   * stress. Its work is not in the conserved quantity, which then drifts by the P·ΔV it does.
   */
  barostat?: BerendsenBarostatConfig;
  /**
   * End of a linear ramp of the thermostat target over the run (md/ramp.ts; `md --temperature A:B`): the target moves
   * from `temperatureK` (also the start's Maxwell–Boltzmann temperature) to this, K. Needs bussi or langevin.
   */
  temperatureEndK?: number;
  /** End of a linear ramp of the barostat target over the run (`md --pressure A:B`), GPa. Needs `barostat`. */
  pressureEndGpa?: number;
  /**
   * Prescribed density ramp [A, B], g/cm³ (`md --density A:B`; md/ramp.ts): the start is scaled to A, then cell and
   * positions isotropically along the line to B over the run. NVT: needs a thermostat, refused with `barostat`.
   */
  densityGcm3?: readonly [number, number];
  /** Seed of velocities and thermostat noise (default 1). */
  seed?: number;
  /** Output trajectory (extended XYZ); omitted = no frames written. */
  output?: string;
  /** Write every k-th step (default 10; step 0 included). */
  every?: number;
  /** Log every k-th step (default `defaultLogEvery(steps)`: about 20 lines per run, at most one per 10 steps). */
  logEvery?: number;
  onLog?: (record: MdLogRecord) => void;
  onProgress?: ProgressCallback;
  /**
   * Blow-up guard thresholds (md/guard.ts; defaults there: T > 10 × max(target, initial T, 300 K), conserved-energy
   * drift > 1 eV/atom, a step displacement > min(5 Å, smallest cell width)); false turns the guard off. A run that
   * trips it throws `MdBlowUpError`; the frames written so far stay in `output`.
   */
  guard?: Partial<BlowUpLimits> | false;
  /** Log the largest per-atom force σ with the energy σ (default true; false keeps the cheap energy σ only). */
  forceUncertainty?: boolean;
}

export interface MdLogRecord extends ThermoRecord {
  /** (conserved − conserved at step 0) / N, eV/atom. */
  conservedDriftEvPerAtom: number;
  /** Model standard deviation of the total energy divided by N, eV/atom (kernel models with covariance only). */
  uncertaintyEvPerAtom?: number;
  /** Largest per-atom norm of the force standard deviation, eV/Å (kernel models with covariance only). */
  maxForceUncertaintyEvPerA?: number;
}

export interface MdSummary {
  steps: number;
  atoms: number;
  /** Degrees of freedom of the temperature (3N − 3 or 3N, fewer with fixed coordinates). */
  degreesOfFreedom: number;
  /** Coordinates fixed by selective dynamics / move_mask (0 when none). */
  fixedCoordinates: number;
  simulatedFs: number;
  framesWritten: number;
  output: string | null;
  integrator: IntegratorConfig;
  meanTemperatureK: number;
  /** Conserved-energy change over the run, eV/atom. */
  conservedDriftEvPerAtom: number;
  /** Largest |conserved − initial| seen at any step, eV/atom. */
  maxConservedExcursionEvPerAtom: number;
  /** Largest logged model uncertainty, eV/atom (if available). */
  maxUncertaintyEvPerAtom?: number;
  /** Largest logged per-atom force σ, eV/Å (if available). */
  maxForceUncertaintyEvPerA?: number;
  wallS: number;
  /** Throughput, ns of simulated time per day of wall time. */
  nsPerDay: number;
}

/** Smallest default log interval (steps): each logged step of a model with a covariance costs an uncertainty evaluation. */
export const MIN_DEFAULT_LOG_EVERY = 10;

/** Default log interval: about 20 lines per run, and no more than one line per MIN_DEFAULT_LOG_EVERY steps. */
export function defaultLogEvery(steps: number): number {
  return Math.max(MIN_DEFAULT_LOG_EVERY, Math.round(steps / 20));
}

function hasUncertainty(c: Calculator): c is KernelModel {
  return c instanceof KernelModel && c.params.covarianceFactor !== undefined;
}

/**
 * Run `body` with a trajectory workspace on `calculator` when it is a kernel model without one (neighbour lists with
 * a skin reused from step to step, descriptors/context.ts ComputeWorkspace), and drop it afterwards. Other
 * calculators, or a model that already has a workspace, run unchanged.
 */
export function withTrajectoryWorkspace<T>(calculator: Calculator, body: () => T): T {
  if (!(calculator instanceof KernelModel) || calculator.workspace) return body();
  calculator.workspace = new ComputeWorkspace();
  let async = false;
  try {
    const r = body();
    if (r instanceof Promise) {
      async = true;
      return r.finally(() => { calculator.workspace = null; }) as T;
    }
    return r;
  } finally {
    if (!async) calculator.workspace = null;
  }
}

/** Check before any work that `path` can take a live trajectory (extended or plain XYZ, writable directory). */
export function checkTrajectoryOutput(path: string): 'extxyz' | 'xyz' {
  const fmt = formatForWriting(path);
  if (fmt.name !== 'extxyz' && fmt.name !== 'xyz') throw new FarfieldError('FORMAT', `md: cannot stream frames to format '${fmt.name}'; use an .xyz/.extxyz output`, { file: path });
  checkOutputFile(path, 'trajectory');
  return fmt.name;
}

/** Run MD; see the module header. Returns when done (synchronous work, progress through the callback). */
export function runMolecularDynamics(o: MolecularDynamicsOptions): MdSummary {
  // step 0 in the run's workspace too: the neighbour-list buffers of its first call serve the whole trajectory
  return withTrajectoryWorkspace(o.calculator, () => runMdInWorkspace(o));
}

function runMdInWorkspace(o: MolecularDynamicsOptions): MdSummary {
  if (!Number.isInteger(o.steps) || o.steps < 0) throw new FarfieldError('INVALID_INPUT', `md: --steps must be an integer ≥ 0, got ${o.steps}`);
  if (!(o.timestepFs > 0) || !(o.timestepFs <= 20)) throw new FarfieldError('INVALID_INPUT', `md: time step must be in (0, 20] fs, got ${o.timestepFs}`);
  if (!(o.temperatureK >= 0) || !Number.isFinite(o.temperatureK)) throw new FarfieldError('INVALID_INPUT', `md: temperature must be ≥ 0 K, got ${o.temperatureK}`);
  const every = o.every ?? 10;
  if (!Number.isInteger(every) || every < 1) throw new FarfieldError('INVALID_INPUT', `md: --every must be an integer ≥ 1, got ${every}`);
  const logEvery = o.logEvery ?? defaultLogEvery(o.steps);
  const config = { ...integratorConfig(o.thermostat ?? 'bussi', o.timestepFs, o.temperatureK, o), ...(o.barostat ? { barostat: o.barostat } : {}), ...runRamp(o.steps, o) };
  const outputFormat = o.output ? checkTrajectoryOutput(o.output) : null;
  const integrator = createIntegrator(o.calculator, config);
  const n = o.start.species.length;
  const t0 = Date.now();
  const state = integrator.init(o.start, { temperatureK: o.temperatureK, seed: o.seed ?? 1 });
  const e0 = thermoRecord(state).conservedEv;
  let maxExc = 0, sumT = 0, nT = 0, frames = 0, maxU: number | undefined, maxFU: number | undefined;
  const withU = hasUncertainty(o.calculator);
  const observers: Observer[] = [];
  // first, so that a blown-up step is neither logged nor written
  if (o.guard !== false) observers.push(blowUpGuard(integrator, state, o.guard ?? {}));
  observers.push(
    (st: MdState) => {
      const rec = thermoRecord(st);
      maxExc = Math.max(maxExc, Math.abs(rec.conservedEv - e0) / n);
      if (st.step > 0) {
        sumT += rec.temperatureK;
        nT++;
      }
      if (st.step % logEvery === 0 || st.step === o.steps) {
        const log: MdLogRecord = { ...rec, conservedDriftEvPerAtom: (rec.conservedEv - e0) / n };
        if (withU) {
          const unc = (o.calculator as KernelModel).calculate(stateToStructure(st), { forces: false, stress: false, uncertainty: true, forceUncertainty: o.forceUncertainty ?? true }).uncertainty;
          const u = unc?.energyEv, fu = unc?.maxForceEvPerA;
          if (u !== undefined) {
            log.uncertaintyEvPerAtom = u / n;
            maxU = Math.max(maxU ?? 0, u / n);
          }
          if (fu !== undefined) {
            log.maxForceUncertaintyEvPerA = fu;
            maxFU = Math.max(maxFU ?? 0, fu);
          }
        }
        o.onLog?.(log);
      }
    },
  );
  let writer: { write(s: Structure): void; close(): void; abort(): void } | null = null;
  if (o.output) {
    // live file: frames appear as the run goes (tail -f, or read while running); an interrupted run keeps its frames
    writer = openXyzLiveWriter(o.output, outputFormat === 'xyz');
    const w = writer;
    observers.push((st) => {
      if (st.step % every === 0 || st.step === o.steps) {
        w.write(stateToStructure(st));
        frames++;
      }
    });
  }
  try {
    withTrajectoryWorkspace(o.calculator, () => runMd(integrator, state, o.steps, { observers, progress: o.onProgress }));
  } catch (e) {
    writer?.abort();
    if (e instanceof MdBlowUpError && o.output)
      throw new MdBlowUpError(e.step, e.quantity, e.value, e.limit, `${e.message}. The ${frames} frame${frames === 1 ? '' : 's'} written before it are kept in ${o.output}`);
    throw e;
  }
  writer?.close();
  const wallS = (Date.now() - t0) / 1000;
  const final = thermoRecord(state);
  const summary: MdSummary = {
    steps: o.steps, atoms: n, degreesOfFreedom: state.degreesOfFreedom, fixedCoordinates: state.constraints?.fixedCount ?? 0, simulatedFs: state.timeFs, framesWritten: frames, output: o.output ?? null, integrator: integrator.toJSON(),
    meanTemperatureK: nT > 0 ? sumT / nT : final.temperatureK,
    conservedDriftEvPerAtom: (final.conservedEv - e0) / n,
    maxConservedExcursionEvPerAtom: maxExc,
    wallS,
    nsPerDay: wallS > 0 ? (state.timeFs * 1e-6) / (wallS / 86400) : Infinity,
  };
  if (maxU !== undefined) summary.maxUncertaintyEvPerAtom = maxU;
  if (maxFU !== undefined) summary.maxForceUncertaintyEvPerA = maxFU;
  return summary;
}

/** Relative Coulomb force accuracy of the built-in rigid-ion calculator in MD (LAMMPS's usual `pppm 1e-6`). */
export const MD_COULOMB_ACCURACY = 1e-6;

/** Built-in reference calculators for `--calculator`: name → factory (species charges for 'coulomb'). */
export const MD_CALCULATORS: Record<string, { description: string; create(): Calculator }> = {
  'fumi-tosi': {
    description: 'Born–Mayer–Huggins (Fumi–Tosi) NaCl with formal charges ±1 (the reference potential of the NaCl data sampling); ' +
      'Coulomb at 1e-6 relative force accuracy (as LAMMPS `kspace_style pppm 1e-6`), tuned once per cell',
    create: () => fumiTosiNaCl({ electrostatics: { accuracy: MD_COULOMB_ACCURACY }, retune: 'cell' }),
  },
  coulomb: {
    description: 'bare point charges Na/Cl/K/Li/F ±1, Mg +2, Zr +4, O −2 (Ewald/PME; the toy model; no repulsion, so MD collapses)',
    create: () => pointCharges({ Na: 1, Cl: -1, K: 1, Li: 1, F: -1, Mg: 2, Zr: 4, O: -2 }),
  },
};

export interface CalculatorSource {
  /** Path of a fitted model file. */
  model?: string;
  /** Name of a built-in reference calculator (MD_CALCULATORS). */
  calculator?: string;
  /**
   * Read the model's covariance factor (default true): false leaves it on disk — no uncertainty in the log, and the
   * largest part of a model file (rank × unknowns doubles) is neither read nor kept in memory.
   */
  covariance?: boolean;
}

/** Load the calculator for MD: a model file or a named reference calculator (exactly one). */
export function loadCalculator(src: CalculatorSource): Calculator {
  if (src.model && src.calculator) throw new FarfieldError('INVALID_INPUT', 'give either a model file or --calculator, not both');
  if (src.model) return loadModel(src.model, { covariance: src.covariance ?? true });
  if (src.calculator) {
    const c = MD_CALCULATORS[src.calculator];
    if (!c) throw new FarfieldError('INVALID_INPUT', `unknown calculator '${src.calculator}' (known: ${Object.keys(MD_CALCULATORS).join(', ')})`);
    return c.create();
  }
  throw new FarfieldError('INVALID_INPUT', 'md needs a model file (or --calculator NAME)');
}

/** One frame of a structure file (negative index counts from the end; default: the last frame, as ASE reads),
 * streamed: only that frame is kept in memory. */
export async function loadFrame(path: string, frame = -1): Promise<Structure> {
  return (await readFrameAt(path, frame)).structure;
}
