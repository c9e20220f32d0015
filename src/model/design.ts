/**
 * Reference sets, the batched descriptor reverse pass, and the design rows of the kernel regression
 * (science.md §1.9, §1.11).
 *
 * Model: E = Σ_i [e_{t(i)} + Σ_{b∈B_{t(i)}} w_b K(X_i, X_b)]. Unknowns (columns, M = Σ_t m_t + n_species):
 * the weights of every reference of every species, then one reference energy e_t per species.
 * Design rows of one structure s (N atoms, volume V), before scaling:
 *   energy per atom   Φ_{s,b} = (1/N) Σ_{i: t(i)=t(b)} K(X_i, X_b),   Φ_{s,e_t} = n_t/N,      target E_s/N
 *   force (k, α)      Φ_{kα,b} = −Σ_i ∂K(X_i,X_b)/∂X_i · ∂X_i/∂r_kα,   Φ_{kα,e_t} = 0,         target F_kα
 *   stress (α, β)     Φ_{αβ,b} = (1/V) Σ_i ∂K(X_i,X_b)/∂X_i · ∂X_i/∂ε_αβ (symmetrised, Voigt xx yy zz yz xz xy)
 * The force/stress column of reference b is the descriptor's vector–Jacobian product with the upstream gradient
 * G_b = (∂K(X_i,X_b)/∂X_i)_i — one reverse pass per reference, issued in batches through the descriptor's `vjp`
 * (factored upstream when the kernel has `factoredGradient`, factored.ts; else materialised rows).
 * Cost per structure: m·(cost of one reverse pass) + O(N·m·D) for the upstream gradients.
 */
import { FarfieldError, cellVolume, type Structure } from '../core/index.js';
import { rowsUpstream, type ComputeContext, type Descriptor, type DescriptorGradients } from '../descriptors/index.js';
import { asUpstream } from './factored.js';
import type { Kernel, KernelRows } from './kernels.js';

/** References of every species, prepared for the kernel; fixes the column layout. */
export class ReferenceSet {
  readonly species: readonly string[];
  readonly counts: Int32Array;
  readonly offsets: Int32Array;
  readonly prepared: KernelRows[];
  /** Total number of references. */
  readonly nRefs: number;
  /** Number of unknowns: references + one reference energy per species. */
  readonly nColumns: number;

  constructor(readonly kernel: Kernel, species: readonly string[], readonly features: Float64Array[], readonly width: number) {
    this.species = species.slice();
    this.counts = Int32Array.from(features, (f) => f.length / width);
    this.offsets = new Int32Array(species.length);
    let off = 0;
    for (let t = 0; t < species.length; t++) {
      this.offsets[t] = off;
      off += this.counts[t];
    }
    this.nRefs = off;
    this.nColumns = off + species.length;
    this.prepared = features.map((f, t) => kernel.prepare(f, this.counts[t], width));
  }

  /** Column of the reference energy of species t. */
  energyColumn(t: number): number {
    return this.nRefs + t;
  }
}

/** Atoms of a structure grouped by model species. */
export interface AtomGroups {
  /** Model species index of every atom. */
  speciesOf: Int32Array;
  /** Atom indices per model species. */
  atoms: Int32Array[];
}

export function groupAtoms(structure: Structure, species: readonly string[], where = 'kernel model'): AtomGroups {
  const map = structure.symbols.map((sym) => species.indexOf(sym));
  const n = structure.species.length;
  const speciesOf = new Int32Array(n);
  const counts = new Int32Array(species.length);
  for (let i = 0; i < n; i++) {
    const t = map[structure.species[i]];
    if (t < 0)
      throw new FarfieldError('INVALID_INPUT', `${where}: species '${structure.symbols[structure.species[i]]}' (atom ${i}) has no reference environments; the model knows [${species.join(', ')}]`);
    speciesOf[i] = t;
    counts[t]++;
  }
  const atoms = Array.from(counts, (c) => new Int32Array(c));
  const fill = new Int32Array(species.length);
  for (let i = 0; i < n; i++) atoms[speciesOf[i]][fill[speciesOf[i]]++] = i;
  return { speciesOf, atoms };
}

