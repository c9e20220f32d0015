/**
 * Angular (3-body) descriptor X⁽³⁾, kind 'angular' (science.md §1.5; VASP ML_RCUT2, ML_SION2, ML_MRB2, ML_LMAX2,
 * ML_LAFILT2, ML_AFILT2). With a = (J, n) a species–radial channel and η_l = 1/(1 + a_F [l(l+1)]²) (1 if no filter):
 *
 *   c_{i,a,lm} = Σ_{j∈J} Y_lm(r̂_ij) ĥ_{nl}(r_ij),   ĥ_{nl} = η_l h_{nl}   (h: radial/gaussianProjection.ts),
 *   p_{i,ab,l} = w_ab √(8π²/(2l+1)) [ Σ_m c_{a,lm} c_{b,lm} − δ_{J_a J_b} (2l+1)/(4π) Σ_{j∈J_a} ĥ_{n_a l}(r_ij) ĥ_{n_b l}(r_ij) ].
 * The subtracted term is the j = k "self" part of Σ_m c c (addition theorem: Σ_m Y_lm(r̂)² = (2l+1)/4π), so X⁽³⁾ is
 * purely 3-body: an isolated pair gives 0. Only a ≤ b is stored (channel index a = J·nmax + n − 1), with
 * w_ab = 1 (a = b) and √2 (a < b): inner products of these vectors equal those of the full symmetric (a, b) array.
 * Columns: pair-major, (pair index)·(lmax+1) + l; label `angular:<Ja>:n<na>|<Jb>:n<nb>:l<l>`.
 *
 * Reverse pass (per centre i, upstream G_{ab,l} = dE/dp): A_l[a][b] = A_l[b][a] = w_ab √(8π²/(2l+1)) G_{ab,l}·(2 if
 * a = b), D_{a,lm} = dE/dc_{a,lm} = Σ_b A_l[a][b] c_{b,lm}; for pair j (species J, channels a = (J, n)):
 *   dE/dĥ_{nl} = Σ_m D_{a,lm} Y_lm − (2l+1)/(4π) Σ_{n'} A_l[(J,n)][(J,n')] ĥ_{n'l},   dE/dY_lm = Σ_n D_{a,lm} ĥ_{nl},
 *   dE/dr_ij = Σ_{nl} (dE/dĥ_{nl}) η_l h'_{nl} r̂ + Σ_lm (dE/dY_lm) ∇Y_lm(r̂).
 * Positions/strain via accumulatePair. Saved state: c (atoms × (lmax+1)² × S·nmax); per-pair values are recomputed.
 * Cost per centre: pairs·nmax·(lmax+1)² + (S·nmax)²·(lmax+1)² (forward and backward alike).
 * Kernels (AngularOptions.kernels): by default the forward pass and the single reverse pass run per centre in wasm
 * (math/linalg/powerSpectrumWasm.ts: Y_lm and ĥ of the centre's pairs, c and the self sums, the power-spectrum row; D
 * and the pair gradients), with the operations of the TS loops below in the same order: bitwise the same results
 * (NaCl 64, lmax 7, CPU medians: forward 3.0–3.4×, single reverse pass 2.6–3.3× faster; `npm run bench -- descriptors`).
 *
 * Batched reverse pass (vjp of a batch or row view, count upstreams at once): per centre i the pair Jacobian
 * J_i[(p, α), (ab, l)] = ∂p_{i,ab,l}/∂(r_p)_α (3·pairs_i × width) is built from the structure of the power spectrum:
 * with dc_{a,lm,α} = ∂c_{a,lm}/∂(r_p)_α = η_l [h'_{nl} Y_lm r̂_α + h_{nl} ∂_α Y_lm] for a = (J_p, n) (zero for the
 * channels of other species) and E_{a,l,α}[b] = Σ_m dc_{a,lm,α} c_{b,lm},
 *   J_i[(p,α), (ab,l)] = w_ab √(8π²/(2l+1)) [ E_{a,l,α}[b] + E_{b,l,α}[a]
 *                        − δ_{J_a J_p} δ_{J_b J_p} (2l+1)/(4π) η_l² (h'_{n_a l} h_{n_b l} + h_{n_a l} h'_{n_b l}) r̂_α ]
 * (E terms only for channels of species J_p). Then the upstream rows of i (count × width) give all pair gradients in
 * one GEMM, dE/d(r_p)_α = G_i J_iᵀ (count × 3·pairs_i), scattered like accumulatePair. Building J_i costs
 * ≈ pairs_i·(3·nmax·(lmax+1)²·S·nmax + 3·width) flops (a few per cent of one batch); the J_i of a structure are kept
 * in `saved` when they fit in JACOBIAN_CACHE_BYTES (64 atoms, defaults: ≈ 15 MB), else rebuilt per centre and call.
 * With the wasm kernels J_i is built by psJacobian (bitwise these loops; NaCl 64 ions sr+lr fit: ≈ 20 instead of
 * ≈ 145 CPU ms per structure, `scripts/profile-fit-normal.ts`).
 * Cost per batch: 2·count·3·pairs·width flops (GEMM). In the factored pass with several species, the rows of pairs
 * whose neighbour has species J are multiplied only on the columns of channel pairs with a channel of J (the others
 * are exactly zero): 26 % fewer GEMM flops for two species, 44 % for three (measured: the angular factored pass
 * 0.85× the time, NaCl 64 atoms, 2000 references).
 */
