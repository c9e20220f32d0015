/**
 * Radial (2-body) descriptor X⁽²⁾, kind 'radial' (science.md §1.4; VASP ML_RCUT1, ML_SION1, ML_MRB1):
 *
 *   X⁽²⁾_{i,Jn} = c^{iJ}_{n00} = Y₀₀ Σ_{j∈J, j≠i} h_{n0}(r_ij),   J over the species universe, n = 1..nmax,
 * with h_{n0} the Gaussian projection onto the spherical-Bessel basis (radial/gaussianProjection.ts). Columns are
 * J-major: column J·nmax + (n−1), label `radial:<J>:n<n>`. All periodic images within R_cut count (also of i).
 * Reverse pass: dE/dr_ij = Y₀₀ Σ_n (dE/dX_{i,Jn}) h'_{n0}(r_ij) r̂_ij; positions and strain via accumulatePair.
 * Cost: O(pairs · nmax) forward and backward; saved state: none (neighbour list lives in the context).
 * Kernels (RadialOptions.kernels): by default both pair loops run in wasm (math/linalg RadialPairsWasm) with the
 * operations of the TS loops below in the same order: bitwise the same results.
 *
 * Batched reverse pass (vjp of a batch or row view, count upstreams): per centre i the pair Jacobian
 *   B_i[p, J·nmax + n] = Y₀₀ h'_{n0}(r_p)/r_p  (J = species of the neighbour of pair p, zero elsewhere; pairs_i × width)
 * turns the upstream rows of i (count × width) into per-pair factors f = G_i B_iᵀ (one GEMM, count × pairs_i), and
 * dE/dr_p = f r_p is scattered like accumulatePair. B (pairs × width) is built on the first batched call and kept
 * in `saved` (O(pairs · width) memory, as the neighbour list). Cost per batch: 2·count·pairs·width flops (GEMM).
 */
import type { Structure } from '../../core/index.js';
import { FarfieldError } from '../../core/index.js';
import type { ComputeContext } from '../context.js';
import { singleBlock, speciesMap, type ColumnBlock, type Descriptor, type DescriptorGradients, type DescriptorOutput, type DescriptorSpec, type FeatureTarget } from '../descriptor.js';
import { checkUpstream, rowView, type FactoredTerms, type Upstream } from '../upstream.js';
import { gaussianProjection, type GaussianProjection } from '../radial/index.js';
import { resolveRadialHypers, type RadialHypers } from './hypers.js';
import { RadialPairsWasm, getLinalg } from '../../math/index.js';
import { Scratch, accumulatePair, activeCentres, checkSpeciesUniverse, gatherCentre, type UpstreamView } from './common.js';

/** Largest count × pairs GEMM output of one group of centres in the factored vjp (doubles). */
const FACTORED_OUT_DOUBLES = 2 ** 20;

/** Reverse-pass state: the pair Jacobian of the batched reverse pass, built lazily. */
export interface RadialSaved {
  /** pairs × width, row p = dX_i/d|r_p| · 1/|r_p| (see the module doc). */
  jacobian?: Float64Array;
}

const Y00 = 1 / (2 * Math.sqrt(Math.PI));

/** Construction options (not hyperparameters: they change no value). */
export interface RadialOptions {
  /**
   * The pair loops of the forward pass and of the single reverse pass: 'wasm' (math/linalg RadialPairsWasm), 'ts'
   * (the loops below) or 'auto' (wasm when available, the default). Both give bitwise identical results.
   */
  kernels?: 'auto' | 'ts' | 'wasm';
}

export class RadialDescriptor implements Descriptor<RadialSaved> {
  readonly kind = 'radial';
  readonly species: readonly string[];
  readonly cutoffA: number;
  readonly labels: readonly string[];
  readonly width: number;
  readonly columnBlocks: readonly ColumnBlock[];
  readonly hypers: RadialHypers;
  readonly projection: GaussianProjection;
  private readonly h: Float64Array;
  private readonly dh: Float64Array;
  private readonly scratch = new Scratch();
  /** The wasm pair loops, or null for the TS loops. */
  private readonly rw: RadialPairsWasm | null;

