/**
 * The on-the-fly learning loop as a session over explicit state (no files, no node:*; DESIGN.md "learn/"): the CLI
 * (learn.ts, with files and checkpoints) and the browser page (a Web Worker) drive the same code.
 *
 * `LearnSession.start` labels the start structure (step 0 is always a reference call), fits, and initialises MD;
 * `step()` advances one MD step: the model gives energy, forces and the force σ (learnUncertainty.ts), the threshold
 * logic (learnThreshold.ts) decides, a reference call replaces the model's evaluation at that step and adds the
 * structure to the training set, the incremental fit (model/incremental.ts) is refitted after `batch` candidates
 * (at once above immediateFactor × threshold). While the fit is degenerate (a single structure often is: the evidence
 * collapses to zero weights) every step is labelled and refitted until it is not. Everything that leaves the session
 * goes through a `LearnSink` (training frames as extended-XYZ text, log rows, trajectory frames, models,
 * checkpoints). `LearnSession.restore` rebuilds a session from a checkpoint and the training frames by replaying the
 * fit's batches (bit-identical normal equations).
 * With `config.async.maxInFlight` ≥ 1 a 'call' decision (with a usable model) does not wait: the structure is
 * submitted, MD runs on with the model's forces at that step, and the label joins the training set at a later step
 * boundary (learnAsync.ts: on arrival or after a fixed lag), where the `batch` rule decides the refit; the calls in
 * flight are part of the checkpoint and are submitted again by `restore`. 'call-now' decisions stay synchronous
 * (after every call in flight has joined).
 * A learned-charge kind (`descriptors` 'sr+q', 'sr+qeq', …; learnCharges.ts) has no incremental fit: each refit is
 * the offline charge fit of all frames so far (`chargeModel`), `model` is its ε part (the posterior part: σ, usability).
 */
import { FarfieldError, type Structure } from '../core/index.js';
import type { DescriptorSpec } from '../descriptors/index.js';
import { formatExtxyzFrame, parseXyzText } from '../io/index.js';
import { createIntegrator, stateToStructure, temperatureK, type BerendsenBarostatConfig, type IntegratorConfig, type MdState } from '../md/index.js';
import { IncrementalKernelFit, type ChargeModel, type FittedModel, type IncrementalFitConfig, type KernelModel } from '../model/index.js';
import { checkChargeRun, evaluateChargeStep, fitChargeKind, isChargeKind, posteriorPart } from './learnCharges.js';
import { descriptorPresetOf } from './modelKinds.js';
import { sortSpecies } from './describe.js';
import { resolveDescriptor } from './fit.js';
import { integratorConfig, runRamp, type Thermostat } from './mdConfig.js';
import { LEARN_DEFAULTS, resolveAsync, resolveThreshold, type LearnConfig, type ResolvedThresholdConfig } from './learnConfig.js';
import { callFrame, InFlightQueue, tagOf, type InFlightCall, type SettledCall } from './learnAsync.js';
import { applyEvaluation, requireStress, splitStepper, type SplitStepper } from './learnDynamics.js';
import { decideCall, initialThresholdState, observeEnergy, observeProbe, recordCall, resetForNewModel, updateThreshold, type ThresholdState } from './learnThreshold.js';
import { evaluateStep } from './learnUncertainty.js';
import { relabelStructures, type ReferenceLabelEngine } from './relabel.js';

export type LabelOutcome = { ok: true; structure: Structure; attempts: number } | { ok: false; reason: string; attempts: number };

export interface ReferenceLabeller {
  /** Provenance name, e.g. 'fumi-tosi' or 'cp2k-gfn1-xtb'. */
  readonly name: string;
  /** Label one structure; `tag` names the call (work directory). Never throws for a failed calculation. */
  label(s: Structure, tag: string): Promise<LabelOutcome>;
}

/** One try, then one retry; the reason of the last failure when both fail. */
export async function withRetry(f: (attempt: number) => Promise<Structure>): Promise<LabelOutcome> {
  let reason = '';
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      const s = await f(attempt);
      if (!Number.isFinite(s.labels.energyEv ?? NaN) || !s.labels.forcesEvPerA) throw new FarfieldError('NUMERIC', 'reference gave no finite energy/forces');
      return { ok: true, structure: s, attempts: attempt };
    } catch (e) {
      reason = e instanceof Error ? e.message : String(e);
    }
  }
  return { ok: false, reason, attempts: 2 };
}