import type { Structure } from '../../core/index.js';
import { FarfieldError } from '../../core/index.js';
import { PowerSpectrumWasm, SphericalHarmonics } from '../../math/index.js';
import type { ComputeContext } from '../context.js';
import { singleBlock, speciesMap, type ColumnBlock, type Descriptor, type DescriptorGradients, type DescriptorOutput, type DescriptorSpec, type FeatureTarget } from '../descriptor.js';
import { checkUpstream, rowView, type FactoredTerms, type Upstream } from '../upstream.js';
import { gaussianProjection, type GaussianProjection } from '../radial/index.js';
import { resolveAngularHypers, type AngularHypers } from './hypers.js';
import { getLinalg } from '../../math/index.js';
import { Scratch, accumulatePair, activeCentres, checkSpeciesUniverse, gatherCentre, scatterPairs, scatterPairsGroup, type UpstreamView } from './common.js';

export interface AngularSaved {
  /** c coefficients, atoms × K × C (K = (lmax+1)², C = S·nmax), layout [atom][lm][channel]. */
  c: Float64Array;
  /** Pair Jacobians of every centre (3·pairs × width, centre by centre in neighbour-list order), built lazily. */
  jacobian?: Float64Array;
}

/** Largest pair-Jacobian cache kept in `saved` by the batched reverse pass (bytes). */
export const JACOBIAN_CACHE_BYTES = 256 * 2 ** 20;
/** Largest count × rows GEMM output of one group of centres in the factored vjp (doubles). */
const FACTORED_OUT_DOUBLES = 2 ** 20;

/** Construction options (not hyperparameters: they change no value). */
export interface AngularOptions {
  /**
   * Per-centre products of the forward pass and of the single reverse pass: 'wasm' (SIMD kernels,
   * math/linalg/powerSpectrumWasm.ts), 'ts' (the loops below) or 'auto' (wasm when available, the default).
   * Both give bitwise identical results.
   */
  kernels?: 'auto' | 'ts' | 'wasm';
}

export class AngularDescriptor implements Descriptor<AngularSaved> {
  readonly kind = 'angular';
  readonly species: readonly string[];
  readonly cutoffA: number;
  readonly labels: readonly string[];
  readonly width: number;
  readonly columnBlocks: readonly ColumnBlock[];
  readonly hypers: AngularHypers;
  readonly projection: GaussianProjection;
  /** η_l per l. */
  readonly filterFactors: Float64Array;
  private readonly C: number; // channels S·nmax
  private readonly K: number; // (lmax+1)²
  private readonly pairA: Int32Array; // unique channel pairs a ≤ b
  private readonly pairB: Int32Array;
  /** √(8π²/(2l+1)) · w_ab for column pair·(L+1) + l. */
  private readonly colScale: Float64Array;
  private readonly lOf: Int32Array; // l of each lm index
  private readonly ylm: SphericalHarmonics;
  private readonly h: Float64Array;
  private readonly dh: Float64Array;
  private readonly hf: Float64Array; // filtered ĥ
  private readonly selfAcc: Float64Array; // [J][l][n][n']
  private readonly A: Float64Array; // [l][a][b]
  private readonly D: Float64Array; // [lm][a]
  private readonly gh: Float64Array; // dE/dĥ [l][n]
  private readonly gy: Float64Array; // dE/dY [lm]
  private readonly chanJ: Int32Array; // species of channel a
  private readonly chanN: Int32Array; // radial index n of channel a
  private readonly dc: Float64Array; // [α][n][lm]
  private readonly E: Float64Array; // [α][n][l][b]
  private readonly scratch = new Scratch();
  /**
   * Per species J: the columns (q·(lmax+1) + l) where a pair with a neighbour of species J has non-zero Jacobian
   * entries, i.e. channel pairs with at least one channel of species J (module doc: the E terms and the self part
   * exist only for channels of J_p).
   */
  private readonly speciesColumns: Int32Array[];
  /** The wasm kernels of the per-centre products, or null for the TS loops. */
  private readonly ps: PowerSpectrumWasm | null;