/** Rows idx of x (·×d) packed into a new array. */
export function gatherRows(x: Float64Array, d: number, idx: ArrayLike<number>): Float64Array {
  const out = new Float64Array(idx.length * d);
  for (let k = 0; k < idx.length; k++) out.set(x.subarray(idx[k] * d, idx[k] * d + d), k * d);
  return out;
}

/** Row scalings of the regression (multiply rows and targets). */
export interface RowScaling {
  /** W_E / σ_E (per eV/atom). */
  energy: number;
  /** W_F / σ_F (per eV/Å). */
  forces: number;
  /** W_S / σ_S (per eV/Å³). */
  stress: number;
  /** Baseline per-species energies e⁰_t (eV) subtracted from energy targets. */
  baselineEv: Float64Array;
}

export interface DesignBlock {
  rows: number;
  /** rows × M, row-major (scaled). */
  phi: Float64Array;
  /** rows (scaled targets). */
  y: Float64Array;
  energyRows: number;
  forceRows: number;
  stressRows: number;
}

const VOIGT: [number, number][] = [[0, 0], [1, 1], [2, 2], [1, 2], [0, 2], [0, 1]];

export interface DesignOptions {
  useEnergy: boolean;
  useForces: boolean;
  useStress: boolean;
  /** References per batched vjp call (default: as many as fit in UPSTREAM_BUDGET_BYTES, at most 256). */
  batch?: number;
  /** Materialise upstreams (row batches) even when the kernel can factor them (tests, benchmarks). */
  materialise?: boolean;
}

/** Memory for one batch of upstream gradients (count × N × D doubles) in `designBlock`. */
export const UPSTREAM_BUDGET_BYTES = 64 * 2 ** 20;

/** References per factored reverse pass: coefficients, rows and outputs (≈ 8·(6N + D) bytes each) within the budget. */
export function defaultFactoredBatch(atoms: number, width: number): number {
  return Math.max(1, Math.min(4096, Math.floor(UPSTREAM_BUDGET_BYTES / (8 * (6 * atoms + width + 9)))));
}

/** References per batched reverse pass for N atoms and width D: fills the upstream budget, 1 ≤ batch ≤ 256. */
export function defaultBatch(atoms: number, width: number): number {
  return Math.max(1, Math.min(256, Math.floor(UPSTREAM_BUDGET_BYTES / (8 * Math.max(1, atoms * width)))));
}

/** Buffers reused by `designBlock` across structures (saves allocating and collecting tens of MB per structure). */
export class DesignWorkspace {
  private up = new Float64Array(0);

  /** A zeroed buffer of at least `length` doubles (contents of earlier calls are discarded). */
  upstream(length: number): Float64Array {
    if (this.up.length < length) this.up = new Float64Array(length);
    else this.up.fill(0, 0, length);
    return this.up.subarray(0, length);
  }
}

/**
 * Design rows of one structure, written into `out` (capacity-checked); returns the block.
 * `features`/`saved`/`ctx` come from one `descriptor.compute` of this structure.
 */
