/**
 * Incremental kernel regression for on-the-fly learning (issue 15): structures and reference environments are added
 * as they arrive, and a refit costs O(new data + solve) instead of a full `fitKernelModel`.
 *
 * What is kept (per structure s, unscaled, in the column order of arrival):
 *   Φ_s (R_s × M) design rows of design.ts with unit row scaling, and the targets y_s (energy target (E − Σe⁰)/N).
 * What is accumulated, separately per row kind k ∈ {energy, forces, stress}:
 *   A_k = Σ_s Φ_{s,k}ᵀ Φ_{s,k} (M × M),  b_k = Σ_s Φ_{s,k}ᵀ y_{s,k},  (yᵀy)_k,  R_k.
 * The scaled normal equations of fit.ts (rows × W_k/σ_k) are then A = Σ_k c_k² A_k, b = Σ_k c_k² b_k, yᵀy = Σ_k c_k²(yᵀy)_k
 * with σ_E, σ_F, σ_S recomputed from all data at every solve (O(M²)), so the row scaling follows the growing set as
 * the offline fit's would (σ_E as the spread about the mean, since the frozen baseline leaves an offset).
 *
 * Costs: adding a structure = one descriptor pass + its design block against the current references
 * (O(M · reverse pass)) + a rank-R_s update of A (O(R_s M²)); adding m' references = for every stored structure one
 * descriptor pass + m' reverse passes (the new columns) + O(R m' M) for the new blocks of A — proportional to the new
 * columns, not to M; solve = O(M³) (solvers.ts). Memory: Σ_s R_s·M doubles for the kept rows (VASP keeps its design
 * matrix in the same way) plus 3 M² for the accumulators.
 *
 * Frozen at creation (from the first batch, like `fitKernelModel` would on that batch): the descriptor (incl. block
 * balancing of a composite), the kernel data (whitening of linear long-range blocks), the per-species baseline e⁰
 * and the species list. New references: farthest-point sampling on the kernel distance d²(a,b) = K_aa + K_bb − 2K_ab
 * among the environments of the new structures, against the references already held (the offline fit's default
 * 'fps' selection continued); a candidate is taken only while d² > minDistance · K_aa, at most `maxNewReferences`
 * per species per call and `maxReferences` per species in all. Block kernels with linear parts get their neutralised
 * rows and fixed pseudo-references exactly as in fit.ts (`blockReferences`).
 *
 * Determinism: the same sequence of `add` calls gives bit-identical accumulators and model (no threads, fixed
 * summation order), which `farfield learn --resume` relies on.
 */
import { FarfieldError, type Structure } from '../core/index.js';
import { ComputeContext, createDescriptor, type Descriptor, type DescriptorSpec } from '../descriptors/index.js';
import { getLinalg } from '../math/index.js';
import { bindBlockKernel, blockReferences, defaultKernelFor, fitKernelData } from './blockKernel.js';
import { DesignWorkspace, ReferenceSet, designBlock, gatherRows, groupAtoms, type RowScaling } from './design.js';
import { baselineEnergies, hashStructures } from './fit.js';
import { KernelModel, type KernelModelParams, type TrainingMetadata } from './kernelModel.js';
import { createKernel, type Kernel, type KernelSpec } from './kernels.js';
import { meanDensityDirections } from './meanDensity.js';
import { balanceBlocks, scaleColumns } from './scaling.js';
import { solve, type SolverConfig } from './solvers.js';

export interface IncrementalFitConfig {
  descriptor: DescriptorSpec;
  /** Default `defaultKernelFor(descriptor)` as in fit.ts. */
  kernel?: KernelSpec;
  /** Block balancing of a composite descriptor on the first batch (default true). */
  balance?: boolean;
  weights?: { energy?: number; forces?: number; stress?: number };
  /** Default bayes. */
  solver?: SolverConfig;
  /** New references per species per `add` call (default 8). */
  maxNewReferences?: number;
  /** Relative kernel distance below which an environment counts as known (default 1e-3). */
  minDistance?: number;
  /** References per species in all (default 1000). */
  maxReferences?: number;
}

export interface AddResult {
  /** References added per species (model species order). */
  newReferences: number[];
  /** Structures stored so far. */
  structures: number;
  /** Unknowns M after the call. */
  columns: number;
}

