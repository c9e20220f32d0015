/**
 * Library verbs `runLearn` / `resumeLearn`: on-the-fly learning (issue 15; VASP's ML_MODE = train, FLARE's OTF)
 * with a run directory. The loop itself is learnSession.ts (browser-safe); this file is its file layer: a sink that
 * appends training.xyz / trajectory.xyz / log.csv, writes model.json atomically after each refit and state.json at
 * every checkpoint (with the byte lengths of the growing files), and `resumeLearn`, which truncates the files to the
 * last checkpoint and restores the session from it (learnState.ts). Report: learnReport.ts.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { FarfieldError, type ProgressCallback, type Structure } from '../core/index.js';
import { formatExtxyzFrame, parseXyzText } from '../io/index.js';
import { readStructures } from '../host/index.js';
import type { ChargeModel, KernelModel } from '../model/index.js';
import { checkDensityRamp, massesOf, structureAtRampStart, type BerendsenBarostatConfig } from '../md/index.js';
import { saveModel } from './modelFiles.js';
import { referenceCountsOf } from './modelKinds.js';
import type { Thermostat } from './md.js';
import { LEARN_DEFAULTS, validateLearnConfig, type LearnConfig } from './learnConfig.js';
import { createReferenceLabeller, type LearnReferenceOptions } from './learnReference.js';
import { writeLearnReport } from './learnReport.js';
import { LearnSession, type LearnLogRow, type LearnRunSpec, type LearnSink } from './learnSession.js';
import { appendText, fileBytes, pathIn, readCheckpoint, truncateToCheckpoint, writeCheckpoint } from './learnState.js';

export type { LearnLogRow, LearnRunSpec } from './learnSession.js';

export interface LearnOptions {
  start: Structure;
  reference: LearnReferenceOptions;
  steps: number;
  timestepFs: number;
  temperatureK: number;
  thermostat?: Thermostat;
  tauFs?: number;
  frictionPerFs?: number;
  /** Berendsen barostat (`--pressure`): target pressure GPa, τ_P fs, compressibility 1/GPa (md/operators.ts). */
  barostat?: BerendsenBarostatConfig;
  /** End of a linear ramp of the thermostat target over the run (`--temperature A:B`; md/ramp.ts), K. */
  temperatureEndK?: number;
  /** End of a linear ramp of the barostat target over the run (`--pressure A:B`), GPa; needs `barostat`. */
  pressureEndGpa?: number;
  /** Prescribed density ramp [A, B] over the run, g/cm³ (`--density A:B`; md/ramp.ts): the start is scaled to A. NVT. */
  densityGcm3?: readonly [number, number];
  seed?: number;
  /** Descriptor preset (default: config.fit.descriptors, else 'sr'). */
  descriptors?: string;
  descriptorHypers?: Record<string, unknown>;
  /** Labelled structures that seed the training set. */
  training?: readonly Structure[];
  /** Path of a model to start from: its descriptor is used (the first step is still labelled). */
  startModel?: KernelModel;
  startModelPath?: string;
  out: string;
  config?: LearnConfig;
}

export interface LearnHooks {
  onProgress?: ProgressCallback;
  /** One line per notable event (failed call, threshold update) — the CLI prints it on stderr. */
  onMessage?: (line: string) => void;
  /** After every step (tests: throwing here simulates a kill after that step). */
  onStep?: (row: LearnLogRow) => void;
  /** Held-out labelled frames for the report's parity plots. */
  test?: readonly Structure[];
}

export interface LearnSummary {
  dir: string;
  steps: number;
  calls: number;
  failedCalls: number;
  refits: number;
  trainingStructures: number;
  references: Record<string, number>;
  /** Reference environments selected per species (without the fixed pseudo-references of linear blocks). */
  selectedReferences: Record<string, number>;
  finalThresholdEvPerA: number;
  thresholdUpdates: number;
  /** Reference calls per 100 steps in the first and the last quarter of the run (this invocation's log). */
  callsPer100: { firstQuarter: number; lastQuarter: number };
  /** Steps whose force σ was evaluated exactly (the rest were screened, learnUncertainty.ts), model steps, escapes caught. */
  exactForceSigmaSteps: number;
  modelSteps: number;
  escapes: number;
  wallS: number;
  /** The final kernel model; for a learned-charge kind (`descriptors` 'sr+q', …) its ε part. */
  model: KernelModel;
  /** Learned-charge kinds: the final model (what model.json holds). */
  chargeModel?: ChargeModel;
}

const LOG_HEADER = 'step,time_fs,temperature_K,energy_eV,max_force_sigma_eV_per_A,threshold_eV_per_A,called,refit,energy_sigma_eV_per_atom,force_sigma_exact,note\n';

