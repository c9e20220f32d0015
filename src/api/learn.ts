/**
 * Library verb `runLearn` / `resumeLearn`: on-the-fly learning (issue 15; VASP's ML_MODE = train, FLARE's OTF).
 *
 * MD is driven by the current kernel model; at every step the model's largest per-component Bayesian force error
 * (learnUncertainty.ts) is compared with an adaptive threshold (learnThreshold.ts); where it says so the reference
 * (learnReference.ts: built-in potentials or CP2K through the `label` pipeline) labels the structure, the MD continues
 * from the reference's forces at that step, and the labelled structure joins the training set; after `batch`
 * candidates (or at once above immediateFactor × threshold) the model is refitted incrementally
 * (model/incremental.ts: new reference environments by FPS among the new structures, O(new data + solve)).
 * The first step is always labelled; while the fit is degenerate (one structure often is: the evidence collapses),
 * every step is labelled and refitted until it is not.
 * Output directory, checkpoints and resume: learnState.ts. Report: learnReport.ts.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { FarfieldError, type ProgressCallback, type Structure } from '../core/index.js';
import { formatExtxyzFrame, parseXyzText, readStructures } from '../io/index.js';
import { createIntegrator, stateToStructure, temperatureK, type MdState } from '../md/index.js';
import { IncrementalKernelFit, type IncrementalFitConfig, type KernelModel } from '../model/index.js';
import { sortSpecies } from './describe.js';
import { resolveDescriptor, saveModel } from './fit.js';
import { integratorConfig, type Thermostat } from './md.js';
import { LEARN_DEFAULTS, resolveThreshold, validateLearnConfig, type LearnConfig } from './learnConfig.js';
import { applyEvaluation, splitStepper } from './learnDynamics.js';
import { createReferenceLabeller, type LearnReferenceOptions } from './learnReference.js';
import { writeLearnReport } from './learnReport.js';
import {
  appendText, fileBytes, pathIn, readCheckpoint, restoreMd, snapshotMd, truncateToCheckpoint, writeCheckpoint,
  type LearnCheckpoint, type LearnRunSpec,
} from './learnState.js';
import { decideCall, initialThresholdState, recordCall, updateThreshold, type ThresholdState } from './learnThreshold.js';
import { calculateWithForceUncertainty } from './learnUncertainty.js';

export interface LearnOptions {
  start: Structure;
  reference: LearnReferenceOptions;
  steps: number;
  timestepFs: number;
  temperatureK: number;
  thermostat?: Thermostat;
  tauFs?: number;
  frictionPerFs?: number;
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

export interface LearnLogRow {
  step: number;
  timeFs: number;
  temperatureK: number;
  energyEv: number;
  /** Largest per-component Bayesian force error of the model at this step, eV/Å (NaN without a usable model). */
  maxForceSigmaEvPerA: number;
  thresholdEvPerA: number;
  called: boolean;
  refit: boolean;
  note: string;
}

export interface LearnSummary {
  dir: string;
  steps: number;
  calls: number;
  failedCalls: number;
  refits: number;
  trainingStructures: number;
  references: Record<string, number>;
  finalThresholdEvPerA: number;
  thresholdUpdates: number;
  /** Reference calls per 100 steps in the first and the last quarter of the run (this invocation's log). */
  callsPer100: { firstQuarter: number; lastQuarter: number };
  wallS: number;
  model: KernelModel;
}

const LOG_HEADER = 'step,time_fs,temperature_K,energy_eV,max_force_sigma_eV_per_A,threshold_eV_per_A,called,refit,note\n';