export interface AddOptions {
  /**
   * A weight ≥ 0 per atom of every new structure (e.g. the current model's squared force error there): new references
   * are picked by the largest weight × kernel distance² instead of the distance alone (default: plain FPS).
   */
  atomWeights?: readonly Float64Array[];
}

const KINDS = 3; // energy, forces, stress

interface Kept {
  structure: Structure;
  phi: Float64Array;
  y: Float64Array;
  /** rows per kind */
  rows: [number, number, number];
  cols: number;
}

interface Column {
  /** species index */
  t: number;
  /** -1: reference energy e_t; else the row index in `refRows[t]` */
  ref: number;
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

export class IncrementalKernelFit {
  readonly descriptor: Descriptor;
  readonly kernel: Kernel;
  readonly species: readonly string[];
  readonly baselineEv: Float64Array;
  private readonly width: number;
  private readonly config: IncrementalFitConfig;
  private readonly linearBlocks: boolean;
  /** Reference rows per species as the model uses them (neutralised for block kernels), count × D. */
  private refRows: Float64Array[];
  /** Raw feature rows per species (FPS distances), count × D. */
  private rawRows: Float64Array[];
  private rawDiag: Float64Array[];
  private columns: Column[] = [];
  private kept: Kept[] = [];
  private a: Float64Array[] = [];
  private b: Float64Array[] = [];
  private yy = [0, 0, 0];
  private rowCount = [0, 0, 0];
  private eRes: number[] = [];
  private fSq = 0;
  private fCount = 0;
  private sVals: number[] = [];
  /** Seconds spent in the last add (descriptors + design + accumulation) and solve. */
  readonly timingsS = { add: 0, extend: 0, solve: 0 };

  private constructor(config: IncrementalFitConfig, descriptor: Descriptor, kernel: Kernel, species: string[], base: Float64Array) {
    this.config = config;
    this.descriptor = descriptor;
    this.kernel = kernel;
    this.species = species;
    this.baselineEv = base;
    this.width = descriptor.width;
    this.refRows = species.map(() => new Float64Array(0));
    this.rawRows = species.map(() => new Float64Array(0));
    this.rawDiag = species.map(() => new Float64Array(0));
    const spec = kernel.toJSON();
    const pseudo = blockReferences(spec, new Float64Array(0), this.width);
    this.linearBlocks = pseudo.length > 0;
    species.forEach((_, t) => this.columns.push({ t, ref: -1 }));
    for (let k = 0; k < KINDS; k++) {
      this.a.push(new Float64Array(this.columns.length ** 2));
      this.b.push(new Float64Array(this.columns.length));
    }
    // fixed pseudo-references of linear parts (block kernels), for every species
    if (this.linearBlocks) {
      const np = pseudo.length / this.width;
      species.forEach((_, t) => this.appendReferences(t, pseudo, pseudo, np, false));
    }
  }

  /** Start from a first batch of labelled structures (≥ 1): freezes descriptor, kernel data, species and baseline. */
  static create(first: readonly Structure[], config: IncrementalFitConfig): IncrementalKernelFit {
    if (first.length === 0) throw new FarfieldError('INVALID_INPUT', 'incremental fit: the first batch is empty');
    for (const [k, v] of Object.entries(config.weights ?? {}))
      if (!(v >= 0) || !Number.isFinite(v)) throw new FarfieldError('INVALID_INPUT', `incremental fit: weight '${k}' must be a finite number ≥ 0, got ${v}`);
    let descriptor = createDescriptor(config.descriptor);
    const kernelSpec = bindBlockKernel(config.kernel ?? defaultKernelFor(descriptor), descriptor);
    const d = descriptor.width;
    const present = new Set<string>();
    for (const s of first) for (const sym of s.symbols) present.add(sym);
    for (const sym of present)
      if (!descriptor.species.includes(sym))
        throw new FarfieldError('INVALID_INPUT', `incremental fit: species '${sym}' is not in the descriptor's species list [${descriptor.species.join(', ')}]`);
    const species = descriptor.species.filter((s) => present.has(s));
    const features = first.map((s) => descriptor.compute(s, new ComputeContext(s)).features.data);
    const balance = config.balance ?? true ? balanceBlocks(descriptor, features) : null;
    if (balance) {
      for (const f of features) scaleColumns(f, balance.columnFactors);
      descriptor = createDescriptor(balance.spec);
    }
    const kernel = createKernel(fitKernelData(kernelSpec, features, d, meanDensityDirections(descriptor.toJSON())));
    const fit = new IncrementalKernelFit(config, descriptor, kernel, species, baselineEnergies(first, species));
    fit.add(first);
    return fit;
  }