  constructor(species: readonly string[], hypers: unknown = {}, options: RadialOptions = {}) {
    this.species = checkSpeciesUniverse(species, 'radial descriptor');
    this.hypers = resolveRadialHypers(hypers);
    const { cutoffA, smearingA, nmax } = this.hypers;
    this.cutoffA = cutoffA;
    this.projection = gaussianProjection(cutoffA, smearingA, nmax, 0);
    this.width = this.species.length * nmax;
    this.labels = this.species.flatMap((J) => Array.from({ length: nmax }, (_, n) => `radial:${J}:n${n + 1}`));
    this.columnBlocks = singleBlock('radial', this.width, { bodyOrder: 2, range: 'short', linear: null, speciesChannels: this.species.length });
    this.h = new Float64Array(nmax);
    this.dh = new Float64Array(nmax);
    const kernels = options.kernels ?? 'auto';
    if (kernels !== 'auto' && kernels !== 'ts' && kernels !== 'wasm')
      throw new FarfieldError('INVALID_INPUT', `radial descriptor: kernels must be 'auto', 'ts' or 'wasm', got ${JSON.stringify(kernels)}`);
    const spl = this.projection.spline;
    this.rw = kernels === 'ts' || spl.degree !== 5 ? null : RadialPairsWasm.create(nmax, this.width, {
      spline: spl.packed().coefficients, intervals: spl.intervals, x0: spl.x0, invStep: spl.packed().invStep, cutoff: this.projection.cutoffA,
    });
    if (kernels === 'wasm' && !this.rw) throw new FarfieldError('UNSUPPORTED', 'radial descriptor: wasm kernels requested but WebAssembly is not available');
  }

  /** The backend of the pair loops ('wasm' or 'ts'). */
  get kernels(): 'wasm' | 'ts' {
    return this.rw ? 'wasm' : 'ts';
  }

  /** Pair centres, neighbour species and distances of the whole list into the wasm buffers (after reserve). */
  private fillPairs(rw: RadialPairsWasm, structure: Structure, map: Int32Array, nl: ReturnType<ComputeContext['neighbours']>): void {
    const ctr = rw.centre, spv = rw.species, rv = rw.r, sp = structure.species;
    for (let p = 0; p < nl.count; p++) {
      ctr[p] = nl.centres[p];
      spv[p] = map[sp[nl.neighbours[p]]];
      rv[p] = nl.distances[p];
    }
  }

  compute(structure: Structure, ctx: ComputeContext): DescriptorOutput<RadialSaved> {
    const nat = structure.species.length, W = this.width;
    const X = new Float64Array(nat * W);
    const saved = this.computeInto(structure, ctx, { data: X, stride: W, offset: 0 });
    return { features: { rows: nat, cols: W, data: X, labels: [...this.labels] }, saved };
  }

  /** The features accumulated into a composite's (zeroed) columns (Descriptor.computeInto). */
  computeInto(structure: Structure, ctx: ComputeContext, target: FeatureTarget): RadialSaved {
    const map = speciesMap(structure, this.species, 'radial descriptor');
    const nl = ctx.neighbours(this.cutoffA);
    const N = this.hypers.nmax, h = this.h, X = target.data, { stride, offset } = target;
    const rw = this.rw;
    if (rw) {
      const nat = structure.species.length, W = this.width;
      rw.reserve(nl.count, nat);
      this.fillPairs(rw, structure, map, nl);
      const xv = rw.x;
      for (let i = 0; i < nat; i++) for (let k = 0, o = i * stride + offset; k < W; k++) xv[i * W + k] = X[o + k];
      rw.forward(nl.count, Y00);
      for (let i = 0; i < nat; i++) for (let k = 0, o = i * stride + offset; k < W; k++) X[o + k] = xv[i * W + k];
      return {};
    }
    for (let p = 0; p < nl.count; p++) {
      const i = nl.centres[p], j = nl.neighbours[p];
      this.projection.evaluate(nl.distances[p], h);
      const o = i * stride + offset + map[structure.species[j]] * N;
      for (let n = 0; n < N; n++) X[o + n] += Y00 * h[n];
    }
    return {};
  }