/** A labeller for the built-in reference potentials (relabel.ts; browser-safe). */
export function builtinLabeller(engine: ReferenceLabelEngine, charges?: Readonly<Record<string, number>>): ReferenceLabeller {
  return {
    name: engine,
    label: async (s) => withRetry(async () => relabelStructures([s], { engine, ...(charges ? { charges } : {}), source: 'learn' })[0]),
  };
}

/**
 * Where the reference calls run when they go out as executor jobs (`learn --scheduler`): JSON-safe, stored in the
 * checkpoint so that a resume submits the same way. `workdir` default: `DIR/cluster`.
 */
export interface LearnClusterSpec {
  scheduler: 'local' | 'slurm';
  partition?: string;
  time?: string;
  cpusPerTask?: number;
  sbatchArgs?: readonly string[];
  workdir?: string;
}

/** What defines a run (stored in the checkpoint so that a resume needs no other argument). */
export interface LearnRunSpec {
  reference: { engine: string; method?: string; charges?: Readonly<Record<string, number>>; np?: number; nice?: number; maxNetForcePerAtom?: number; cluster?: LearnClusterSpec };
  steps: number;
  timestepFs: number;
  temperatureK: number;
  thermostat: Thermostat;
  tauFs: number;
  frictionPerFs: number;
  /** Berendsen barostat (`learn --pressure`; md's operator): NPT-like MD, the stress of every evaluation sets P. */
  barostat?: BerendsenBarostatConfig;
  /** End of a linear ramp of the thermostat target from temperatureK over the run's steps (md/ramp.ts), K. */
  temperatureEndK?: number;
  /** End of a linear ramp of the barostat target from barostat.pressureGpa over the run's steps, GPa. */
  pressureEndGpa?: number;
  /** Prescribed density ramp [A, B] over the run's steps, g/cm³ (md/ramp.ts; the start is scaled to A). NVT only. */
  densityGcm3?: [number, number];
  seed: number;
  descriptors: string;
  descriptorHypers?: Record<string, unknown>;
  /** Descriptor spec of a start model (used instead of the preset; not re-balanced). */
  descriptorSpec?: DescriptorSpec;
  config: LearnConfig;
  /** Seed training structures (leading frames of the training set that were given, not labelled here). */
  seedFrames: number;
  /** Model file the run started from (informational). */
  startModel?: string;
}

export interface LearnLogRow {
  step: number;
  timeFs: number;
  temperatureK: number;
  energyEv: number;
  /** The model's Bayesian force error at this step (largest per-atom σ norm), eV/Å (NaN without a usable model). */
  maxForceSigmaEvPerA: number;
  thresholdEvPerA: number;
  called: boolean;
  refit: boolean;
  /** ε: the model's σ(E)/N (exact, energy criterion), eV/atom; NaN without a usable model. */
  energySigmaEvPerAtom?: number;
  /** Whether maxForceSigmaEvPerA is the exact force σ (else the screen's estimate below the threshold). */
  forceSigmaExact?: boolean;
  note: string;
}

/** The session's part of a checkpoint (the file layer adds its byte counts). */
export interface SessionCheckpoint {
  run: LearnRunSpec;
  step: number;
  md: {
    timeFs: number;
    heatEv: number;
    potentialEnergyEv: number;
    positions: number[];
    velocities: number[];
    forces: number[];
    stress?: number[];
    cell: number[];
    rng: { words: number[]; spare: number | null };
  };
  threshold: ThresholdState;
  /** Training frames passed to the incremental fit, per `add` call in order (first = the creating batch). */
  fittedBatches: number[];
  /**
   * Indices into fittedBatches after which the fit was rebuilt from all frames so far (learnConfig.ts `fit.rebuild`).
   * Absent in checkpoints written before rebuilds existed: such a run is resumed without rebuilds.
   */
  rebuilds?: number[];
  /** Training frames so far (fitted + pending). */
  labelled: number;
  counters: { calls: number; failedCalls: number; refits: number; modelSteps: number; exactForceSigma?: number; escapes?: number };
  /** MD state after the last reference call within the escape limit (the escape guard rolls back to it). */
  rollback?: SessionCheckpoint['md'];
  /** Reference calls submitted and not yet joined (asynchronous labelling; absent = none). */
  inFlight?: InFlightCall[];
}