  get structures(): number {
    return this.kept.length;
  }

  get nColumns(): number {
    return this.columns.length;
  }

  /** Reference environments selected per species (model species order), without the fixed pseudo-references of linear blocks. */
  selectedReferenceCounts(): number[] {
    return this.rawDiag.map((r) => r.length);
  }

  /** References per species (model species order), pseudo-references included. */
  referenceCounts(): number[] {
    return this.refRows.map((r) => r.length / this.width);
  }

  private unitScaling(): RowScaling {
    return { energy: 1, forces: 1, stress: 1, baselineEv: this.baselineEv };
  }

  /** Append `count` rows to species t: model rows `rows`, raw rows `raw` (FPS); extends the columns (no data yet). */
  private appendReferences(t: number, rows: Float64Array, raw: Float64Array, count: number, computeDiag = true): void {
    const d = this.width;
    const old = this.refRows[t].length / d;
    const grow = (x: Float64Array, add: Float64Array): Float64Array => {
      const y = new Float64Array(x.length + count * d);
      y.set(x);
      y.set(add.subarray(0, count * d), x.length);
      return y;
    };
    this.refRows[t] = grow(this.refRows[t], rows);
    if (computeDiag) {
      this.rawRows[t] = grow(this.rawRows[t], raw);
      const diag = new Float64Array(this.rawDiag[t].length + count);
      diag.set(this.rawDiag[t]);
      for (let c = 0; c < count; c++) {
        const r = this.kernel.prepare(raw.subarray(c * d, (c + 1) * d), 1, d);
        diag[this.rawDiag[t].length + c] = this.kernel.matrix(r, r)[0];
      }
      this.rawDiag[t] = diag;
    }
    for (let c = 0; c < count; c++) this.columns.push({ t, ref: old + c });
  }

  /**
   * FPS among `cand` (n × D raw rows of species t) against the references held; returns picked row indices. With
   * `weight` (≥ 0 per candidate) the greedy step takes the largest weight × distance² instead of the largest distance²
   * (the stopping rule on the distance is unchanged).
   */
  private pickNew(t: number, cand: Float64Array, n: number, budget: number, weight?: Float64Array): number[] {
    const d = this.width;
    const k = this.kernel;
    if (n === 0 || budget <= 0) return [];
    const ca = k.prepare(cand, n, d);
    const kcc = k.matrix(ca, ca);
    const minD = new Float64Array(n);
    const diag = new Float64Array(n);
    for (let a = 0; a < n; a++) {
      diag[a] = kcc[a * n + a];
      minD[a] = diag[a];
    }
    const held = this.rawDiag[t].length;
    if (held > 0) {
      const kr = k.matrix(ca, k.prepare(this.rawRows[t], held, d));
      for (let a = 0; a < n; a++)
        for (let b = 0; b < held; b++) minD[a] = Math.min(minD[a], diag[a] + this.rawDiag[t][b] - 2 * kr[a * held + b]);
    }
    const eps = this.config.minDistance ?? 1e-3;
    const picked: number[] = [];
    const score = (a: number): number => (minD[a] > eps * Math.abs(diag[a]) ? (weight ? weight[a] * minD[a] : minD[a]) : -1);
    while (picked.length < budget) {
      let best = -1;
      for (let a = 0; a < n; a++) if (best < 0 || score(a) > score(best)) best = a;
      if (!(minD[best] > eps * Math.abs(diag[best]))) break;
      picked.push(best);
      for (let a = 0; a < n; a++) minD[a] = Math.min(minD[a], diag[a] + diag[best] - 2 * kcc[a * n + best]);
    }
    return picked.sort((p, q) => p - q);
  }

