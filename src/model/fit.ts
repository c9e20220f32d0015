/**
 * Fitting a kernel model (science.md §1.9–1.10): descriptors → sparse references per species → normal equations
 * accumulated structure by structure → solve.
 *
 * 1. Descriptors of every training structure (features kept, reverse-pass state dropped).
 * 2. Reference selection per species among all training environments of that species (CUR / FPS / random).
 * 3. Baseline per-species energies e⁰ from a least-squares fit of E_s/N_s on the composition fractions n_t/N_s
 *    (minimum-norm if the compositions are collinear); energy targets are E_s/N_s − Σ_t e⁰_t n_t/N_s, and the
 *    regression also fits corrections δe_t (columns n_t/N_s), so e_t = e⁰_t + δe_t is fitted per species, not a
 *    single mean.
 * 4. Row scaling (the paper: "entries made dimensionless by dividing by the standard deviation"): energy rows and
 *    targets × W_E/σ_E (σ_E = RMS of the baseline-corrected energies per atom), forces × W_F/σ_F (σ_F = RMS force
 *    component), stress × W_S/σ_S (σ_S = RMS deviation of the stress components from their mean); a σ of 0 is
 *    replaced by 1 in its unit.
 * 5. Normal equations ΦᵀΦ, Φᵀy accumulated per structure with syrk/gemv (the descriptor is recomputed, its reverse
 *    pass feeds the force/stress rows, see design.ts); never the whole design matrix. Two threads (parallelNormal.ts).
 * 6. Solve (solvers.ts); the model keeps the covariance factor for uncertainties when asked.
 */
import { FarfieldError, type ProgressCallback, type Structure } from '../core/index.js';
import { ComputeContext, createDescriptor, type Descriptor, type DescriptorSpec } from '../descriptors/index.js';
import { symmetricEigen } from '../math/index.js';
import { ReferenceSet, gatherRows, type RowScaling } from './design.js';
import { sha256Bytes } from './encoding.js';
import { createKernel, type Kernel, type KernelSpec } from './kernels.js';
import { bindBlockKernel, blockReferences, defaultKernelFor, fitKernelData } from './blockKernel.js';
import { balanceBlocks, scaleColumns } from './scaling.js';
import { meanDensityDirections } from './meanDensity.js';
import { KernelModel, type KernelModelParams, type TrainingMetadata } from './kernelModel.js';
import { selectReferences, type SelectionMethod } from './selection.js';
import { buildNormalEquations, type NormalEquationsJob, type NormalEquationsResult } from './parallelNormal.js';
import { computeFeaturesParallel } from './parallelFeatures.js';
import { solve, type SolverConfig } from './solvers.js';
import { singleDensityWarning } from './volumeResponse.js';

export interface SelectionConfig {
  /** Default 'fps' (O(n·count·D)); 'cur' costs one (count+block)³ eigendecomposition per block. */
  method?: SelectionMethod;
  /** References per species: one number for all, or per symbol (default 1000, or all candidates if fewer). */
  count?: number | Record<string, number>;
  seed?: number;
  /** CUR eigenvalue threshold (default 1e-10). */
  epsCur?: number;
  /** CUR block size (default max(count, 500)). */
  blockSize?: number;
}