  constructor(species: readonly string[], hypers: unknown = {}, options: AngularOptions = {}) {
    this.species = checkSpeciesUniverse(species, 'angular descriptor');
    this.hypers = resolveAngularHypers(hypers);
    const { cutoffA, smearingA, nmax: N, lmax: L, filter, filterStrength } = this.hypers;
    this.cutoffA = cutoffA;
    this.projection = gaussianProjection(cutoffA, smearingA, N, L);
    const S = this.species.length;
    this.C = S * N;
    this.K = (L + 1) * (L + 1);
    this.filterFactors = Float64Array.from({ length: L + 1 }, (_, l) => (filter ? 1 / (1 + filterStrength * (l * (l + 1)) ** 2) : 1));
    const pa: number[] = [], pb: number[] = [];
    for (let a = 0; a < this.C; a++) for (let b = a; b < this.C; b++) { pa.push(a); pb.push(b); }
    this.pairA = Int32Array.from(pa);
    this.pairB = Int32Array.from(pb);
    this.width = pa.length * (L + 1);
    this.columnBlocks = singleBlock('angular', this.width, { bodyOrder: 3, range: 'short', linear: null, speciesChannels: null });
    this.colScale = new Float64Array(this.width);
    const labels: string[] = [];
    const ch = (a: number): string => `${this.species[Math.floor(a / N)]}:n${(a % N) + 1}`;
    for (let p = 0; p < pa.length; p++)
      for (let l = 0; l <= L; l++) {
        this.colScale[p * (L + 1) + l] = Math.sqrt((8 * Math.PI * Math.PI) / (2 * l + 1)) * (pa[p] === pb[p] ? 1 : Math.SQRT2);
        labels.push(`angular:${ch(pa[p])}|${ch(pb[p])}:l${l}`);
      }
    this.labels = labels;
    this.lOf = new Int32Array(this.K);
    for (let l = 0; l <= L; l++) for (let m = -l; m <= l; m++) this.lOf[l * l + l + m] = l;
    this.ylm = new SphericalHarmonics(L);
    const F = (L + 1) * N;
    this.h = new Float64Array(F);
    this.dh = new Float64Array(F);
    this.hf = new Float64Array(F);
    this.selfAcc = new Float64Array(S * (L + 1) * N * N);
    this.A = new Float64Array((L + 1) * this.C * this.C);
    this.D = new Float64Array(this.K * this.C);
    this.gh = new Float64Array(F);
    this.gy = new Float64Array(this.K);
    this.chanJ = Int32Array.from({ length: this.C }, (_, a) => Math.floor(a / N));
    this.chanN = Int32Array.from({ length: this.C }, (_, a) => a % N);
    this.dc = new Float64Array(3 * N * this.K);
    this.E = new Float64Array(3 * N * (L + 1) * this.C);
    this.speciesColumns = this.species.map((_, Jp) => {
      const cols: number[] = [];
      for (let q = 0; q < pa.length; q++)
        if (Math.floor(pa[q] / N) === Jp || Math.floor(pb[q] / N) === Jp) for (let l = 0; l <= L; l++) cols.push(q * (L + 1) + l);
      return Int32Array.from(cols);
    });
    const kernels = options.kernels ?? 'auto';
    if (kernels !== 'auto' && kernels !== 'ts' && kernels !== 'wasm')
      throw new FarfieldError('INVALID_INPUT', `angular descriptor: kernels must be 'auto', 'ts' or 'wasm', got ${JSON.stringify(kernels)}`);
    const spl = this.projection.spline;
    this.ps = kernels === 'ts' || spl.degree !== 5 ? null : PowerSpectrumWasm.create(N, L, S, this.colScale, this.filterFactors, {
      spline: spl.packed().coefficients, intervals: spl.intervals, x0: spl.x0, invStep: spl.packed().invStep, cutoff: this.projection.cutoffA,
      ylm: this.ylm.tables(),
    });
    if (kernels === 'wasm' && !this.ps) throw new FarfieldError('UNSUPPORTED', 'angular descriptor: wasm kernels requested but WebAssembly SIMD is not available');
  }

  /** The backend of the per-centre products ('wasm' or 'ts'). */
  get kernels(): 'wasm' | 'ts' {
    return this.ps ? 'wasm' : 'ts';
  }

  compute(structure: Structure, ctx: ComputeContext): DescriptorOutput<AngularSaved> {
    const X = new Float64Array(structure.species.length * this.width);
    const saved = this.computeInto(structure, ctx, { data: X, stride: this.width, offset: 0 });
    return { features: { rows: structure.species.length, cols: this.width, data: X, labels: [...this.labels] }, saved };
  }

  /** The power spectrum written into a composite's columns (Descriptor.computeInto); the state keeps the coefficients c. */
  computeInto(structure: Structure, ctx: ComputeContext, target: FeatureTarget): AngularSaved {
    const map = speciesMap(structure, this.species, 'angular descriptor');
    const nl = ctx.neighbours(this.cutoffA);
    const { nmax: N, lmax: L } = this.hypers;
    const nat = structure.species.length, W = this.width, C = this.C, K = this.K, L1 = L + 1;
    const X = target.data, call = ctx.buffer(this, 'c', nat * K * C);
    const h = this.h, hf = this.hf, eta = this.filterFactors, lOf = this.lOf, self = this.selfAcc, Y = this.ylm.values;
    const pairA = this.pairA, pairB = this.pairB, scale = this.colScale, NN = N * N;
    if (this.ps) {
      this.forwardWasm(structure, map, nl, call, target);
      return { c: call };
    }
    for (let i = 0; i < nat; i++) {
      const co = i * K * C;
      self.fill(0);
      for (let p = nl.offsets[i]; p < nl.offsets[i + 1]; p++) {
        const J = map[structure.species[nl.neighbours[p]]];
        this.projection.evaluate(nl.distances[p], h);
        for (let l = 0; l <= L; l++) for (let n = 0; n < N; n++) hf[l * N + n] = eta[l] * h[l * N + n];
        this.ylm.compute(nl.vectors[3 * p], nl.vectors[3 * p + 1], nl.vectors[3 * p + 2]);
        for (let lm = 0; lm < K; lm++) {
          const y = Y[lm], o = co + lm * C + J * N, ho = lOf[lm] * N;
          for (let n = 0; n < N; n++) call[o + n] += y * hf[ho + n];
        }
        for (let l = 0; l <= L; l++) {
          const so = (J * L1 + l) * NN, ho = l * N;
          for (let n = 0; n < N; n++) {
            const v = hf[ho + n];
            for (let n2 = n; n2 < N; n2++) self[so + n * N + n2] += v * hf[ho + n2];
          }
        }
      }
      // power spectrum
      const xo = i * target.stride + target.offset;
      for (let q = 0; q < pairA.length; q++) {
        const a = pairA[q], b = pairB[q];
        const Ja = Math.floor(a / N), Jb = Math.floor(b / N);
        for (let l = 0; l <= L; l++) {
          let s = 0;
          for (let lm = l * l; lm < (l + 1) * (l + 1); lm++) s += call[co + lm * C + a] * call[co + lm * C + b];
          if (Ja === Jb) s -= ((2 * l + 1) / (4 * Math.PI)) * self[(Ja * L1 + l) * NN + (a % N) * N + (b % N)];
          X[xo + q * L1 + l] = scale[q * L1 + l] * s;
        }
      }
    }
    return { c: call };
  }