export function designBlock<S>(
  structure: Structure, descriptor: Descriptor<S>, ctx: ComputeContext, features: Float64Array, saved: S,
  refs: ReferenceSet, scaling: RowScaling, opts: DesignOptions, workspace: DesignWorkspace = new DesignWorkspace(),
): DesignBlock {
  const n = structure.species.length;
  const d = refs.width;
  const m = refs.nColumns;
  const L = structure.labels;
  const useE = opts.useEnergy && L.energyEv !== undefined;
  const useF = opts.useForces && L.forcesEvPerA !== undefined;
  const periodic = structure.pbc[0] && structure.pbc[1] && structure.pbc[2];
  const useS = opts.useStress && L.stressEvPerA3 !== undefined && periodic;
  const eRows = useE ? 1 : 0, fRows = useF ? 3 * n : 0, sRows = useS ? 6 : 0;
  const rows = eRows + fRows + sRows;
  const phi = new Float64Array(rows * m);
  const y = new Float64Array(rows);
  const groups = groupAtoms(structure, refs.species, 'training');
  const volume = useS ? cellVolume(structure.cell) : 1;

  if (useE) {
    const sE = scaling.energy;
    let base = 0;
    for (let t = 0; t < refs.species.length; t++) {
      const nt = groups.atoms[t].length;
      base += scaling.baselineEv[t] * nt;
      phi[refs.energyColumn(t)] = (sE * nt) / n;
    }
    y[0] = (sE * (L.energyEv! - base)) / n;
  }
  if (useF) for (let k = 0; k < 3 * n; k++) y[eRows + k] = scaling.forces * L.forcesEvPerA![k];
  if (useS) {
    const s = L.stressEvPerA3!;
    VOIGT.forEach(([a, b], q) => {
      y[eRows + fRows + q] = scaling.stress * 0.5 * (s[3 * a + b] + s[3 * b + a]);
    });
  }

  const batch = Math.max(1, opts.batch ?? defaultBatch(n, d));
  for (let t = 0; t < refs.species.length; t++) {
    const atoms = groups.atoms[t];
    const nt = atoms.length;
    const mt = refs.counts[t];
    if (nt === 0 || mt === 0) continue;
    const off = refs.offsets[t];
    const a = refs.kernel.prepare(gatherRows(features, d, atoms), nt, d);
    const kmat = refs.kernel.matrix(a, refs.prepared[t]);
    if (useE) {
      const sE = scaling.energy / n;
      for (let b = 0; b < mt; b++) {
        let s = 0;
        for (let i = 0; i < nt; i++) s += kmat[i * mt + b];
        phi[off + b] = sE * s;
      }
    }
    if (!useF && !useS) continue;
    // Upstream of reference b: ∂K(X_i, X_b)/∂X_i on the atoms of species t, zero on the others. Factored form
    // (kernel.factoredGradient → descriptor.vjp, no count × N × D array) when the kernel has it, else
    // materialised (written once per species; every chunk overwrites the same rows).
    const factored = typeof refs.kernel.factoredGradient === 'function' && !opts.materialise;
    const cap = Math.min(factored ? Math.max(1, opts.batch ?? defaultFactoredBatch(n, d)) : batch, mt);
    const upstream = factored ? null : workspace.upstream(cap * n * d);
    const rowsOut = { index: atoms, stride: n };
    for (let b0 = 0; b0 < mt; b0 += cap) {
      const b1 = Math.min(mt, b0 + cap);
      const cnt = b1 - b0;
      let g: DescriptorGradients;
      if (upstream) {
        refs.kernel.gradientPerReference(a, refs.prepared[t], b0, b1, kmat, upstream, rowsOut);
        g = descriptor.vjp(structure, ctx, saved, rowsUpstream(upstream.subarray(0, cnt * n * d), cnt, d));
      } else {
        const up = refs.kernel.factoredGradient!(a, refs.prepared[t], b0, b1, kmat, atoms, n);
        g = descriptor.vjp(structure, ctx, saved, asUpstream(up));
      }
      for (let c = 0; c < cnt; c++) {
        const col = off + b0 + c;
        if (useF) {
          const sF = -scaling.forces;
          for (let k = 0; k < 3 * n; k++) phi[(eRows + k) * m + col] = sF * g.positions[c * 3 * n + k];
        }
        if (useS) {
          const f = scaling.stress / volume;
          VOIGT.forEach(([p, q], r) => {
            phi[(eRows + fRows + r) * m + col] = f * 0.5 * (g.strain[c * 9 + 3 * p + q] + g.strain[c * 9 + 3 * q + p]);
          });
        }
      }
    }
  }
  return { rows, phi, y, energyRows: eRows, forceRows: fRows, stressRows: sRows };
}