export interface LearnSink {
  /** A labelled structure joined the training set (its extended-XYZ text, exactly what a restore reads back). */
  training(text: string): void;
  log(row: LearnLogRow): void;
  /** A trajectory frame (every `every` steps and the last). */
  frame(text: string, step: number): void;
  /** A refit produced this model (a ChargeModel for the learned-charge kinds). */
  model(m: FittedModel): void;
  /** Take a checkpoint (after every reference call and every `checkpointEvery` steps). */
  checkpoint(cp: SessionCheckpoint): void;
  message?(line: string): void;
}

/** The usable-model test: the evidence did not collapse (γ ≥ 1 and σ_w not held at its upper bound). */
export function usableModel(m: KernelModel | null): boolean {
  const info = m?.params.training?.solver;
  if (!m || !m.params.covarianceFactor) return false;
  if (!info) return true;
  return info.kind !== 'bayes' || (info.effectiveParameters >= 1 && info.bounded !== 'upper');
}

/** Re-read a frame from its extended-XYZ text, so the run and a restore feed the fit bit-identical structures. */
function normalise(s: Structure): { text: string; frame: Structure } {
  const text = formatExtxyzFrame(s);
  return { text, frame: parseXyzText(text, 'training.xyz')[0] };
}

function provenance(s: Structure, step: number, sigma: number, threshold: number): Structure {
  const info: Structure['info'] = { ...s.info, learn_step: step, learn_threshold_eV_per_A: threshold };
  if (Number.isFinite(sigma)) info.learn_max_force_sigma_eV_per_A = sigma;
  const { velocities: _v, ...arrays } = s.arrays;
  return { ...s, info, arrays };
}

function snapshotMd(st: MdState): SessionCheckpoint['md'] {
  return {
    timeFs: st.timeFs, heatEv: st.heatEv, potentialEnergyEv: st.potentialEnergyEv,
    positions: Array.from(st.positions), velocities: Array.from(st.velocities), forces: Array.from(st.forces),
    ...(st.stressEvPerA3 ? { stress: Array.from(st.stressEvPerA3) } : {}),
    cell: Array.from(st.cell), rng: st.rng.getState(),
  };
}

/** The integrator of a run: thermostat plus the optional barostat. */
function runIntegrator(spec: LearnRunSpec): IntegratorConfig {
  return { ...integratorConfig(spec.thermostat, spec.timestepFs, spec.temperatureK, spec), ...(spec.barostat ? { barostat: spec.barostat } : {}), ...runRamp(spec.steps, spec) };
}

function restoreMd(st: MdState, md: SessionCheckpoint['md'], step: number): void {
  const n3 = st.positions.length;
  if (md.positions.length !== n3 || md.velocities.length !== n3 || md.forces.length !== n3)
    throw new FarfieldError('PARSE', `learn state: ${md.positions.length / 3} atoms in the state, ${n3 / 3} in the start structure`);
  st.positions.set(md.positions);
  st.velocities.set(md.velocities);
  st.forces.set(md.forces);
  st.cell.set(md.cell);
  st.potentialEnergyEv = md.potentialEnergyEv;
  if (md.stress) st.stressEvPerA3 = Float64Array.from(md.stress);
  st.step = step;
  st.timeFs = md.timeFs;
  st.heatEv = md.heatEv;
  st.rng.setState(md.rng);
}