  /** computeInto with the per-centre products in wasm (same operations in the same order as the TS loops). */
  private forwardWasm(structure: Structure, map: Int32Array, nl: ReturnType<ComputeContext['neighbours']>, call: Float64Array, target: FeatureTarget): void {
    const ps = this.ps as PowerSpectrumWasm;
    const nat = structure.species.length, W = this.width, C = this.C, K = this.K;
    const X = target.data, sp = structure.species;
    let maxPairs = 0;
    for (let i = 0; i < nat; i++) maxPairs = Math.max(maxPairs, nl.offsets[i + 1] - nl.offsets[i]);
    ps.reserve(maxPairs);
    const spv = ps.sp, cv = ps.c, xv = ps.x, vec = ps.vec, rv = ps.r;
    for (let i = 0; i < nat; i++) {
      const p0 = nl.offsets[i], np = nl.offsets[i + 1] - p0;
      for (let k = 0; k < np; k++) {
        const p = p0 + k;
        spv[k] = map[sp[nl.neighbours[p]]];
        rv[k] = nl.distances[p];
        vec[3 * k] = nl.vectors[3 * p]; vec[3 * k + 1] = nl.vectors[3 * p + 1]; vec[3 * k + 2] = nl.vectors[3 * p + 2];
      }
      ps.basisFunctions(np, false);
      ps.density(np);
      call.set(cv, i * K * C);
      ps.features();
      const xo = i * target.stride + target.offset;
      for (let q = 0; q < W; q++) X[xo + q] = xv[q];
    }
  }

  /** One dense gradient: the per-pair pass; a batch or row view: pair-Jacobian GEMMs; factored: per term. */
  vjp(structure: Structure, ctx: ComputeContext, saved: AngularSaved, up: Upstream): DescriptorGradients {
    const nat = structure.species.length;
    checkUpstream('angular descriptor', up, nat, this.width);
    const sv = this.checkSaved(saved, nat);
    if (up.form === 'factored') return this.factored(structure, ctx, sv, up);
    if (up.count === 1) return this.single(structure, ctx, sv, up.data, rowView(up, this.width));
    return this.batched(structure, ctx, sv, up.data, up.count, rowView(up, this.width));
  }