  /** One dense gradient: the pair loop (no Jacobian); a batch or row view: pair-Jacobian GEMMs; factored: per term. */
  vjp(structure: Structure, ctx: ComputeContext, saved: RadialSaved, up: Upstream): DescriptorGradients {
    checkUpstream('radial descriptor', up, structure.species.length, this.width);
    if (up.form === 'factored') return this.factored(structure, ctx, saved, up);
    if (up.count === 1) return this.single(structure, ctx, up.data, rowView(up, this.width));
    return this.batched(structure, ctx, saved, up.data, up.count, rowView(up, this.width));
  }

  /** One gradient read through a row view (a composite's columns, no copy): entry k of atom i is v.scale · dEdX[i·v.stride + v.offset + k]. */
  private single(structure: Structure, ctx: ComputeContext, dEdX: Float64Array, v: UpstreamView): DescriptorGradients {
    const nat = structure.species.length, N = this.hypers.nmax, { stride, offset, scale: vs } = v;
    const map = speciesMap(structure, this.species, 'radial descriptor');
    const nl = ctx.neighbours(this.cutoffA);
    const positions = new Float64Array(3 * nat), strain = new Float64Array(9), h = this.h, dh = this.dh;
    const rw = this.rw;
    if (rw) {
      const W = this.width;
      rw.reserve(nl.count, nat);
      this.fillPairs(rw, structure, map, nl);
      const g = rw.g, sv = rw.s;
      for (let i = 0; i < nat; i++) for (let k = 0, o = i * stride + offset; k < W; k++) g[i * W + k] = vs * dEdX[o + k];
      rw.reverse(nl.count);
      for (let p = 0; p < nl.count; p++) {
        const s = sv[p];
        if (s === 0) continue;
        const r = nl.distances[p], rx = nl.vectors[3 * p], ry = nl.vectors[3 * p + 1], rz = nl.vectors[3 * p + 2], f = (Y00 * s) / r;
        accumulatePair(positions, strain, nl.centres[p], nl.neighbours[p], f * rx, f * ry, f * rz, rx, ry, rz);
      }
      return { positions, strain };
    }
    for (let p = 0; p < nl.count; p++) {
      const i = nl.centres[p], j = nl.neighbours[p], r = nl.distances[p];
      const o = i * stride + offset + map[structure.species[j]] * N;
      this.projection.evaluateWithDerivative(r, h, dh);
      let s = 0;
      for (let n = 0; n < N; n++) s += (vs * dEdX[o + n]) * dh[n];
      if (s === 0) continue;
      const rx = nl.vectors[3 * p], ry = nl.vectors[3 * p + 1], rz = nl.vectors[3 * p + 2], f = (Y00 * s) / r;
      accumulatePair(positions, strain, i, j, f * rx, f * ry, f * rz, rx, ry, rz);
    }
    return { positions, strain };
  }

  /** The batched pass reading the upstream through a row view (see UpstreamView). */
  private batched(structure: Structure, ctx: ComputeContext, saved: RadialSaved, dEdX: Float64Array, count: number, v: UpstreamView): DescriptorGradients {
    const nat = structure.species.length, W = this.width;
    const nl = ctx.neighbours(this.cutoffA);
    const sv: RadialSaved = saved && typeof saved === 'object' ? saved : {};
    if (!sv.jacobian || sv.jacobian.length !== nl.count * W) sv.jacobian = this.pairJacobian(structure, ctx);
    const B = sv.jacobian;
    const positions = new Float64Array(count * 3 * nat), strain = new Float64Array(count * 9);
    if (count === 0) return { positions, strain };
    const la = getLinalg();
    const gi = new Float64Array(count * W);
    let f = new Float64Array(0);
    for (let i = 0; i < nat; i++) {
      const p0 = nl.offsets[i], np = nl.offsets[i + 1] - p0;
      if (np === 0 || !gatherCentre(dEdX, count, nat, i, v, W, gi)) continue;
      if (f.length < count * np) f = new Float64Array(count * np);
      la.gemm(count, np, W, gi, B.subarray(p0 * W, (p0 + np) * W), f, { transB: true });
      this.scatterRadial(nl, p0, np, i, f, np, 0, count, nat, positions, strain);
    }
    return { positions, strain };
  }