export class LearnSession {
  fit: IncrementalKernelFit | null = null;
  /** The kernel model (for a learned-charge kind: the ε part of chargeModel, which carries the posterior). */
  model: KernelModel | null;
  /** Learned-charge kinds: the full model of the last refit (MD runs on it); null otherwise. */
  chargeModel: ChargeModel | null = null;
  st!: MdState;
  pending: Structure[] = [];
  /** Every training frame so far (seed frames, labels; the order of training.xyz). */
  frames: Structure[] = [];
  fittedBatches: number[] = [];
  /** See SessionCheckpoint.rebuilds; null = this run never rebuilds (an older checkpoint). */
  rebuilds: number[] | null = [];
  labelled = 0;
  counters: SessionCheckpoint['counters'] = { calls: 0, failedCalls: 0, refits: 0, modelSteps: 0, exactForceSigma: 0, escapes: 0 };
  /** MD state the escape guard rolls back to (learnThreshold.ts `escapeEvPerAtom`). */
  rollback: SessionCheckpoint['md'] | null = null;
  thr: ThresholdState;
  /** Steps at which this session (since start or restore) called the reference. */
  readonly callSteps: number[] = [];
  readonly firstStep: number;
  private readonly cfg: ResolvedThresholdConfig;
  private readonly stepper: SplitStepper;
  private readonly species: string[];
  private readonly queue: InFlightQueue;

  private constructor(readonly spec: LearnRunSpec, readonly labeller: ReferenceLabeller, readonly sink: LearnSink, species: string[],
    thr: ThresholdState | null, model: KernelModel | null, firstStep: number) {
    this.cfg = resolveThreshold(spec.config.threshold);
    this.thr = thr ?? initialThresholdState(this.cfg);
    this.model = model;
    this.species = species;
    this.firstStep = firstStep;
    this.stepper = splitStepper(runIntegrator(spec));
    this.queue = new InFlightQueue(resolveAsync(spec.config.async), (st, tag) => labeller.label(st, tag));
  }

  /** Species of a run: the start model's, else those of the start and seed structures (by atomic number). */
  static species(start: Structure, training: readonly Structure[], model?: KernelModel): string[] {
    if (model) return model.descriptor.species.slice();
    return sortSpecies([start, ...training].flatMap((s) => s.symbols));
  }

  /** Start: seed frames, step 0 labelled and fitted, MD initialised (velocities from the seed). */
  static async start(spec: LearnRunSpec, start: Structure, training: readonly Structure[], labeller: ReferenceLabeller, sink: LearnSink,
    startModel?: KernelModel): Promise<LearnSession> {
    const species = LearnSession.species(start, training, startModel);
    checkChargeRun(spec.descriptors, startModel !== undefined || spec.descriptorSpec !== undefined);
    if (!spec.descriptorSpec) resolveDescriptor(descriptorPresetOf(spec.descriptors), species, spec.descriptorHypers); // validates the preset before any work
    const S = new LearnSession(spec, labeller, sink, species, null, startModel ?? null, 0);
    for (const s of training) S.addTraining(s);
    const first = await labeller.label(start, 'step-000000');
    S.counters.calls++;
    if (!first.ok) throw new FarfieldError('EXTERNAL', `learn: the reference failed twice on the start structure: ${first.reason}`);
    const frame = S.addTraining(provenance(first.structure, 0, NaN, S.thr.thresholdEvPerA));
    recordCall(S.thr, S.cfg, 0, undefined);
    S.callSteps.push(0);
    S.refit();
    if (spec.barostat) requireStress(frame.labels.stressEvPerA3, `the reference (${labeller.name})`, 0);
    const stress = frame.labels.stressEvPerA3;
    const fixed = { name: 'reference', calculate: () => ({ energyEv: frame.labels.energyEv!, forcesEvPerA: frame.labels.forcesEvPerA!.slice(), ...(stress ? { stressEvPerA3: stress.slice() } : {}) }) };
    S.st = createIntegrator(fixed, runIntegrator(spec)).init(start, { temperatureK: spec.temperatureK, seed: spec.seed });
    S.rollback = snapshotMd(S.st);
    sink.log({ step: 0, timeFs: 0, temperatureK: temperatureK(S.st), energyEv: S.st.potentialEnergyEv, maxForceSigmaEvPerA: NaN, thresholdEvPerA: S.thr.thresholdEvPerA, called: true, refit: true, note: 'first step' });
    sink.frame(formatExtxyzFrame(stateToStructure(S.st)), 0);
    sink.checkpoint(S.checkpoint());
    return S;
  }