  /**
   * Add labelled structures: new reference environments are picked among theirs (FPS, see the header), the kept
   * structures get the new columns, then the new structures' rows are accumulated. Nothing is solved here.
   */
  add(structures: readonly Structure[], options: AddOptions = {}): AddResult {
    const t0 = now();
    const d = this.width;
    const species = this.species;
    structures.forEach((s, k) => {
      const L = s.labels;
      if (L.energyEv === undefined && !L.forcesEvPerA && !L.stressEvPerA3)
        throw new FarfieldError('INVALID_INPUT', `incremental fit: structure ${k} has no energy, forces or stress labels`);
      groupAtoms(s, species, 'incremental fit');
    });
    // 1. descriptors of the new structures (kept for their design blocks below)
    const outs = structures.map((s) => {
      const ctx = new ComputeContext(s);
      const out = this.descriptor.compute(s, ctx);
      return { ctx, features: out.features.data, saved: out.saved };
    });
    // 2. new references per species among the new environments
    const maxNew = this.config.maxNewReferences ?? 8;
    const maxRefs = this.config.maxReferences ?? 1000;
    const newRaw: Float64Array[] = [];
    const newCounts: number[] = [];
    species.forEach((sym, t) => {
      const rows: Float64Array[] = [];
      const w: number[] = [];
      structures.forEach((s, k) => {
        for (let i = 0; i < s.species.length; i++)
          if (s.symbols[s.species[i]] === sym) {
            rows.push(outs[k].features.subarray(i * d, (i + 1) * d));
            if (options.atomWeights) w.push(options.atomWeights[k][i]);
          }
      });
      const cand = new Float64Array(rows.length * d);
      rows.forEach((r, i) => cand.set(r, i * d));
      const budget = Math.min(maxNew, maxRefs - this.rawDiag[t].length);
      const pick = this.pickNew(t, cand, rows.length, budget, options.atomWeights ? Float64Array.from(w) : undefined);
      newRaw.push(gatherRows(cand, d, pick));
      newCounts.push(pick.length);
    });
    const added = newCounts.reduce((p, q) => p + q, 0);
    // 3. extend the kept structures by the new columns
    const t1 = now();
    const mOld = this.columns.length;
    if (added > 0) {
      const modelRows = newRaw.map((r) => (this.linearBlocks ? blockReferences(this.kernel.toJSON(), r, d).subarray(0, r.length) : r));
      const subset = new ReferenceSet(this.kernel, species, modelRows, d);
      species.forEach((_, t) => {
        if (newCounts[t] > 0) this.appendReferences(t, modelRows[t], newRaw[t], newCounts[t]);
      });
      this.extendKept(subset, mOld);
    }
    this.timingsS.extend = (now() - t1) / 1000;
    // 4. rows of the new structures against all references
    const refs = this.referenceSet();
    const la = getLinalg('auto', { threads: 1 });
    const ws = new DesignWorkspace();
    const m = this.columns.length;
    structures.forEach((s, k) => {
      const o = outs[k];
      const blk = designBlock(s, this.descriptor, o.ctx, o.features, o.saved, refs, this.unitScaling(),
        { useEnergy: true, useForces: true, useStress: true }, ws);
      const phi = this.toArrivalOrder(blk.phi, blk.rows, refs);
      const rows: [number, number, number] = [blk.energyRows, blk.forceRows, blk.stressRows];
      this.accumulate(phi, blk.y, rows, m, la);
      this.kept.push({ structure: s, phi, y: blk.y, rows, cols: m });
      this.collectStats(blk.y, rows);
    });
    this.timingsS.add = (now() - t0) / 1000;
    return { newReferences: newCounts, structures: this.kept.length, columns: this.columns.length };
  }

  /** ReferenceSet in model layout (species-major) for the current references. */
  private referenceSet(): ReferenceSet {
    return new ReferenceSet(this.kernel, this.species, this.refRows.slice(), this.width);
  }

  /** Column permutation: arrival column c ↦ model-layout column of `refs`. */
  private modelColumn(c: number, refs: ReferenceSet): number {
    const col = this.columns[c];
    return col.ref < 0 ? refs.energyColumn(col.t) : refs.offsets[col.t] + col.ref;
  }