  /**
   * Factored batched reverse pass (upstream.ts FactoredTerms): per group of active centres, f = Σ_r P_r[c,i] (T_r B_Gᵀ)[c,p]
   * + Q[c,i] (U_i · B_p) with one GEMM per term over the group's stacked pair rows B_G; dE/dr_p = f r_p.
   */
  private factored(structure: Structure, ctx: ComputeContext, saved: RadialSaved, up: FactoredTerms): DescriptorGradients {
    const nat = structure.species.length, W = this.width, count = up.count;
    const nl = ctx.neighbours(this.cutoffA);
    const sv: RadialSaved = saved && typeof saved === 'object' ? saved : {};
    if (!sv.jacobian || sv.jacobian.length !== nl.count * W) sv.jacobian = this.pairJacobian(structure, ctx);
    const B = sv.jacobian;
    const positions = new Float64Array(count * 3 * nat), strain = new Float64Array(count * 9);
    if (count === 0) return { positions, strain };
    const active = activeCentres(up, nat, nl.offsets);
    const la = getLinalg();
    let maxPairs = 0;
    for (const i of active) maxPairs = Math.max(maxPairs, nl.offsets[i + 1] - nl.offsets[i]);
    const cap = Math.max(maxPairs, Math.floor(FACTORED_OUT_DOUBLES / count));
    let stack: Float64Array, out: Float64Array, f: Float64Array;
    for (let g0 = 0; g0 < active.length;) {
      let g1 = g0, R = 0;
      while (g1 < active.length && R + nl.offsets[active[g1] + 1] - nl.offsets[active[g1]] <= cap) {
        R += nl.offsets[active[g1] + 1] - nl.offsets[active[g1]];
        g1++;
      }
      stack = this.scratch.take('stack', R * W);
      const rowOff: number[] = [];
      let r0 = 0;
      for (let k = g0; k < g1; k++) {
        const i = active[k], p0 = nl.offsets[i], np = nl.offsets[i + 1] - p0;
        rowOff.push(r0);
        stack.set(B.subarray(p0 * W, (p0 + np) * W), r0 * W);
        r0 += np;
      }
      f = this.scratch.take('f', count * R, true);
      out = this.scratch.take('out', count * R);
      for (const t of up.terms) {
        la.gemm(count, R, W, t.rows, stack.subarray(0, R * W), out, { transB: true });
        // direction-major (row c of out/f once per group; each element gets the same single addition per term)
        for (let c = 0; c < count; c++)
          for (let k = g0; k < g1; k++) {
            const i = active[k], p = t.coef[c * nat + i];
            if (p === 0) continue;
            const base = c * R + rowOff[k - g0], np = nl.offsets[i + 1] - nl.offsets[i];
            for (let q = 0; q < np; q++) f[base + q] += p * out[base + q];
          }
      }
      if (up.own) {
        const U = up.own.rows, Q = up.own.coef;
        // w[o + q] = U_i · B_(p0+q) for every pair of the group, then direction-major as above
        const w = this.scratch.take('ownw', R);
        for (let k = g0; k < g1; k++) {
          const i = active[k], o = rowOff[k - g0], p0 = nl.offsets[i], np = nl.offsets[i + 1] - p0;
          for (let q = 0; q < np; q++) {
            let s = 0;
            for (let col = 0; col < W; col++) s += U[i * W + col] * B[(p0 + q) * W + col];
            w[o + q] = s;
          }
        }
        for (let c = 0; c < count; c++)
          for (let k = g0; k < g1; k++) {
            const i = active[k], e = Q[c * nat + i];
            if (e === 0) continue;
            const o = rowOff[k - g0], base = c * R + o, np = nl.offsets[i + 1] - nl.offsets[i];
            for (let q = 0; q < np; q++) f[base + q] += e * w[o + q];
          }
      }
      this.scatterGroup(nl, active, g0, g1, rowOff, f, R, count, nat, positions, strain);
      g0 = g1;
    }
    return { positions, strain };
  }