  /** One gradient read through a row view (a composite's columns, no copy): entry k of atom i is view.scale · dEdX[i·view.stride + view.offset + k]. */
  private single(structure: Structure, ctx: ComputeContext, sv: AngularSaved, dEdX: Float64Array, view: UpstreamView): DescriptorGradients {
    const { nmax: N, lmax: L } = this.hypers;
    const nat = structure.species.length, W = this.width, C = this.C, K = this.K, L1 = L + 1;
    const map = speciesMap(structure, this.species, 'angular descriptor');
    const nl = ctx.neighbours(this.cutoffA);
    const positions = new Float64Array(3 * nat), strain = new Float64Array(9);
    const c = sv.c, A = this.A, D = this.D, h = this.h, dh = this.dh, hf = this.hf, gh = this.gh, gy = this.gy;
    const eta = this.filterFactors, lOf = this.lOf, pairA = this.pairA, pairB = this.pairB, scale = this.colScale;
    const Y = this.ylm.values, dY = this.ylm.gradients, CC = C * C;
    if (this.ps) return this.singleWasm(structure, map, nl, sv, dEdX, view);
    for (let i = 0; i < nat; i++) {
      // A_l (symmetric) from the upstream gradient of row i
      const xo = i * view.stride + view.offset, vs = view.scale;
      let any = false;
      for (let q = 0; q < pairA.length; q++) {
        const a = pairA[q], b = pairB[q];
        for (let l = 0; l <= L; l++) {
          const v = scale[q * L1 + l] * (vs * dEdX[xo + q * L1 + l]);
          if (v !== 0) any = true;
          if (a === b) A[l * CC + a * C + a] = 2 * v;
          else { A[l * CC + a * C + b] = v; A[l * CC + b * C + a] = v; }
        }
      }
      if (!any) continue;
      // D_{a,lm} = Σ_b A_l[a][b] c_{b,lm}
      const co = i * K * C;
      for (let lm = 0; lm < K; lm++) {
        const Ao = lOf[lm] * CC, cb = co + lm * C, Do = lm * C;
        for (let a = 0; a < C; a++) {
          let s = 0;
          const ar = Ao + a * C;
          for (let b = 0; b < C; b++) s += A[ar + b] * c[cb + b];
          D[Do + a] = s;
        }
      }
      for (let p = nl.offsets[i]; p < nl.offsets[i + 1]; p++) {
        const j = nl.neighbours[p], J = map[structure.species[j]], r = nl.distances[p];
        const rx = nl.vectors[3 * p], ry = nl.vectors[3 * p + 1], rz = nl.vectors[3 * p + 2];
        this.projection.evaluateWithDerivative(r, h, dh);
        for (let l = 0; l <= L; l++) for (let n = 0; n < N; n++) hf[l * N + n] = eta[l] * h[l * N + n];
        this.ylm.computeWithGradient(rx, ry, rz);
        // self-term part of dE/dĥ
        for (let l = 0; l <= L; l++) {
          const f = -(2 * l + 1) / (4 * Math.PI), Ao = l * CC + J * N * C + J * N, ho = l * N;
          for (let n = 0; n < N; n++) {
            let s = 0;
            for (let n2 = 0; n2 < N; n2++) s += A[Ao + n * C + n2] * hf[ho + n2];
            gh[ho + n] = f * s;
          }
        }
        let gx = 0, gyy = 0, gz = 0;
        for (let lm = 0; lm < K; lm++) {
          const ho = lOf[lm] * N, Do = lm * C + J * N, y = Y[lm];
          let sy = 0;
          for (let n = 0; n < N; n++) {
            const d = D[Do + n];
            gh[ho + n] += d * y;
            sy += d * hf[ho + n];
          }
          gy[lm] = sy;
          gx += sy * dY[3 * lm]; gyy += sy * dY[3 * lm + 1]; gz += sy * dY[3 * lm + 2];
        }
        let radial = 0;
        for (let l = 0; l <= L; l++) for (let n = 0; n < N; n++) radial += gh[l * N + n] * eta[l] * dh[l * N + n];
        const f = radial / r;
        accumulatePair(positions, strain, i, j, gx + f * rx, gyy + f * ry, gz + f * rz, rx, ry, rz);
      }
    }
    return { positions, strain };
  }

  /** `single` with the per-centre products in wasm (same operations in the same order as the TS loops). */
  private singleWasm(structure: Structure, map: Int32Array, nl: ReturnType<ComputeContext['neighbours']>, sv: AngularSaved,
    dEdX: Float64Array, view: UpstreamView): DescriptorGradients {
    const ps = this.ps as PowerSpectrumWasm;
    const nat = structure.species.length, C = this.C, K = this.K;
    const positions = new Float64Array(3 * nat), strain = new Float64Array(9);
    const c = sv.c, sp = structure.species;
    let maxPairs = 0;
    for (let i = 0; i < nat; i++) maxPairs = Math.max(maxPairs, nl.offsets[i + 1] - nl.offsets[i]);
    ps.reserve(maxPairs);
    const cv = ps.c, spv = ps.sp, out = ps.out, vec = ps.vec, rv = ps.r, u = ps.u, W = this.width;
    for (let i = 0; i < nat; i++) {
      const p0 = nl.offsets[i], np = nl.offsets[i + 1] - p0;
      // A_l (symmetric) from the upstream gradient of row i
      const xo = i * view.stride + view.offset;
      u.set(dEdX.subarray(xo, xo + W));
      if (np === 0 || !ps.upstream(view.scale)) continue; // the centre's upstream is zero (or it has no pairs)
      cv.set(c.subarray(i * K * C, (i + 1) * K * C));
      ps.adjoint();
      for (let k = 0; k < np; k++) {
        const p = p0 + k;
        spv[k] = map[sp[nl.neighbours[p]]];
        rv[k] = nl.distances[p];
        vec[3 * k] = nl.vectors[3 * p]; vec[3 * k + 1] = nl.vectors[3 * p + 1]; vec[3 * k + 2] = nl.vectors[3 * p + 2];
      }
      ps.basisFunctions(np, true);
      ps.pairGradients(np);
      for (let k = 0; k < np; k++) {
        const p = p0 + k, r = nl.distances[p];
        const rx = nl.vectors[3 * p], ry = nl.vectors[3 * p + 1], rz = nl.vectors[3 * p + 2];
        const f = out[4 * k + 3] / r;
        accumulatePair(positions, strain, i, nl.neighbours[p], out[4 * k] + f * rx, out[4 * k + 1] + f * ry, out[4 * k + 2] + f * rz, rx, ry, rz);
      }
    }
    return { positions, strain };
  }