  /** Rebuild from a checkpoint and the training frames written up to it (replays the fit's batches). */
  static restore(cp: SessionCheckpoint, start: Structure, frames: readonly Structure[], labeller: ReferenceLabeller, sink: LearnSink): LearnSession {
    if (frames.length !== cp.labelled) throw new FarfieldError('PARSE', `learn state: ${frames.length} training frames, the state expects ${cp.labelled}`);
    const species = LearnSession.species(start, frames.slice(0, cp.run.seedFrames));
    const S = new LearnSession(cp.run, labeller, sink, species, cp.threshold, null, cp.step);
    S.labelled = cp.labelled;
    S.counters = { ...cp.counters };
    S.rollback = cp.rollback ?? null;
    S.rebuilds = cp.rebuilds ? [] : null;
    let k = 0;
    if (S.charged) { // each refit was a full fit of the frames so far: one fit of the frames fitted at the checkpoint
      k = cp.fittedBatches.reduce((a, b) => a + b, 0);
      S.fittedBatches.push(...cp.fittedBatches);
      if (k > 0) S.setChargeModel(fitChargeKind(cp.run.descriptors, frames.slice(0, k), species, cp.run.descriptorHypers, cp.run.config.fit ?? {}));
    } else cp.fittedBatches.forEach((b, i) => {
      const batch = frames.slice(k, k + b);
      if (!S.fit) S.fit = IncrementalKernelFit.create(batch, S.fitConfig());
      else S.fit.add(batch);
      S.fittedBatches.push(b);
      k += b;
      if (cp.rebuilds?.includes(i)) S.rebuildFit(frames.slice(0, k));
    });
    S.pending = frames.slice(k);
    S.frames = frames.slice();
    if (S.fit) S.model = S.fit.solve();
    const n = start.species.length;
    const dummy = { name: 'restore', calculate: () => ({ energyEv: 0, forcesEvPerA: new Float64Array(3 * n), stressEvPerA3: new Float64Array(9) }) };
    S.st = createIntegrator(dummy, runIntegrator(cp.run)).init(start, { temperatureK: cp.run.temperatureK, seed: cp.run.seed });
    S.queue.restore(cp.inFlight ?? []);
    restoreMd(S.st, cp.md, cp.step);
    return S;
  }

  /** Whether the run's model is a learned-charge kind (learnCharges.ts). */
  get charged(): boolean {
    return isChargeKind(this.spec.descriptors);
  }

  private setChargeModel(m: ChargeModel): void {
    this.chargeModel = m;
    this.model = posteriorPart(m);
  }

  get done(): boolean {
    return this.st.step >= this.spec.steps;
  }

  private fitConfig(): IncrementalFitConfig {
    const spec = this.spec, f = spec.config.fit ?? {};
    return {
      descriptor: spec.descriptorSpec ?? resolveDescriptor(spec.descriptors, this.species, spec.descriptorHypers),
      ...(spec.descriptorSpec ? { balance: false } : {}),
      ...(f.weights ? { weights: f.weights } : {}), ...(f.solver ? { solver: f.solver } : {}),
      maxNewReferences: f.maxNewReferences ?? LEARN_DEFAULTS.fit.maxNewReferences,
      minDistance: f.minDistance ?? LEARN_DEFAULTS.fit.minDistance,
      maxReferences: f.maxReferences ?? LEARN_DEFAULTS.fit.maxReferences,
    };
  }

  private addTraining(s: Structure): Structure {
    const { text, frame } = normalise(s);
    this.sink.training(text);
    this.pending.push(frame);
    this.frames.push(frame);
    this.labelled++;
    return frame;
  }

  /**
   * Rebuild the fit from `frames` in one batch (learnConfig.ts `fit.rebuild`) with the run's reference budget so far;
   * records the rebuild after the last batch.
   */
  private rebuildFit(frames: readonly Structure[]): void {
    // the budget the run's refits had: maxNewReferences per batch (the fit frozen on the start may have selected far
    // fewer — a perfect crystal has one environment per species and a degenerate kernel distance), at least what it held
    const c = this.fitConfig();
    const budget = Math.min(c.maxReferences ?? LEARN_DEFAULTS.fit.maxReferences,
      Math.max(1, ...this.fit!.selectedReferenceCounts(), (c.maxNewReferences ?? LEARN_DEFAULTS.fit.maxNewReferences) * this.fittedBatches.length));
    this.fit = IncrementalKernelFit.create(frames, { ...this.fitConfig(), maxNewReferences: budget });
    this.rebuilds!.push(this.fittedBatches.length - 1);
  }