export interface FitConfig {
  /** Descriptor spec (the api resolves preset names such as 'sr' to a spec). */
  descriptor: DescriptorSpec;
  /**
   * Kernel (default `defaultKernelFor(descriptor)`: the paper's polynomial ζ = 4 for a single descriptor; for a
   * multi-block composite such as 'sr+lr' the block kernel, polynomial on short-range + linear on long-range blocks).
   */
  kernel?: KernelSpec;
  /**
   * Automatic block balancing of a multi-block composite descriptor (scaling.ts): block weights rescaled so each
   * block's mean |X_k|² over the training environments is β_k/Σβ (default true; no effect on single descriptors).
   */
  balance?: boolean;
  selection?: SelectionConfig;
  /** User weights W_E, W_F, W_S (default 1 each; 0 drops the rows). */
  weights?: { energy?: number; forces?: number; stress?: number };
  /** Solver (default: bayes). */
  solver?: SolverConfig;
  /** Store the posterior covariance factor for uncertainties (default true). */
  uncertainty?: boolean;
  /** References per batched reverse pass (default: sized to a 64 MB upstream buffer, ≤ 256; see design.ts). */
  batch?: number;
  /**
   * Threads for the descriptors and the normal equations (default 2: this thread + one worker_threads worker, each
   * taking half of the structures, parallelFeatures.ts and parallelNormal.ts, when the fit is large enough to repay the
   * worker's start-up; falls back to 1 where workers are unavailable).
   */
  threads?: 1 | 2;
}

export interface FitResult {
  model: KernelModel;
  metadata: TrainingMetadata;
}

export const DEFAULT_SOLVER: SolverConfig = { kind: 'bayes' };

function rms(values: number[]): number {
  if (values.length === 0) return 0;
  let s = 0;
  for (const v of values) s += v * v;
  return Math.sqrt(s / values.length);
}

/** SHA-256 over positions, cell, pbc, species symbols and labels of the structures (order-sensitive). */
export function hashStructures(structures: readonly Structure[]): string {
  const parts: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const s of structures) {
    parts.push(enc.encode(`${s.symbols.join(',')}|${s.pbc.join(',')}|${s.labels.energyEv ?? ''}|`));
    parts.push(new Uint8Array(Int32Array.from(s.species).buffer));
    parts.push(new Uint8Array(Float64Array.from(s.positions).buffer));
    parts.push(new Uint8Array(Float64Array.from(s.cell).buffer));
    if (s.labels.forcesEvPerA) parts.push(new Uint8Array(Float64Array.from(s.labels.forcesEvPerA).buffer));
    if (s.labels.stressEvPerA3) parts.push(new Uint8Array(Float64Array.from(s.labels.stressEvPerA3).buffer));
  }
  let len = 0;
  for (const p of parts) len += p.length;
  const all = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return sha256Bytes(all);
}