  /** The batched pass reading the upstream through a row view (see UpstreamView). */
  private batched(structure: Structure, ctx: ComputeContext, sv: AngularSaved, dEdX: Float64Array, count: number, v: UpstreamView): DescriptorGradients {
    const nat = structure.species.length, W = this.width;
    const map = speciesMap(structure, this.species, 'angular descriptor');
    const nl = ctx.neighbours(this.cutoffA);
    const positions = new Float64Array(count * 3 * nat), strain = new Float64Array(count * 9);
    if (count === 0) return { positions, strain };
    this.cacheJacobians(structure, map, nl, sv);
    const la = getLinalg();
    const gi = new Float64Array(count * W);
    let out = new Float64Array(0), scratch = new Float64Array(0);
    for (let i = 0; i < nat; i++) {
      const p0 = nl.offsets[i], np = nl.offsets[i + 1] - p0;
      if (np === 0 || !gatherCentre(dEdX, count, nat, i, v, W, gi)) continue;
      let Ji: Float64Array;
      if (sv.jacobian) Ji = sv.jacobian.subarray(3 * p0 * W, 3 * (p0 + np) * W);
      else {
        if (scratch.length < 3 * np * W) scratch = new Float64Array(3 * np * W);
        Ji = scratch.subarray(0, 3 * np * W);
        this.centreJacobian(structure, map, nl, sv.c, i, Ji);
      }
      if (out.length < count * 3 * np) out = new Float64Array(count * 3 * np);
      la.gemm(count, 3 * np, W, gi, Ji, out, { transB: true });
      scatterPairs(nl.vectors, nl.neighbours, p0, np, i, out, count, nat, positions, strain);
    }
    return { positions, strain };
  }

  /**
   * Factored batched reverse pass (upstream.ts FactoredTerms: dE_c/dX_i = Σ_r P_r[c,i] T_r[c,:] + Q[c,i] U[i,:]): for a group
   * of active centres with stacked pair Jacobians J_G (Σ 3·pairs_i × width), one GEMM T_r J_Gᵀ per term gives every
   * centre's pair gradients up to its coefficient P_r[c,i]; the own part needs U_i J_iᵀ once per centre. Same results
   * as the batched pass on the materialised upstream (to round-off), without the count × N × width array.
   */
  private factored(structure: Structure, ctx: ComputeContext, sv: AngularSaved, up: FactoredTerms): DescriptorGradients {
    const nat = structure.species.length, W = this.width, count = up.count;
    const map = speciesMap(structure, this.species, 'angular descriptor');
    const nl = ctx.neighbours(this.cutoffA);
    const positions = new Float64Array(count * 3 * nat), strain = new Float64Array(count * 9);
    if (count === 0) return { positions, strain };
    this.cacheJacobians(structure, map, nl, sv);
    const active = activeCentres(up, nat, nl.offsets);
    const la = getLinalg();
    // groups of consecutive active centres whose count × rows output stays within FACTORED_OUT_DOUBLES
    let maxRows = 0;
    for (const i of active) maxRows = Math.max(maxRows, 3 * (nl.offsets[i + 1] - nl.offsets[i]));
    const rowCap = Math.max(maxRows, Math.floor(FACTORED_OUT_DOUBLES / count));
    // with several species, each term's rows restricted to the columns a pair of species J can touch (speciesColumns)
    const restrict = this.species.length > 1 ? up.terms.map((t, ti) => this.speciesColumns.map((cols, Jp) => {
      const Tj = this.scratch.take(`T${ti}:${Jp}`, count * cols.length);
      for (let c = 0; c < count; c++) {
        const src = c * W, dst = c * cols.length;
        for (let k = 0; k < cols.length; k++) Tj[dst + k] = t.rows[src + cols[k]];
      }
      return Tj;
    })) : null;
    let stack: Float64Array, out: Float64Array, acc: Float64Array;
    for (let g0 = 0; g0 < active.length;) {
      let g1 = g0, R = 0;
      while (g1 < active.length && R + 3 * (nl.offsets[active[g1] + 1] - nl.offsets[active[g1]]) <= rowCap) {
        R += 3 * (nl.offsets[active[g1] + 1] - nl.offsets[active[g1]]);
        g1++;
      }
      // stacked Jacobians of the group (R × W)
      stack = this.scratch.take('stack', R * W);
      const rowOff: number[] = [];
      let r0 = 0;
      for (let k = g0; k < g1; k++) {
        const i = active[k], p0 = nl.offsets[i], np = nl.offsets[i + 1] - p0;
        rowOff.push(r0);
        const dst = stack.subarray(r0 * W, (r0 + 3 * np) * W);
        if (sv.jacobian) dst.set(sv.jacobian.subarray(3 * p0 * W, 3 * (p0 + np) * W));
        else this.centreJacobian(structure, map, nl, sv.c, i, dst);
        r0 += 3 * np;
      }
      const J = stack.subarray(0, R * W);
      acc = this.scratch.take('acc', count * R, true);
      const split = restrict ? this.splitBySpecies(structure, map, nl, active, g0, g1, J, R) : null;
      for (let ti = 0; ti < up.terms.length; ti++) {
        const t = up.terms[ti];
        if (split && restrict) {
          // per-species products (count × R_J each), read through the row map: no count × R copy of them
          const parts = this.restrictedGemm(count, split, restrict[ti]), { sp, pos, counts } = split;
          for (let c = 0; c < count; c++)
            for (let k = g0; k < g1; k++) {
              const i = active[k], p = t.coef[c * nat + i];
              if (p === 0) continue;
              const r0 = rowOff[k - g0], base = c * R + r0, len = 3 * (nl.offsets[i + 1] - nl.offsets[i]);
              for (let q = 0; q < len; q++) {
                const r = r0 + q, J = sp[r];
                acc[base + q] += p * parts[J][c * counts[J] + pos[r]];
              }
            }
          continue;
        }
        out = this.scratch.take('out', count * R);
        la.gemm(count, R, W, t.rows, J, out, { transB: true });
        // direction-major (row c of out/acc once per group; each element gets the same single addition per term)
        for (let c = 0; c < count; c++)
          for (let k = g0; k < g1; k++) {
            const i = active[k], p = t.coef[c * nat + i];
            if (p === 0) continue;
            const base = c * R + rowOff[k - g0], len = 3 * (nl.offsets[i + 1] - nl.offsets[i]);
            for (let q = 0; q < len; q++) acc[base + q] += p * out[base + q];
          }
      }
      if (up.own) {
        const U = up.own.rows, Q = up.own.coef;
        // w[o + q] = U_i · J_(o+q) for every row of the group, then direction-major as above
        const w = this.scratch.take('ownw', R);
        for (let k = g0; k < g1; k++) {
          const i = active[k], o = rowOff[k - g0], len = 3 * (nl.offsets[i + 1] - nl.offsets[i]);
          for (let q = 0; q < len; q++) {
            let s = 0;
            const jr = (o + q) * W, ur = i * W;
            for (let col = 0; col < W; col++) s += U[ur + col] * J[jr + col];
            w[o + q] = s;
          }
        }
        for (let c = 0; c < count; c++)
          for (let k = g0; k < g1; k++) {
            const i = active[k], f = Q[c * nat + i];
            if (f === 0) continue;
            const o = rowOff[k - g0], base = c * R + o, len = 3 * (nl.offsets[i + 1] - nl.offsets[i]);
            for (let q = 0; q < len; q++) acc[base + q] += f * w[o + q];
          }
      }
      scatterPairsGroup(nl.vectors, nl.neighbours, nl.offsets, active, g0, g1, rowOff, acc, count, nat, positions, strain, R);
      g0 = g1;
    }
    return { positions, strain };
  }