  /** Frames fitted at the last (re)build of the fit: the creating batch, or all frames at the last rebuild. */
  private builtFrames(): number {
    const last = this.rebuilds && this.rebuilds.length > 0 ? this.rebuilds[this.rebuilds.length - 1] : 0;
    return this.fittedBatches.slice(0, last + 1).reduce((a, b) => a + b, 0);
  }

  /** Pass the pending frames to the incremental fit (rebuilt when the fitted frames doubled, `fit.rebuild`) and solve. */
  refit(): void {
    if (this.pending.length === 0) return;
    if (this.charged) {
      this.fittedBatches.push(this.pending.length);
      this.pending = [];
      const fitted = this.fittedBatches.reduce((a, b) => a + b, 0);
      this.setChargeModel(fitChargeKind(this.spec.descriptors, this.frames.slice(0, fitted), this.species, this.spec.descriptorHypers, this.spec.config.fit ?? {}));
      this.sink.model(this.chargeModel!);
      this.counters.refits++;
      resetForNewModel(this.thr);
      return;
    }
    if (!this.fit) this.fit = IncrementalKernelFit.create(this.pending, this.fitConfig());
    else this.fit.add(this.pending);
    this.fittedBatches.push(this.pending.length);
    this.pending = [];
    const fitted = this.fittedBatches.reduce((a, b) => a + b, 0);
    const mode = this.spec.config.fit?.rebuild ?? LEARN_DEFAULTS.fit.rebuild;
    if (this.rebuilds && mode === 'doubling' && this.fittedBatches.length > 1 && fitted >= 2 * this.builtFrames())
      this.rebuildFit(this.frames.slice(0, fitted));
    this.model = this.fit.solve();
    this.sink.model(this.model);
    this.counters.refits++;
    resetForNewModel(this.thr); // the screen's ratio and the energy level belong to the previous model
  }

  checkpoint(): SessionCheckpoint {
    return {
      run: this.spec, step: this.st.step, md: snapshotMd(this.st), threshold: this.thr, fittedBatches: this.fittedBatches.slice(),
      ...(this.rebuilds ? { rebuilds: this.rebuilds.slice() } : {}),
      labelled: this.labelled, counters: { ...this.counters }, ...(this.rollback ? { rollback: this.rollback } : {}),
      ...(this.queue.size > 0 ? { inFlight: this.queue.snapshot() } : {}),
    };
  }