function logLine(r: LearnLogRow): string {
  const note = r.note.replace(/[,\n\r"]/g, ' ');
  return `${r.step},${r.timeFs},${r.temperatureK},${r.energyEv},${r.maxForceSigmaEvPerA},${r.thresholdEvPerA},${r.called ? 1 : 0},${r.refit ? 1 : 0},${note}\n`;
}

/** The usable-model test: the evidence did not collapse (γ ≥ 1 and σ_w not held at its upper bound). */
function usable(m: KernelModel | null): boolean {
  const info = m?.params.training?.solver;
  if (!m || !m.params.covarianceFactor) return false;
  if (!info) return true;
  return info.kind !== 'bayes' || (info.effectiveParameters >= 1 && info.bounded !== 'upper');
}

/** Re-read a frame from its extended-XYZ text, so the run and a resume feed the fit bit-identical structures. */
function normalise(s: Structure): { text: string; frame: Structure } {
  const text = formatExtxyzFrame(s);
  return { text, frame: parseXyzText(text, 'training.xyz')[0] };
}

interface Loop {
  dir: string;
  spec: LearnRunSpec;
  st: MdState;
  fit: IncrementalKernelFit | null;
  model: KernelModel | null;
  thr: ThresholdState;
  pending: Structure[];
  fittedBatches: number[];
  labelled: number;
  counters: LearnCheckpoint['counters'];
  wall0: number;
  wallBefore: number;
}

function checkpoint(L: Loop): void {
  writeCheckpoint(L.dir, {
    format: 'farfield-learn-state', version: 1, run: L.spec, step: L.st.step, md: snapshotMd(L.st), threshold: L.thr,
    fittedBatches: L.fittedBatches, labelled: L.labelled, counters: L.counters,
    bytes: { training: fileBytes(pathIn(L.dir, 'training')), trajectory: fileBytes(pathIn(L.dir, 'trajectory')), log: fileBytes(pathIn(L.dir, 'log')) },
    wallS: L.wallBefore + (Date.now() - L.wall0) / 1000,
  });
}

function fitConfig(spec: LearnRunSpec, species: string[]): IncrementalFitConfig {
  const f = spec.config.fit ?? {};
  return {
    descriptor: spec.descriptorSpec ?? resolveDescriptor(spec.descriptors, species, spec.descriptorHypers),
    ...(spec.descriptorSpec ? { balance: false } : {}),
    ...(f.weights ? { weights: f.weights } : {}), ...(f.solver ? { solver: f.solver } : {}),
    maxNewReferences: f.maxNewReferences ?? LEARN_DEFAULTS.fit.maxNewReferences,
    minDistance: f.minDistance ?? LEARN_DEFAULTS.fit.minDistance,
    maxReferences: f.maxReferences ?? LEARN_DEFAULTS.fit.maxReferences,
  };
}

/** Pass the pending frames to the incremental fit and solve; writes model.json. */
function refit(L: Loop, species: string[]): void {
  if (L.pending.length === 0) return;
  if (!L.fit) L.fit = IncrementalKernelFit.create(L.pending, fitConfig(L.spec, species));
  else L.fit.add(L.pending);
  L.fittedBatches.push(L.pending.length);
  L.pending = [];
  L.model = L.fit.solve();
  saveModel(L.model, pathIn(L.dir, 'model'));
  L.counters.refits++;
}

/** Start a new run in `o.out` (must not hold a previous run's state). */
export async function runLearn(o: LearnOptions, hooks: LearnHooks = {}): Promise<LearnSummary> {
  const config = validateLearnConfig(o.config ?? {}, 'learn configuration');
  if (!Number.isInteger(o.steps) || o.steps < 0) throw new FarfieldError('INVALID_INPUT', `learn: --steps must be an integer ≥ 0, got ${o.steps}`);
  if (!(o.timestepFs > 0) || !(o.timestepFs <= 20)) throw new FarfieldError('INVALID_INPUT', `learn: time step must be in (0, 20] fs, got ${o.timestepFs}`);
  if (!(o.temperatureK >= 0) || !Number.isFinite(o.temperatureK)) throw new FarfieldError('INVALID_INPUT', `learn: temperature must be ≥ 0 K, got ${o.temperatureK}`);
  mkdirSync(o.out, { recursive: true });
  if (fileBytes(pathIn(o.out, 'state')) > 0)
    throw new FarfieldError('INVALID_INPUT', `learn: ${o.out} already holds a run (state.json); continue it with --resume ${o.out} or choose another --out`);
  const spec: LearnRunSpec = {
    reference: o.reference, steps: o.steps, timestepFs: o.timestepFs, temperatureK: o.temperatureK,
    thermostat: o.thermostat ?? 'bussi', tauFs: o.tauFs ?? 100, frictionPerFs: o.frictionPerFs ?? 0.01, seed: o.seed ?? 1,
    descriptors: o.descriptors ?? config.fit?.descriptors ?? LEARN_DEFAULTS.fit.descriptors,
    ...(o.descriptorHypers ?? config.fit?.descriptorHypers ? { descriptorHypers: o.descriptorHypers ?? config.fit?.descriptorHypers } : {}),
    config, seedFrames: o.training?.length ?? 0, ...(o.startModelPath ? { startModel: o.startModelPath } : {}),
    ...(o.startModel ? { descriptorSpec: o.startModel.descriptor.toJSON() } : {}),
  };
  const labeller = createReferenceLabeller(o.reference, pathIn(o.out, 'start').replace(/start\.xyz$/, 'cp2k'));
  const species = learnSpecies(o.start, o.training ?? [], o.startModel);
  resolveDescriptor(spec.descriptors, species, spec.descriptorHypers); // validates the preset before any work
  const thrCfg = resolveThreshold(config.threshold);
  for (const f of ['training', 'trajectory'] as const) appendText(pathIn(o.out, f), '');
  appendText(pathIn(o.out, 'log'), LOG_HEADER);
  appendText(pathIn(o.out, 'start'), formatExtxyzFrame(o.start));
  const L: Loop = {
    dir: o.out, spec, st: null as unknown as MdState, fit: null, model: o.startModel ?? null, thr: initialThresholdState(thrCfg),
    pending: [], fittedBatches: [], labelled: 0, counters: { calls: 0, failedCalls: 0, refits: 0, modelSteps: 0 },
    wall0: Date.now(), wallBefore: 0,
  };
  for (const s of o.training ?? []) {
    const { text, frame } = normalise(s);
    appendText(pathIn(o.out, 'training'), text);
    L.pending.push(frame);
    L.labelled++;
  }
  // step 0: always labelled
  const first = await labeller.label(o.start, 'step-000000');
  L.counters.calls++;
  if (!first.ok) throw new FarfieldError('EXTERNAL', `learn: the reference failed twice on the start structure: ${first.reason}`);
  const f0 = provenance(first.structure, 0, NaN, L.thr.thresholdEvPerA);
  const { text, frame } = normalise(f0);
  appendText(pathIn(o.out, 'training'), text);
  L.pending.push(frame);
  L.labelled++;
  recordCall(L.thr, thrCfg, 0, undefined);
  refit(L, species);
  const icfg = integratorConfig(spec.thermostat, spec.timestepFs, spec.temperatureK, spec);
  const fixed = { name: 'reference', calculate: () => ({ energyEv: frame.labels.energyEv!, forcesEvPerA: frame.labels.forcesEvPerA!.slice() }) };
  L.st = createIntegrator(fixed, icfg).init(o.start, { temperatureK: spec.temperatureK, seed: spec.seed });
  const row0: LearnLogRow = { step: 0, timeFs: 0, temperatureK: temperatureK(L.st), energyEv: L.st.potentialEnergyEv, maxForceSigmaEvPerA: NaN, thresholdEvPerA: L.thr.thresholdEvPerA, called: true, refit: true, note: 'first step' };
  appendText(pathIn(o.out, 'log'), logLine(row0));
  appendText(pathIn(o.out, 'trajectory'), formatExtxyzFrame(stateToStructure(L.st)));
  hooks.onStep?.(row0);
  checkpoint(L);
  return loop(L, species, labeller, hooks);
}

/** Continue the run in `dir` from its last checkpoint. */
export async function resumeLearn(dir: string, hooks: LearnHooks = {}): Promise<LearnSummary> {
  const cp = readCheckpoint(dir);
  truncateToCheckpoint(dir, cp.bytes);
  const spec = cp.run;
  validateLearnConfig(spec.config, `${pathIn(dir, 'state')}: run.config`);
  const start = readStructures(pathIn(dir, 'start'))[0];
  const frames = parseXyzText(readFileSync(pathIn(dir, 'training'), 'utf8'), pathIn(dir, 'training'));
  if (frames.length !== cp.labelled)
    throw new FarfieldError('PARSE', `learn --resume: training.xyz holds ${frames.length} frames, the state expects ${cp.labelled}`, { file: pathIn(dir, 'training') });
  const species = learnSpecies(start, frames, undefined);
  const labeller = createReferenceLabeller(spec.reference, pathIn(dir, 'start').replace(/start\.xyz$/, 'cp2k'));
  const L: Loop = {
    dir, spec, st: null as unknown as MdState, fit: null, model: null, thr: cp.threshold, pending: [], fittedBatches: [],
    labelled: cp.labelled, counters: cp.counters, wall0: Date.now(), wallBefore: cp.wallS,
  };
  // replay the fit batch by batch (bit-identical accumulators), solve once
  let k = 0;
  for (const b of cp.fittedBatches) {
    const batch = frames.slice(k, k + b);
    if (!L.fit) L.fit = IncrementalKernelFit.create(batch, fitConfig(spec, species));
    else L.fit.add(batch);
    L.fittedBatches.push(b);
    k += b;
  }
  L.pending = frames.slice(k);
  if (L.fit) L.model = L.fit.solve();
  const icfg = integratorConfig(spec.thermostat, spec.timestepFs, spec.temperatureK, spec);
  const n = start.species.length;
  const dummy = { name: 'restore', calculate: () => ({ energyEv: 0, forcesEvPerA: new Float64Array(3 * n) }) };
  L.st = createIntegrator(dummy, icfg).init(start, { temperatureK: spec.temperatureK, seed: spec.seed });
  restoreMd(L.st, cp.md, cp.step);
  hooks.onMessage?.(`resumed at step ${cp.step} (${cp.labelled} labelled structures, ${cp.counters.calls} calls so far)`);
  return loop(L, species, labeller, hooks);
}

function learnSpecies(start: Structure, training: readonly Structure[], model: KernelModel | undefined): string[] {
  if (model) return model.descriptor.species.slice();
  return sortSpecies([start, ...training].flatMap((s) => s.symbols));
}

function provenance(s: Structure, step: number, sigma: number, threshold: number): Structure {
  const info: Structure['info'] = { ...s.info, learn_step: step, learn_threshold_eV_per_A: threshold };
  if (Number.isFinite(sigma)) info.learn_max_force_sigma_eV_per_A = sigma;
  const { velocities: _v, ...arrays } = s.arrays;
  return { ...s, info, arrays };
}

async function loop(L: Loop, species: string[], labeller: ReturnType<typeof createReferenceLabeller>, hooks: LearnHooks): Promise<LearnSummary> {
  const { spec, dir } = L;
  const cfg = resolveThreshold(spec.config.threshold);
  const every = spec.config.every ?? LEARN_DEFAULTS.every;
  const cpEvery = spec.config.checkpointEvery ?? LEARN_DEFAULTS.checkpointEvery;
  const stepper = splitStepper(integratorConfig(spec.thermostat, spec.timestepFs, spec.temperatureK, spec));
  const firstStep = L.st.step;
  const callSteps: number[] = [];
  while (L.st.step < spec.steps) {
    const st = L.st;
    const step = st.step + 1;
    stepper.before(st);
    const s = stateToStructure(st);
    const good = usable(L.model);
    const ev = L.model && good ? calculateWithForceUncertainty(L.model, s) : null;
    const sigma = ev ? ev.maxForceSigmaEvPerA : NaN;
    const decision = decideCall(L.thr, cfg, step, sigma, good);
    let called = false, refitted = false, note = '';
    if (decision !== 'model') {
      const tag = `step-${String(step).padStart(6, '0')}`;
      const out = await labeller.label(s, tag);
      L.counters.calls++;
      if (out.ok) {
        const lab = out.structure.labels;
        applyEvaluation(st, lab.energyEv!, lab.forcesEvPerA!, lab.stressEvPerA3, labeller.name);
        const { text, frame } = normalise(provenance(out.structure, step, sigma, L.thr.thresholdEvPerA));
        appendText(pathIn(dir, 'training'), text);
        L.pending.push(frame);
        L.labelled++;
        recordCall(L.thr, cfg, step, good ? sigma : undefined);
        called = true;
        callSteps.push(step);
        if (decision === 'call-now' || L.pending.length >= cfg.batch) {
          refit(L, species);
          refitted = true;
          const before = L.thr.thresholdEvPerA;
          if (updateThreshold(L.thr, cfg)) hooks.onMessage?.(`step ${step}: threshold ${before.toPrecision(3)} → ${L.thr.thresholdEvPerA.toPrecision(3)} eV/Å`);
        }
        if (out.attempts > 1) note = 'retried';
      } else {
        L.counters.failedCalls++;
        note = `reference failed twice, skipped: ${out.reason}`;
        hooks.onMessage?.(`step ${step}: ${note}`);
        if (!ev) throw new FarfieldError('EXTERNAL', `learn: no usable model yet and the reference failed twice at step ${step}: ${out.reason}`);
      }
    }
    if (!called) {
      if (!ev) throw new FarfieldError('NUMERIC', 'learn: no evaluation at a model step');
      applyEvaluation(st, ev.energyEv, ev.forcesEvPerA!, ev.stressEvPerA3, 'the model');
      L.counters.modelSteps++;
    }
    stepper.after(st);
    const row: LearnLogRow = {
      step, timeFs: st.timeFs, temperatureK: temperatureK(st), energyEv: st.potentialEnergyEv, maxForceSigmaEvPerA: sigma,
      thresholdEvPerA: L.thr.thresholdEvPerA, called, refit: refitted, note,
    };
    appendText(pathIn(dir, 'log'), logLine(row));
    if (step % every === 0 || step === spec.steps) appendText(pathIn(dir, 'trajectory'), formatExtxyzFrame(stateToStructure(st)));
    if (called || step % cpEvery === 0 || step === spec.steps) checkpoint(L);
    hooks.onProgress?.({
      phase: 'learn', done: step, total: spec.steps,
      message: `T ${row.temperatureK.toFixed(0)} K, σF ${Number.isFinite(sigma) ? sigma.toFixed(3) : '–'} / ${L.thr.thresholdEvPerA.toFixed(3)} eV/Å, calls ${L.counters.calls}, refits ${L.counters.refits}`,
    });
    hooks.onStep?.(row);
  }
  if (L.pending.length > 0) {
    refit(L, species);
    checkpoint(L);
  }
  if (!L.model) throw new FarfieldError('NUMERIC', 'learn: no model at the end of the run');
  const summary = summarise(L, firstStep, callSteps);
  writeLearnReport(dir, hooks.test ?? [], L.model);
  return summary;
}

function summarise(L: Loop, firstStep: number, callSteps: number[]): LearnSummary {
  const span = L.spec.steps - firstStep;
  const q = Math.max(1, Math.floor(span / 4));
  const rate = (lo: number, hi: number): number => (100 * callSteps.filter((s) => s > lo && s <= hi).length) / Math.max(1, hi - lo);
  const counts = L.fit?.referenceCounts() ?? [];
  return {
    dir: L.dir, steps: L.spec.steps, calls: L.counters.calls, failedCalls: L.counters.failedCalls, refits: L.counters.refits,
    trainingStructures: L.labelled,
    references: Object.fromEntries((L.fit?.species ?? []).map((s, t) => [s, counts[t]])),
    finalThresholdEvPerA: L.thr.thresholdEvPerA, thresholdUpdates: L.thr.updates,
    callsPer100: { firstQuarter: rate(firstStep, firstStep + q), lastQuarter: rate(L.spec.steps - q, L.spec.steps) },
    wallS: L.wallBefore + (Date.now() - L.wall0) / 1000,
    model: L.model!,
  };
}