  /**
   * The rows of a group's stacked Jacobian (R × W) sorted by the species J of the pair's neighbour, each restricted
   * to speciesColumns[J] (the other columns of such a row are exactly zero): per species the packed rows (R_J × W_J)
   * and, per group row, its species and its index among them.
   */
  private splitBySpecies(structure: Structure, map: Int32Array, nl: ReturnType<ComputeContext['neighbours']>, active: readonly number[],
    g0: number, g1: number, stack: Float64Array, R: number): { rows: Float64Array[]; counts: Int32Array; sp: Int32Array; pos: Int32Array } {
    const S = this.species.length, W = this.width;
    const sp = new Int32Array(R), pos = new Int32Array(R), counts = new Int32Array(S);
    let r = 0;
    for (let k = g0; k < g1; k++) {
      const i = active[k];
      for (let p = nl.offsets[i]; p < nl.offsets[i + 1]; p++) {
        const Jp = map[structure.species[nl.neighbours[p]]];
        for (let al = 0; al < 3; al++, r++) { sp[r] = Jp; pos[r] = counts[Jp]++; }
      }
    }
    const rows = this.speciesColumns.map((cols, Jp) => this.scratch.take(`rows:${Jp}`, counts[Jp] * cols.length));
    for (let q = 0; q < R; q++) {
      const cols = this.speciesColumns[sp[q]], dst = rows[sp[q]], o = pos[q] * cols.length, src = q * W;
      for (let k = 0; k < cols.length; k++) dst[o + k] = stack[src + cols[k]];
    }
    return { rows, counts, sp, pos };
  }

  /** Per neighbour species J: T_J J_Jᵀ (count × R_J) on the restricted columns (see splitBySpecies). */
  private restrictedGemm(count: number, split: { rows: Float64Array[]; counts: Int32Array }, T: Float64Array[]): Float64Array[] {
    const la = getLinalg();
    return this.speciesColumns.map((cols, Jp) => {
      const n = split.counts[Jp], o = this.scratch.take(`out:${Jp}`, count * n);
      if (n > 0) la.gemm(count, n, cols.length, T[Jp], split.rows[Jp].subarray(0, n * cols.length), o, { transB: true });
      return o;
    });
  }

  /** Build and keep the pair Jacobians of every centre in `saved` when they fit in JACOBIAN_CACHE_BYTES. */
  private cacheJacobians(structure: Structure, map: Int32Array, nl: ReturnType<ComputeContext['neighbours']>, sv: AngularSaved): void {
    const W = this.width, total = 3 * nl.count * W;
    if (sv.jacobian || 8 * total > JACOBIAN_CACHE_BYTES) return;
    const J = new Float64Array(total);
    for (let i = 0; i < structure.species.length; i++)
      this.centreJacobian(structure, map, nl, sv.c, i, J.subarray(3 * nl.offsets[i] * W, 3 * nl.offsets[i + 1] * W));
    sv.jacobian = J;
  }

  /** `saved` is typed, but callers can still hand over another structure's state: checked at run time. */
  private checkSaved(sv: AngularSaved, nat: number): AngularSaved {
    if (!sv || !(sv.c instanceof Float64Array) || sv.c.length !== nat * this.K * this.C)
      throw new FarfieldError('INVALID_INPUT', 'angular descriptor backward: saved state does not belong to this structure');
    return sv;
  }