  /** One MD step (see the module header). */
  async step(): Promise<LearnLogRow> {
    const st = this.st, cfg = this.cfg;
    const step = st.step + 1;
    const notes: string[] = [];
    const joinedBefore = this.labelled + this.counters.failedCalls;
    let refitted = this.join(await this.queue.due(step), notes);
    this.stepper.before(st);
    const s = stateToStructure(st);
    const good = usableModel(this.model);
    const sigmaEvery = this.spec.config.uncertaintyEvery ?? 1;
    const plain = good && this.model && step % sigmaEvery !== 0 ? (this.chargeModel ?? this.model).calculate(s, { forces: true, stress: s.pbc.every((p) => p) }) : null;
    const ev = plain ? null : this.model && good
      ? (this.chargeModel ? evaluateChargeStep(this.chargeModel, this.model, s, this.thr, cfg, step) : evaluateStep(this.model, s, this.thr, cfg, step)) : null;
    if (ev?.forceSigmaExact) this.counters.exactForceSigma = (this.counters.exactForceSigma ?? 0) + 1;
    const sigma = ev ? ev.maxForceSigmaEvPerA : NaN;
    if (ev) observeEnergy(this.thr, cfg, ev.energySigmaEvPerAtom);
    const decision = plain ? 'model' : decideCall(this.thr, cfg, step, sigma, good, ev?.energySigmaEvPerAtom, { calls: this.counters.calls, steps: this.spec.steps });
    if (decision === 'model' && ev?.forceSigmaExact && observeProbe(this.thr, cfg, sigma)) // learnThreshold.ts: automatic initial threshold
      notes.push(`threshold set to ${this.thr.thresholdEvPerA.toPrecision(3)} eV/Å (mean σ_max of ${cfg.initialFromSteps} model steps)`);
    let escaped = false;
    let called = false, submitted = false, note = '';
    if (decision === 'call' && ev && this.queue.cfg.maxInFlight > 0) {
      if (this.queue.full) notes.push(`${this.queue.size} calls in flight: step left to the model`);
      else {
        const { text, frame } = callFrame(s);
        this.queue.submit({ step, sigma, threshold: this.thr.thresholdEvPerA, text }, frame, tagOf(step));
        this.counters.calls++;
        // a screened σ is not a measurement (as for synchronous calls)
        recordCall(this.thr, cfg, step, ev.forceSigmaExact ? sigma : undefined);
        this.callSteps.push(step);
        submitted = true;
        notes.push('call submitted');
      }
    } else if (decision !== 'model') {
      if (this.queue.size > 0) refitted = this.join(await this.queue.drain(), notes) || refitted;
      const out = await this.labeller.label(s, `step-${String(step).padStart(6, '0')}`);
      this.counters.calls++;
      if (out.ok) {
        const lab = out.structure.labels;
        if (this.spec.barostat) requireStress(lab.stressEvPerA3, `the reference (${this.labeller.name})`, step);
        applyEvaluation(st, lab.energyEv!, lab.forcesEvPerA!, lab.stressEvPerA3, this.labeller.name);
        this.addTraining(provenance(out.structure, step, sigma, this.thr.thresholdEvPerA));
        // escape guard: the model was far off here although its σ did not say so (learnConfig.ts escapeEvPerAtom)
        const gapEvPerAtom = ev ? Math.abs(lab.energyEv! - ev.energyEv) / s.species.length : 0;
        escaped = cfg.escapeEvPerAtom > 0 && gapEvPerAtom > cfg.escapeEvPerAtom;
        // an escape stays out of the threshold history; a screened σ is not a measurement
        recordCall(this.thr, cfg, step, !escaped && good && ev?.forceSigmaExact ? sigma : undefined);
        called = true;
        this.callSteps.push(step);
        if (escaped) {
          this.counters.escapes = (this.counters.escapes ?? 0) + 1;
          note = `escape: reference energy ${(gapEvPerAtom * 1000).toFixed(0)} meV/atom from the model's`;
          this.sink.message?.(`step ${step}: ${note}; refit${this.rollback ? ', MD rolled back' : ''}`);
        }
        if (escaped || decision === 'call-now' || this.pending.length >= cfg.batch) {
          this.refitAndUpdate(step);
          refitted = true;
        }
        if (out.attempts > 1) note = note ? `${note}; retried` : 'retried';
      } else {
        this.counters.failedCalls++;
        note = `reference failed twice, skipped: ${out.reason}`;
        this.sink.message?.(`step ${step}: ${note}`);
        if (!ev) throw new FarfieldError('EXTERNAL', `learn: no usable model yet and the reference failed twice at step ${step}: ${out.reason}`);
      }
    }
    if (!called) {
      const m = plain ?? ev!;
      if (this.spec.barostat) requireStress(m.stressEvPerA3, 'the model', step);
      applyEvaluation(st, m.energyEv, m.forcesEvPerA!, m.stressEvPerA3, 'the model');
      this.counters.modelSteps++;
    }
    this.stepper.after(st);
    if (escaped && this.rollback) {
      const timeFs = st.timeFs;
      restoreMd(st, this.rollback, step);
      st.timeFs = timeFs;
      this.rollback = null; // one rollback per good call: a second escape before the next good call only refits
      note += '; MD rolled back to the last reference call within the limit';
    } else if (called && !escaped) this.rollback = snapshotMd(st);
    const row: LearnLogRow = {
      step, timeFs: st.timeFs, temperatureK: temperatureK(st), energyEv: st.potentialEnergyEv, maxForceSigmaEvPerA: sigma,
      thresholdEvPerA: this.thr.thresholdEvPerA, called: called || submitted, refit: refitted, energySigmaEvPerAtom: ev ? ev.energySigmaEvPerAtom : NaN,
      forceSigmaExact: ev?.forceSigmaExact ?? false, note: (note ? [note, ...notes] : notes).join('; '),
    };
    this.sink.log(row);
    const every = this.spec.config.every ?? LEARN_DEFAULTS.every;
    if (step % every === 0 || step === this.spec.steps) this.sink.frame(formatExtxyzFrame(stateToStructure(st)), step);
    const cpEvery = this.spec.config.checkpointEvery ?? LEARN_DEFAULTS.checkpointEvery;
    const joined = this.labelled + this.counters.failedCalls !== joinedBefore;
    if (called || submitted || joined || step % cpEvery === 0 || step === this.spec.steps) this.sink.checkpoint(this.checkpoint());
    return row;
  }