  private toArrivalOrder(phi: Float64Array, rows: number, refs: ReferenceSet): Float64Array {
    const m = this.columns.length;
    const map = Int32Array.from({ length: m }, (_, c) => this.modelColumn(c, refs));
    const out = new Float64Array(rows * m);
    for (let r = 0; r < rows; r++) for (let c = 0; c < m; c++) out[r * m + c] = phi[r * m + map[c]];
    return out;
  }

  private accumulate(phi: Float64Array, y: Float64Array, rows: [number, number, number], m: number, la = getLinalg('auto', { threads: 1 })): void {
    let r0 = 0;
    for (let k = 0; k < KINDS; k++) {
      const r = rows[k];
      if (r > 0) {
        la.syrkAccumulate(phi.subarray(r0 * m, (r0 + r) * m), r, m, this.a[k]);
        la.gemvTransposeAccumulate(phi.subarray(r0 * m, (r0 + r) * m), r, m, y.subarray(r0, r0 + r), this.b[k]);
        for (let q = r0; q < r0 + r; q++) this.yy[k] += y[q] * y[q];
        this.rowCount[k] += r;
      }
      r0 += r;
    }
  }

  private collectStats(y: Float64Array, rows: [number, number, number]): void {
    if (rows[0] > 0) this.eRes.push(y[0]);
    for (let q = rows[0]; q < rows[0] + rows[1]; q++) {
      this.fSq += y[q] * y[q];
      this.fCount++;
    }
    for (let q = rows[0] + rows[1]; q < rows[0] + rows[1] + rows[2]; q++) this.sVals.push(y[q]);
  }

  /** New columns [mOld, M) for every kept structure; grows A_k and b_k with the cross blocks. */
  private extendKept(subset: ReferenceSet, mOld: number): void {
    const m = this.columns.length;
    const mNew = m - mOld;
    const ws = new DesignWorkspace();
    const grownA = this.a.map((a) => {
      const g = new Float64Array(m * m);
      for (let i = 0; i < mOld; i++) g.set(a.subarray(i * mOld, (i + 1) * mOld), i * m);
      return g;
    });
    const grownB = this.b.map((b) => {
      const g = new Float64Array(m);
      g.set(b);
      return g;
    });
    for (const kp of this.kept) {
      const s = kp.structure;
      const ctx = new ComputeContext(s);
      const out = this.descriptor.compute(s, ctx);
      const blk = designBlock(s, this.descriptor, ctx, out.features.data, out.saved, subset, this.unitScaling(),
        { useEnergy: true, useForces: true, useStress: true }, ws);
      const ms = subset.nColumns;
      const R = blk.rows;
      const phi = new Float64Array(R * m);
      for (let r = 0; r < R; r++) {
        phi.set(kp.phi.subarray(r * mOld, (r + 1) * mOld), r * m);
        for (let c = 0; c < mNew; c++) phi[r * m + mOld + c] = blk.phi[r * ms + c]; // subset refs are species-major, like the arrival order of this call
      }
      let r0 = 0;
      for (let k = 0; k < KINDS; k++) {
        const A = grownA[k], B = grownB[k];
        for (let r = r0; r < r0 + kp.rows[k]; r++) {
          const row = phi.subarray(r * m, (r + 1) * m);
          const yr = kp.y[r];
          for (let c = mOld; c < m; c++) {
            const v = row[c];
            if (v === 0) continue;
            for (let j = 0; j < m; j++) A[c * m + j] += v * row[j];
            B[c] += v * yr;
          }
        }
        // mirror the new rows into the new columns of the old rows
        for (let c = mOld; c < m; c++) for (let j = 0; j < mOld; j++) A[j * m + c] = A[c * m + j];
        r0 += kp.rows[k];
      }
      kp.phi = phi;
      kp.cols = m;
    }
    this.a = grownA;
    this.b = grownB;
  }