  /** dE_c/dr_p = f[c·stride + off + k] r_p for the pairs p0 + k of centre i, accumulated like accumulatePair. */
  private scatterRadial(nl: ReturnType<ComputeContext['neighbours']>, p0: number, np: number, i: number, f: Float64Array,
    stride: number, off: number, count: number, nat: number, positions: Float64Array, strain: Float64Array): void {
    for (let c = 0; c < count; c++) scatterCentre(nl.vectors, nl.neighbours, p0, np, i, f, c * stride + off, positions, c * 3 * nat, strain, c * 9);
  }

  /**
   * scatterRadial for the centres active[g0..g1) of a group (f row c at c·R + rowOff[k − g0]), direction-major: each
   * direction's 3N row of `positions` is visited once per group instead of once per centre (the centre-major order
   * streams the whole count × 3N array through the cache per centre). Every element receives the same additions in
   * the same order as centre by centre, so the results are identical.
   */
  private scatterGroup(nl: ReturnType<ComputeContext['neighbours']>, active: readonly number[], g0: number, g1: number,
    rowOff: readonly number[], f: Float64Array, R: number, count: number, nat: number, positions: Float64Array, strain: Float64Array): void {
    const offsets = nl.offsets;
    for (let c = 0; c < count; c++)
      for (let g = g0; g < g1; g++) {
        const i = active[g], p0 = offsets[i];
        scatterCentre(nl.vectors, nl.neighbours, p0, offsets[i + 1] - p0, i, f, c * R + rowOff[g - g0], positions, c * 3 * nat, strain, c * 9);
      }
  }

  /** B (pairs × width): row p holds Y₀₀ h'_{n0}(r_p)/r_p in the columns of the neighbour's species. */
  private pairJacobian(structure: Structure, ctx: ComputeContext): Float64Array {
    const map = speciesMap(structure, this.species, 'radial descriptor');
    const nl = ctx.neighbours(this.cutoffA);
    const N = this.hypers.nmax, W = this.width, h = this.h, dh = this.dh;
    const B = new Float64Array(nl.count * W);
    for (let p = 0; p < nl.count; p++) {
      const r = nl.distances[p];
      this.projection.evaluateWithDerivative(r, h, dh);
      const o = p * W + map[structure.species[nl.neighbours[p]]] * N;
      for (let n = 0; n < N; n++) B[o + n] = (Y00 * dh[n]) / r;
    }
    return B;
  }

  toJSON(): DescriptorSpec {
    return { kind: 'radial', species: [...this.species], hypers: { ...this.hypers } };
  }
}

/**
 * One centre i's radial pair gradients f[fo + k] (k < np, pairs p0 + k) as forces on its neighbours and itself and as
 * the virial: r_ij·f on j, −Σ on i, Σ f r⊗r on the strain (positions row po, strain row so).
 */
function scatterCentre(vec: Float64Array, nb: Int32Array, p0: number, np: number, i: number, f: Float64Array, fo: number,
  positions: Float64Array, po: number, strain: Float64Array, so: number): void {
  let cx = 0, cy = 0, cz = 0;
  let sxx = 0, sxy = 0, sxz = 0, syy = 0, syz = 0, szz = 0;
  for (let k = 0; k < np; k++) {
    const s = f[fo + k];
    if (s === 0) continue;
    const p = p0 + k, j = nb[p];
    const rx = vec[3 * p], ry = vec[3 * p + 1], rz = vec[3 * p + 2];
    const gx = s * rx, gy = s * ry, gz = s * rz;
    positions[po + 3 * j] += gx; positions[po + 3 * j + 1] += gy; positions[po + 3 * j + 2] += gz;
    cx += gx; cy += gy; cz += gz;
    sxx += gx * rx; sxy += gx * ry; sxz += gx * rz; syy += gy * ry; syz += gy * rz; szz += gz * rz;
  }
  positions[po + 3 * i] -= cx; positions[po + 3 * i + 1] -= cy; positions[po + 3 * i + 2] -= cz;
  strain[so] += sxx; strain[so + 1] += sxy; strain[so + 2] += sxz;
  strain[so + 3] += sxy; strain[so + 4] += syy; strain[so + 5] += syz;
  strain[so + 6] += sxz; strain[so + 7] += syz; strain[so + 8] += szz;
}