function logLine(r: LearnLogRow): string {
  const note = r.note.replace(/[,\n\r"]/g, ' ');
  return `${r.step},${r.timeFs},${r.temperatureK},${r.energyEv},${r.maxForceSigmaEvPerA},${r.thresholdEvPerA},${r.called ? 1 : 0},${r.refit ? 1 : 0},${r.energySigmaEvPerAtom ?? NaN},${r.forceSigmaExact ? 1 : 0},${note}\n`;
}

/** The file sink of a run directory (see the header); `wallBefore` = wall time of earlier invocations. */
function fileSink(dir: string, hooks: LearnHooks, wallBefore: number): LearnSink {
  const t0 = Date.now();
  return {
    training: (text) => appendText(pathIn(dir, 'training'), text),
    log: (row) => appendText(pathIn(dir, 'log'), logLine(row)),
    frame: (text) => appendText(pathIn(dir, 'trajectory'), text),
    model: (m) => saveModel(m, pathIn(dir, 'model')),
    checkpoint: (cp) => writeCheckpoint(dir, {
      format: 'farfield-learn-state', version: 1, ...cp,
      bytes: { training: fileBytes(pathIn(dir, 'training')), trajectory: fileBytes(pathIn(dir, 'trajectory')), log: fileBytes(pathIn(dir, 'log')) },
      wallS: wallBefore + (Date.now() - t0) / 1000,
    }),
    message: (line) => hooks.onMessage?.(line),
  };
}

/** Start a new run in `o.out` (must not hold a previous run's state). */
export async function runLearn(o: LearnOptions, hooks: LearnHooks = {}): Promise<LearnSummary> {
  const config = validateLearnConfig(o.config ?? {}, 'learn configuration');
  if (!Number.isInteger(o.steps) || o.steps < 0) throw new FarfieldError('INVALID_INPUT', `learn: --steps must be an integer ≥ 0, got ${o.steps}`);
  if (!(o.timestepFs > 0) || !(o.timestepFs <= 20)) throw new FarfieldError('INVALID_INPUT', `learn: time step must be in (0, 20] fs, got ${o.timestepFs}`);
  if (!(o.temperatureK >= 0) || !Number.isFinite(o.temperatureK)) throw new FarfieldError('INVALID_INPUT', `learn: temperature must be ≥ 0 K, got ${o.temperatureK}`);
  if (o.barostat) {
    const b = o.barostat;
    if (!Number.isFinite(b.pressureGpa)) throw new FarfieldError('INVALID_INPUT', `learn: --pressure must be a finite number (GPa), got ${b.pressureGpa}`);
    if (!(b.tauFs > 0) || !Number.isFinite(b.tauFs)) throw new FarfieldError('INVALID_INPUT', `learn: --pressure-tau must be a positive number of fs, got ${b.tauFs}`);
    if (!(b.compressibilityPerGpa > 0) || !Number.isFinite(b.compressibilityPerGpa))
      throw new FarfieldError('INVALID_INPUT', `learn: --compressibility must be a positive number (1/GPa), got ${b.compressibilityPerGpa}`);
    if (!o.start.pbc.every((p) => p)) throw new FarfieldError('INVALID_INPUT', 'learn: --pressure needs a fully periodic start structure');
  }
  if (o.temperatureEndK !== undefined) {
    if (!(o.temperatureEndK >= 0) || !Number.isFinite(o.temperatureEndK)) throw new FarfieldError('INVALID_INPUT', `learn: the end temperature of the ramp must be ≥ 0 K, got ${o.temperatureEndK}`);
    if ((o.thermostat ?? 'bussi') === 'nve') throw new FarfieldError('INVALID_INPUT', 'learn: a temperature ramp (--temperature A:B) needs a thermostat (bussi or langevin), not nve');
  }
  if (o.pressureEndGpa !== undefined) {
    if (!Number.isFinite(o.pressureEndGpa)) throw new FarfieldError('INVALID_INPUT', `learn: the end pressure of the ramp must be finite (GPa), got ${o.pressureEndGpa}`);
    if (!o.barostat) throw new FarfieldError('INVALID_INPUT', 'learn: a pressure ramp needs the barostat (--pressure A:B)');
  }
  checkDensityRamp(o.densityGcm3?.[0], o.densityGcm3?.[1], (o.thermostat ?? 'bussi') !== 'nve', o.barostat !== undefined, 'learn');
  if (o.densityGcm3 && !o.start.pbc.every((p) => p)) throw new FarfieldError('INVALID_INPUT', 'learn: --density needs a fully periodic start structure');
  mkdirSync(o.out, { recursive: true });
  if (fileBytes(pathIn(o.out, 'state')) > 0)
    throw new FarfieldError('INVALID_INPUT', `learn: ${o.out} already holds a run (state.json); continue it with --resume ${o.out} or choose another --out`);
  const hypers = o.descriptorHypers ?? config.fit?.descriptorHypers;
  const spec: LearnRunSpec = {
    reference: o.reference, steps: o.steps, timestepFs: o.timestepFs, temperatureK: o.temperatureK,
    thermostat: o.thermostat ?? 'bussi', tauFs: o.tauFs ?? 100, frictionPerFs: o.frictionPerFs ?? 0.01, seed: o.seed ?? 1,
    ...(o.barostat ? { barostat: o.barostat } : {}),
    ...(o.temperatureEndK !== undefined ? { temperatureEndK: o.temperatureEndK } : {}),
    ...(o.pressureEndGpa !== undefined ? { pressureEndGpa: o.pressureEndGpa } : {}),
    ...(o.densityGcm3 !== undefined ? { densityGcm3: [o.densityGcm3[0], o.densityGcm3[1]] as [number, number] } : {}),
    descriptors: o.descriptors ?? config.fit?.descriptors ?? LEARN_DEFAULTS.fit.descriptors,
    ...(hypers ? { descriptorHypers: hypers } : {}),
    config, seedFrames: o.training?.length ?? 0, ...(o.startModelPath ? { startModel: o.startModelPath } : {}),
    ...(o.startModel ? { descriptorSpec: o.startModel.descriptor.toJSON() } : {}),
  };
  const labeller = createReferenceLabeller(o.reference, cp2kDir(o.out), clusterDir(o.out), hooks.onMessage);
  for (const f of ['training', 'trajectory'] as const) appendText(pathIn(o.out, f), '');
  appendText(pathIn(o.out, 'log'), LOG_HEADER);
  // a density ramp starts from the start structure scaled to its first density (md/ramp.ts); start.xyz holds that
  const start = spec.densityGcm3 ? structureAtRampStart(o.start, massesOf(o.start).reduce((a, m) => a + m, 0), { steps: 1, densityStartGcm3: spec.densityGcm3[0], densityEndGcm3: spec.densityGcm3[1] }) : o.start;
  appendText(pathIn(o.out, 'start'), formatExtxyzFrame(start));
  const session = await LearnSession.start(spec, start, o.training ?? [], labeller, fileSink(o.out, hooks, 0), o.startModel);
  return drive(session, o.out, hooks, 0);
}

function cp2kDir(dir: string): string {
  return pathIn(dir, 'start').replace(/start\.xyz$/, 'cp2k');
}

/** Default work directory of the executor jobs of `--scheduler` (one `batch-step-…` directory per call). */
function clusterDir(dir: string): string {
  return pathIn(dir, 'start').replace(/start\.xyz$/, 'cluster');
}

/** Continue the run in `dir` from its last checkpoint. */
export async function resumeLearn(dir: string, hooks: LearnHooks = {}): Promise<LearnSummary> {
  const cp = readCheckpoint(dir);
  truncateToCheckpoint(dir, cp.bytes);
  validateLearnConfig(cp.run.config, `${pathIn(dir, 'state')}: run.config`);
  const start = readStructures(pathIn(dir, 'start'))[0];
  const frames = parseXyzText(readFileSync(pathIn(dir, 'training'), 'utf8'), pathIn(dir, 'training'));
  const labeller = createReferenceLabeller(cp.run.reference, cp2kDir(dir), clusterDir(dir), hooks.onMessage);
  const session = LearnSession.restore(cp, start, frames, labeller, fileSink(dir, hooks, cp.wallS));
  hooks.onMessage?.(`resumed at step ${cp.step} (${cp.labelled} labelled structures, ${cp.counters.calls} calls so far)`);
  return drive(session, dir, hooks, cp.wallS);
}

async function drive(S: LearnSession, dir: string, hooks: LearnHooks, wallBefore: number): Promise<LearnSummary> {
  const t0 = Date.now();
  while (!S.done) {
    const row = await S.step();
    hooks.onProgress?.({
      phase: 'learn', done: row.step, total: S.spec.steps,
      message: `T ${row.temperatureK.toFixed(0)} K, σF ${Number.isFinite(row.maxForceSigmaEvPerA) ? row.maxForceSigmaEvPerA.toFixed(3) : '–'} / ${row.thresholdEvPerA.toFixed(3)} eV/Å, calls ${S.counters.calls}, refits ${S.counters.refits}`,
    });
    hooks.onStep?.(row);
  }
  await S.settle();
  const model = S.finish();
  writeLearnReport(dir, hooks.test ?? [], S.chargeModel ?? model);
  const counts = S.fit?.referenceCounts() ?? [];
  const selected = S.fit?.selectedReferenceCounts() ?? [];
  const charged = S.chargeModel ? referenceCountsOf(S.chargeModel) : null; // ε references of the last full fit
  return {
    dir, steps: S.spec.steps, calls: S.counters.calls, failedCalls: S.counters.failedCalls, refits: S.counters.refits,
    trainingStructures: S.labelled,
    references: charged ?? Object.fromEntries((S.fit?.species ?? []).map((s, t) => [s, counts[t]])),
    selectedReferences: charged ?? Object.fromEntries((S.fit?.species ?? []).map((s, t) => [s, selected[t]])),
    finalThresholdEvPerA: S.thr.thresholdEvPerA, thresholdUpdates: S.thr.updates,
    callsPer100: S.callRates(),
    exactForceSigmaSteps: S.counters.exactForceSigma ?? 0, modelSteps: S.counters.modelSteps, escapes: S.counters.escapes ?? 0,
    wallS: wallBefore + (Date.now() - t0) / 1000,
    model, ...(S.chargeModel ? { chargeModel: S.chargeModel } : {}),
  };
}