  /** Refit the pending frames and apply the threshold update (with its message). */
  private refitAndUpdate(step: number): void {
    this.refit();
    const before = this.thr.thresholdEvPerA;
    if (updateThreshold(this.thr, this.cfg)) this.sink.message?.(`step ${step}: threshold ${before.toPrecision(3)} → ${this.thr.thresholdEvPerA.toPrecision(3)} eV/Å`);
  }

  /**
   * Late labels join the training set (asynchronous labelling), in the order given; a failed call is counted and
   * skipped. Refits (with the threshold update) when `batch` candidates are pending. Returns true when it refitted.
   */
  private join(calls: readonly SettledCall[], notes: string[]): boolean {
    if (calls.length === 0) return false;
    const step = this.st.step;
    for (const c of calls) {
      if (c.outcome.ok) {
        const p = provenance(c.outcome.structure, c.step, c.sigma, c.threshold);
        this.addTraining({ ...p, info: { ...p.info, learn_joined_after_step: step } });
        notes.push(`label of step ${c.step} joined`);
      } else {
        this.counters.failedCalls++;
        const line = `call of step ${c.step}: reference failed twice, skipped: ${c.outcome.reason}`;
        notes.push(line);
        this.sink.message?.(`step ${step + 1}: ${line}`);
      }
    }
    if (this.pending.length < this.cfg.batch) return false;
    this.refitAndUpdate(step + 1);
    return true;
  }

  /** Wait for the calls still in flight and let them join (end of the run; `finish` needs none in flight). */
  async settle(): Promise<void> {
    if (this.queue.size === 0) return;
    this.join(await this.queue.drain(), []);
    this.sink.checkpoint(this.checkpoint());
  }

  /**
   * Refit the pending frames (end of the run) and return the final kernel model (for a learned-charge kind its ε
   * part; the full model is then `chargeModel`).
   */
  finish(): KernelModel {
    if (this.queue.size > 0) throw new FarfieldError('INVALID_INPUT', 'learn: calls still in flight at the end of the run (await settle() first)');
    if (this.pending.length > 0) {
      this.refit();
      this.sink.checkpoint(this.checkpoint());
    }
    if (!this.model) throw new FarfieldError('NUMERIC', 'learn: no model at the end of the run');
    if (this.spec.config.fit?.finalRefit && this.fit) {
      // one batch over the whole training set, as many references per species as the run selected (learnConfig.ts)
      const budget = Math.max(1, ...this.fit.selectedReferenceCounts());
      this.model = IncrementalKernelFit.create(this.frames, { ...this.fitConfig(), maxNewReferences: budget }).solve();
      this.sink.model(this.model);
    }
    return this.model;
  }

  /** Reference calls per 100 steps in the first and last quarter of this session's steps. */
  callRates(): { firstQuarter: number; lastQuarter: number } {
    const span = this.spec.steps - this.firstStep;
    const q = Math.max(1, Math.floor(span / 4));
    const rate = (lo: number, hi: number): number => (100 * this.callSteps.filter((s) => s > lo && s <= hi).length) / Math.max(1, hi - lo);
    return { firstQuarter: rate(this.firstStep, this.firstStep + q), lastQuarter: rate(this.spec.steps - q, this.spec.steps) };
  }
}