/** Least-squares baseline e⁰ (minimum norm): E_s/N_s ≈ Σ_t e⁰_t n_{s,t}/N_s. */
export function baselineEnergies(structures: readonly Structure[], species: readonly string[]): Float64Array {
  const k = species.length;
  const a = new Float64Array(k * k);
  const b = new Float64Array(k);
  for (const s of structures) {
    if (s.labels.energyEv === undefined) continue;
    const n = s.species.length;
    const frac = new Float64Array(k);
    for (let i = 0; i < n; i++) frac[species.indexOf(s.symbols[s.species[i]])] += 1 / n;
    for (let p = 0; p < k; p++) {
      b[p] += frac[p] * (s.labels.energyEv / n);
      for (let q = 0; q < k; q++) a[p * k + q] += frac[p] * frac[q];
    }
  }
  const { values, vectors } = symmetricEigen(a, k);
  const lmax = values[k - 1];
  const e = new Float64Array(k);
  for (let nu = 0; nu < k; nu++) {
    if (!(values[nu] > 1e-12 * lmax)) continue;
    let z = 0;
    for (let j = 0; j < k; j++) z += vectors[j * k + nu] * b[j];
    for (let j = 0; j < k; j++) e[j] += (vectors[j * k + nu] * z) / values[nu];
  }
  return e;
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/** Step 0 of a fit: the validated inputs (descriptor, kernel spec, model species, weights). */
export interface FitSetup {
  descriptor: Descriptor;
  kernelSpec: KernelSpec;
  species: string[];
  width: number;
  weights: { energy: number; forces: number; stress: number };
}

/** Steps 1b–2 of a fit: the balanced descriptor, the fitted kernel and the references per species. */
export interface FitReferences {
  descriptor: Descriptor;
  kernel: Kernel;
  refFeatures: Float64Array[];
  balance: ReturnType<typeof balanceBlocks> | null;
  selection: TrainingMetadata['selection'];
}

/** Steps 3–4 of a fit: baseline energies and row scalings. */
export interface FitTargets {
  scaling: RowScaling;
  sigmas: { energy: number; forces: number; stress: number };
}

/** The normal equations of a fit (one `buildNormalEquations`, or the reduced sum of shards). */
export type FitNormalEquations = Pick<NormalEquationsResult, 'ata' | 'atb' | 'yy' | 'rows' | 'rowCount'>;

/** Validate the training set and configuration; fixes descriptor, kernel spec and model species. */
export function setupFit(structures: readonly Structure[], config: FitConfig): FitSetup {
  if (structures.length === 0) throw new FarfieldError('INVALID_INPUT', 'fit: no training structures');
  structures.forEach((s, k) => {
    const L = s.labels;
    if (L.energyEv === undefined && !L.forcesEvPerA && !L.stressEvPerA3)
      throw new FarfieldError('INVALID_INPUT', `fit: training structure ${k} has no energy, forces or stress labels`);
  });
  const descriptor = createDescriptor(config.descriptor);
  const kernelSpec = bindBlockKernel(config.kernel ?? defaultKernelFor(descriptor), descriptor);
  const wE = config.weights?.energy ?? 1;
  const wF = config.weights?.forces ?? 1;
  const wS = config.weights?.stress ?? 1;
  for (const [k, v] of Object.entries({ energy: wE, forces: wF, stress: wS }))
    if (!(v >= 0) || !Number.isFinite(v)) throw new FarfieldError('INVALID_INPUT', `fit: weight '${k}' must be a finite number ≥ 0, got ${v}`);

  // Model species: those present in the training data, in the descriptor's order.
  const present = new Set<string>();
  for (const s of structures) for (const sym of s.symbols) present.add(sym);
  for (const sym of present)
    if (!descriptor.species.includes(sym))
      throw new FarfieldError('INVALID_INPUT', `fit: species '${sym}' of the training data is not in the descriptor's species list [${descriptor.species.join(', ')}]`);
  const species = descriptor.species.filter((s) => present.has(s));
  return { descriptor, kernelSpec, species, width: descriptor.width, weights: { energy: wE, forces: wF, stress: wS } };
}

/** Step 1: descriptor features of every structure (N_s × D each); progress counts from `offset` of `total`. */
export function computeFeatures(structures: readonly Structure[], descriptor: Descriptor, onProgress: ProgressCallback = () => {},
  offset = 0, total = structures.length): Float64Array[] {
  const features: Float64Array[] = [];
  structures.forEach((s, k) => {
    features.push(descriptor.compute(s, new ComputeContext(s)).features.data);
    onProgress({ phase: 'descriptors', done: offset + k + 1, total });
  });
  return features;
}

/**
 * Steps 1b–2: block balancing (scales `features` in place), kernel data, reference selection per species among all
 * training environments in structure order. Deterministic for a given seed: the sharded fit calls it with the
 * features gathered from its shards and gets the same picks as the local fit.
 */
export function selectFitReferences(structures: readonly Structure[], features: Float64Array[], setup: FitSetup, config: FitConfig,
  onProgress: ProgressCallback = () => {}): FitReferences {
  let descriptor = setup.descriptor;
  const { species, kernelSpec, width: d } = setup;
  // 1b. block balancing (composite descriptors): the balanced weights go into the descriptor spec (saved in the model)
  const balance = config.balance ?? true ? balanceBlocks(descriptor, features) : null;
  if (balance) {
    for (const f of features) scaleColumns(f, balance.columnFactors);
    descriptor = createDescriptor(balance.spec);
  }
  // 1c. kernel data fitted on the training features (whitening of linear long-range kernels, blockKernel.ts)
  const kernel = createKernel(fitKernelData(kernelSpec, features, d, meanDensityDirections(descriptor.toJSON())));

  // 2. selection per species
  const sel = config.selection ?? {};
  const method = sel.method ?? 'fps';
  const seed = sel.seed ?? 0;
  const requested: Record<string, number> = {};
  const candidates: Record<string, number> = {};
  const refFeatures: Float64Array[] = [];
  species.forEach((sym, t) => {
    const rows: number[] = [];
    const owner: Float64Array[] = [];
    structures.forEach((s, k) => {
      for (let i = 0; i < s.species.length; i++)
        if (s.symbols[s.species[i]] === sym) {
          rows.push(i);
          owner.push(features[k]);
        }
    });
    const n = rows.length;
    const x = new Float64Array(n * d);
    for (let r = 0; r < n; r++) x.set(owner[r].subarray(rows[r] * d, rows[r] * d + d), r * d);
    const cnt = typeof sel.count === 'number' ? sel.count : sel.count?.[sym] ?? 1000;
    requested[sym] = cnt;
    candidates[sym] = n;
    const idx = selectReferences(x, n, d, kernel, {
      method, count: cnt, seed: seed + t, epsCur: sel.epsCur, blockSize: sel.blockSize,
      onProgress: (done, total) => onProgress({ phase: 'selection', done, total, message: sym }),
    });
    refFeatures.push(blockReferences(kernel.toJSON(), gatherRows(x, d, idx), d)); // + linear-part pseudo-references
  });
  return { descriptor, kernel, refFeatures, balance, selection: { method, seed, requested, candidates } };
}

/** Steps 3–4: baseline energies and row scalings (from the labels only). */
export function fitRowScaling(structures: readonly Structure[], setup: FitSetup): FitTargets {
  const { species } = setup;
  const baseline = baselineEnergies(structures, species);
  const eRes: number[] = [];
  const fVals: number[] = [];
  const sVals: number[] = [];
  for (const s of structures) {
    const n = s.species.length;
    if (s.labels.energyEv !== undefined) {
      let base = 0;
      for (let i = 0; i < n; i++) base += baseline[species.indexOf(s.symbols[s.species[i]])];
      eRes.push((s.labels.energyEv - base) / n);
    }
    if (s.labels.forcesEvPerA) for (const f of s.labels.forcesEvPerA) fVals.push(f);
    if (s.labels.stressEvPerA3 && s.pbc.every((p) => p)) {
      const st = s.labels.stressEvPerA3;
      sVals.push(st[0], st[4], st[8], 0.5 * (st[5] + st[7]), 0.5 * (st[2] + st[6]), 0.5 * (st[1] + st[3]));
    }
  }
  const sigmaE = rms(eRes) || 1;
  const sigmaF = rms(fVals) || 1;
  const meanS = sVals.length ? sVals.reduce((p, q) => p + q, 0) / sVals.length : 0;
  const sigmaS = rms(sVals.map((v) => v - meanS)) || 1;
  const w = setup.weights;
  return {
    scaling: { energy: w.energy / sigmaE, forces: w.forces / sigmaF, stress: w.stress / sigmaS, baselineEv: baseline },
    sigmas: { energy: sigmaE, forces: sigmaF, stress: sigmaS },
  };
}

/** Step 5's job description (plain data) for these structures — all of them, or one shard. */
export function normalEquationsJob(structures: readonly Structure[], setup: FitSetup, refs: FitReferences, targets: FitTargets,
  config: FitConfig): NormalEquationsJob {
  const w = setup.weights;
  return {
    structures, descriptor: refs.descriptor.toJSON(), kernel: refs.kernel.toJSON(), species: setup.species, refFeatures: refs.refFeatures,
    width: setup.width, scaling: targets.scaling, opts: { useEnergy: w.energy > 0, useForces: w.forces > 0, useStress: w.stress > 0, batch: config.batch },
  };
}

/** Step 6 and the model: solve the normal equations, attach the metadata. */
export function finishFit(structures: readonly Structure[], setup: FitSetup, refs: FitReferences, targets: FitTargets,
  normal: FitNormalEquations, config: FitConfig, timings: Record<string, number>, onProgress: ProgressCallback = () => {}): FitResult {
  const { species } = setup;
  const { ata, atb, yy, rows: nRows, rowCount } = normal;
  if (nRows === 0) throw new FarfieldError('INVALID_INPUT', 'fit: no design rows (all weights zero or no labels)');
  const refSet = new ReferenceSet(refs.kernel, species, refs.refFeatures, setup.width);
  const m = refSet.nColumns;
  const t0 = now();
  onProgress({ phase: 'solve', done: 0, total: 1 });
  const wantCov = config.uncertainty ?? true;
  const sol = solve({ n: m, a: ata, b: atb, yy, rows: nRows }, config.solver ?? DEFAULT_SOLVER, wantCov);
  onProgress({ phase: 'solve', done: 1, total: 1 });
  timings.solve = (now() - t0) / 1000;

  const densityWarning = singleDensityWarning(structures, setup.kernelSpec, rowCount.stress);
  if (densityWarning) sol.info.warnings = [...(sol.info.warnings ?? []), densityWarning];

  const baseline = targets.scaling.baselineEv;
  const w = setup.weights;
  const metadata: TrainingMetadata = {
    dataHash: hashStructures(structures),
    structures: structures.length,
    atoms: structures.reduce((p, s) => p + s.species.length, 0),
    rows: rowCount,
    selection: refs.selection,
    scaling: { sigmaEnergyEvPerAtom: targets.sigmas.energy, sigmaForceEvPerA: targets.sigmas.forces, sigmaStressEvPerA3: targets.sigmas.stress, weights: { ...w } },
    solver: sol.info,
    timingsS: timings,
    ...(refs.balance ? { blockBalance: refs.balance.blocks } : {}),
    createdBy: 'farfield 0.1.0',
  };
  const params: KernelModelParams = {
    descriptor: refs.descriptor.toJSON(),
    kernel: refs.kernel.toJSON(),
    species: species.map((sym, t) => ({
      species: sym,
      features: refs.refFeatures[t],
      weights: sol.weights.slice(refSet.offsets[t], refSet.offsets[t] + refSet.counts[t]),
      referenceEnergyEv: baseline[t] + sol.weights[refSet.energyColumn(t)],
    })),
    training: metadata,
  };
  if (sol.covarianceFactor) params.covarianceFactor = sol.covarianceFactor;
  return { model: new KernelModel(params), metadata };
}

/** Fit a kernel model to labelled structures (the steps above, in one process). */
export function fitKernelModel(structures: readonly Structure[], config: FitConfig, onProgress: ProgressCallback = () => {}): FitResult {
  const setup = setupFit(structures, config);
  const timings: Record<string, number> = {};
  let t0 = now();
  // 1. descriptors: structures split between this thread and one worker (parallelFeatures.ts; bitwise the same rows)
  const features = computeFeaturesParallel(structures, setup.descriptor, { threads: config.threads ?? 2, onProgress }).features;
  timings.descriptors = (now() - t0) / 1000;
  t0 = now();
  const refs = selectFitReferences(structures, features, setup, config, onProgress);
  timings.selection = (now() - t0) / 1000;
  // the references are copies: the training features (structures × atoms × D) are not needed past the selection
  // (the normal equations recompute each structure's descriptor), so they are not kept through steps 5–6
  features.length = 0;
  const targets = fitRowScaling(structures, setup);

  // 5. normal equations: structures split between this thread and one worker (parallelNormal.ts)
  t0 = now();
  const normal = buildNormalEquations(normalEquationsJob(structures, setup, refs, targets, config), { threads: config.threads ?? 2, onProgress });
  timings.normalEquations = (now() - t0) / 1000;
  return finishFit(structures, setup, refs, targets, normal, config, timings, onProgress);
}