  /** J_i (3·pairs_i × width, row (p, α)) of centre i into out (see the module doc). */
  private centreJacobian(structure: Structure, map: Int32Array, nl: ReturnType<ComputeContext['neighbours']>, c: Float64Array, i: number, out: Float64Array): void {
    const { nmax: N, lmax: L } = this.hypers;
    const W = this.width, C = this.C, K = this.K, L1 = L + 1;
    const h = this.h, dh = this.dh, eta = this.filterFactors, lOf = this.lOf, Y = this.ylm.values, dY = this.ylm.gradients;
    const dc = this.dc, E = this.E, pairA = this.pairA, pairB = this.pairB, scale = this.colScale;
    const chanJ = this.chanJ, chanN = this.chanN;
    if (this.ps) return this.centreJacobianWasm(structure, map, nl, c, i, out);
    const co = i * K * C;
    const hf = this.hf, dhf = this.gh; // gh is free scratch here (length F)
    for (let p = nl.offsets[i]; p < nl.offsets[i + 1]; p++) {
      const J = map[structure.species[nl.neighbours[p]]], r = nl.distances[p];
      const rx = nl.vectors[3 * p], ry = nl.vectors[3 * p + 1], rz = nl.vectors[3 * p + 2];
      const u = [rx / r, ry / r, rz / r];
      this.projection.evaluateWithDerivative(r, h, dh);
      for (let l = 0; l <= L; l++) for (let n = 0; n < N; n++) { hf[l * N + n] = eta[l] * h[l * N + n]; dhf[l * N + n] = eta[l] * dh[l * N + n]; }
      this.ylm.computeWithGradient(rx, ry, rz);
      // dc[α][n][lm]
      for (let al = 0; al < 3; al++)
        for (let n = 0; n < N; n++) {
          const o = (al * N + n) * K;
          for (let lm = 0; lm < K; lm++) {
            const f = lOf[lm] * N + n;
            dc[o + lm] = dhf[f] * u[al] * Y[lm] + hf[f] * dY[3 * lm + al];
          }
        }
      // E[α][n][l][b] = Σ_m dc[α][n][lm] c[lm][b]
      for (let al = 0; al < 3; al++)
        for (let n = 0; n < N; n++)
          for (let l = 0; l <= L; l++) {
            const eo = ((al * N + n) * L1 + l) * C, d0 = (al * N + n) * K;
            for (let b = 0; b < C; b++) E[eo + b] = 0;
            for (let lm = l * l; lm < (l + 1) * (l + 1); lm++) {
              const d = dc[d0 + lm], cr = co + lm * C;
              if (d === 0) continue;
              for (let b = 0; b < C; b++) E[eo + b] += d * c[cr + b];
            }
          }
      const ro = 3 * (p - nl.offsets[i]) * W;
      for (let al = 0; al < 3; al++) {
        const row = ro + al * W, ua = u[al];
        for (let q = 0; q < pairA.length; q++) {
          const a = pairA[q], b = pairB[q];
          const inA = chanJ[a] === J, inB = chanJ[b] === J;
          const col = row + q * L1;
          if (!inA && !inB) {
            for (let l = 0; l <= L; l++) out[col + l] = 0;
            continue;
          }
          const na = chanN[a], nb = chanN[b];
          for (let l = 0; l <= L; l++) {
            let s = 0;
            if (inA) s += E[((al * N + na) * L1 + l) * C + b];
            if (inB) s += E[((al * N + nb) * L1 + l) * C + a];
            if (inA && inB) {
              const fa = l * N + na, fb = l * N + nb;
              s -= ((2 * l + 1) / (4 * Math.PI)) * (dhf[fa] * hf[fb] + hf[fa] * dhf[fb]) * ua;
            }
            out[col + l] = scale[q * L1 + l] * s;
          }
        }
      }
    }
  }

  /** `centreJacobian` with the per-pair products in wasm (psBasis + psJacobian: the TS operations in the TS order, bitwise). */
  private centreJacobianWasm(structure: Structure, map: Int32Array, nl: ReturnType<ComputeContext['neighbours']>, c: Float64Array, i: number,
    out: Float64Array): void {
    const ps = this.ps as PowerSpectrumWasm;
    const K = this.K, C = this.C, W = this.width, sp = structure.species;
    const p0 = nl.offsets[i], np = nl.offsets[i + 1] - p0;
    if (np === 0) return;
    ps.reserve(np, true);
    const spv = ps.sp, vec = ps.vec, rv = ps.r;
    for (let k = 0; k < np; k++) {
      const p = p0 + k;
      spv[k] = map[sp[nl.neighbours[p]]];
      rv[k] = nl.distances[p];
      vec[3 * k] = nl.vectors[3 * p]; vec[3 * k + 1] = nl.vectors[3 * p + 1]; vec[3 * k + 2] = nl.vectors[3 * p + 2];
    }
    ps.c.set(c.subarray(i * K * C, (i + 1) * K * C));
    ps.basisFunctions(np, true);
    ps.jacobian(np);
    out.set(ps.jac.subarray(0, 3 * np * W));
  }

  toJSON(): DescriptorSpec {
    return { kind: 'angular', species: [...this.species], hypers: { ...this.hypers } };
  }
}