  /** Row scalings c_k = W_k/σ_k from all data (fit.ts step 4). */
  scaling(): { energy: number; forces: number; stress: number; sigmaE: number; sigmaF: number; sigmaS: number } {
    const rms = (v: number[]): number => Math.sqrt(v.reduce((p, q) => p + q * q, 0) / Math.max(1, v.length));
    // σ_E about the mean: the baseline is frozen at the first batch, so the energies of later structures carry an
    // offset that the δe_t columns absorb; the offline fit (baseline on all data) sees only the spread
    const meanE = this.eRes.length ? this.eRes.reduce((p, q) => p + q, 0) / this.eRes.length : 0;
    const sigmaE = rms(this.eRes.map((v) => v - meanE)) || 1;
    const sigmaF = Math.sqrt(this.fSq / Math.max(1, this.fCount)) || 1;
    const meanS = this.sVals.length ? this.sVals.reduce((p, q) => p + q, 0) / this.sVals.length : 0;
    const sigmaS = rms(this.sVals.map((v) => v - meanS)) || 1;
    const w = this.config.weights ?? {};
    return { energy: (w.energy ?? 1) / sigmaE, forces: (w.forces ?? 1) / sigmaF, stress: (w.stress ?? 1) / sigmaS, sigmaE, sigmaF, sigmaS };
  }

  /** Solve the scaled normal equations and build the model (covariance factor stored for uncertainties). */
  solve(): KernelModel {
    const t0 = now();
    const m = this.columns.length;
    const sc = this.scaling();
    const c2 = [sc.energy ** 2, sc.forces ** 2, sc.stress ** 2];
    const A = new Float64Array(m * m), B = new Float64Array(m);
    let yy = 0, rows = 0;
    for (let k = 0; k < KINDS; k++) {
      if (c2[k] === 0 || this.rowCount[k] === 0) continue;
      for (let q = 0; q < m * m; q++) A[q] += c2[k] * this.a[k][q];
      for (let q = 0; q < m; q++) B[q] += c2[k] * this.b[k][q];
      yy += c2[k] * this.yy[k];
      rows += this.rowCount[k];
    }
    if (rows === 0) throw new FarfieldError('INVALID_INPUT', 'incremental fit: no design rows (all weights zero or no labels)');
    const sol = solve({ n: m, a: A, b: B, yy, rows }, this.config.solver ?? { kind: 'bayes' }, true);
    const refs = this.referenceSet();
    const map = Int32Array.from({ length: m }, (_, c) => this.modelColumn(c, refs));
    const u = new Float64Array(m);
    for (let c = 0; c < m; c++) u[map[c]] = sol.weights[c];
    const params: KernelModelParams = {
      descriptor: this.descriptor.toJSON(),
      kernel: this.kernel.toJSON(),
      species: this.species.map((sym, t) => ({
        species: sym,
        features: this.refRows[t].slice(),
        weights: u.slice(refs.offsets[t], refs.offsets[t] + refs.counts[t]),
        referenceEnergyEv: this.baselineEv[t] + u[refs.energyColumn(t)],
      })),
      training: this.metadata(sol.info, sc),
    };
    if (sol.covarianceFactor) {
      const r = sol.covarianceFactor.rank;
      const data = new Float64Array(m * r);
      for (let c = 0; c < m; c++) data.set(sol.covarianceFactor.data.subarray(c * r, (c + 1) * r), map[c] * r);
      params.covarianceFactor = { rank: r, data };
    }
    this.timingsS.solve = (now() - t0) / 1000;
    return new KernelModel(params);
  }

  private metadata(info: TrainingMetadata['solver'], sc: ReturnType<IncrementalKernelFit['scaling']>): TrainingMetadata {
    const structures = this.kept.map((k) => k.structure);
    const counts = this.referenceCounts();
    const w = this.config.weights ?? {};
    return {
      dataHash: hashStructures(structures),
      structures: structures.length,
      atoms: structures.reduce((p, s) => p + s.species.length, 0),
      rows: { energy: this.rowCount[0], forces: this.rowCount[1], stress: this.rowCount[2] },
      selection: {
        method: 'fps-incremental', seed: 0,
        requested: Object.fromEntries(this.species.map((s) => [s, this.config.maxReferences ?? 1000])),
        candidates: Object.fromEntries(this.species.map((s, t) => [s, counts[t]])),
      },
      scaling: {
        sigmaEnergyEvPerAtom: sc.sigmaE, sigmaForceEvPerA: sc.sigmaF, sigmaStressEvPerA3: sc.sigmaS,
        weights: { energy: w.energy ?? 1, forces: w.forces ?? 1, stress: w.stress ?? 1 },
      },
      solver: info,
      timingsS: { ...this.timingsS },
      createdBy: 'farfield 0.1.0 (incremental)',
    };
  }
}
