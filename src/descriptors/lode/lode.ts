/**
 * LODE ν = 1 (kind 'lode'; Grisafi & Ceriotti, JCP 151, 204105 (2019); the comparator of Faller et al.;
 * science.md §2, §4.6–4.7): the l = 0 coefficients of the species-resolved potential of the Gaussian-smeared
 * density on the truncated spherical-Bessel basis χ_n of cutoff R_c (basis.ts):
 *
 *   periodic:  c^{iJ}_n = √β [ (1/V) Σ_{G≠0} F_n(G) Σ_{k∈J} cos(G·(r_k − r_i)) − δ_{J,t(i)} C_n ]
 *   open:      c^{iJ}_n = √β Σ_{k∈J, k≠i} h_n(r_ik)
 *
 * G = 0 is excluded: each species channel is the potential of that species plus a uniform compensating background
 * (tin-foil); in a charge-weighted neutral combination Σ_J q_J c^{iJ} the backgrounds cancel. C_n removes the
 * potential of the centre's own Gaussian (featomic's center_atom_weight = 0). For sources outside R_c the
 * coefficient is (Y₀₀ 4π ∫ r²χ_n dr) × the potential at the centre (mean-value property), so Σ_J q_J c^{iJ}_n
 * reproduces Madelung potentials (test/descriptors/lode).
 * Columns: species J major, n minor: label `lode:J:n`. The G cutoff comes from the accuracy target (absolute error
 * of one coefficient, same estimate as the FKK plan) or the `kCutoff` override.
 * Reverse pass: one more reciprocal pass with the upstream gradients as probes (speciesReciprocal.ts); open systems
 * re-sum h_n′ over pairs. Cost O(N·N_G·T) per channel (periodic), O(N²·N·quadrature) open.
 */
import { FarfieldError, cellVolume, isFullyPeriodic, isPeriodic, type Structure } from '../../core/index.js';
import type { ComputeContext } from '../context.js';
import { speciesMap, type Descriptor, type DescriptorGradients, type DescriptorOutput, type DescriptorSpec } from '../descriptor.js';
import { DESCRIPTORS } from '../registry.js';
import { accumulatePairAt, speciesReciprocal, speciesReciprocalBackward, type GradientSinkMany, type ReciprocalChannel, type ReciprocalStore } from '../longRange/speciesReciprocal.js';
import { BesselChannel } from './basis.js';

export interface LodeHypers {
  /** R_c of the spherical-Bessel basis, Å. */
  cutoffA: number;
  /** Number of radial functions n = 1..count. */
  count: number;
  /** Gaussian smearing of the atoms, Å. */
  sigmaA: number;
  /** Absolute error target of one coefficient (drives the G cutoff). */
  accuracy: number;
  /** Block weight β (features × √β). */
  weight: number;
  /** Override of the G cutoff, Å⁻¹. */
  kCutoff?: number;
}

export const LODE_DEFAULTS: Readonly<LodeHypers> = Object.freeze({ cutoffA: 4, count: 6, sigmaA: 0.5, accuracy: 1e-6, weight: 1 });

const KEYS = new Set(['cutoffA', 'count', 'sigmaA', 'accuracy', 'weight', 'kCutoff']);

export function parseLodeHypers(h: Record<string, unknown>, what = 'lode descriptor'): LodeHypers {
  if (h === null || typeof h !== 'object' || Array.isArray(h)) throw new FarfieldError('INVALID_INPUT', `${what}: hypers must be an object`);
  for (const k of Object.keys(h))
    if (!KEYS.has(k)) throw new FarfieldError('INVALID_INPUT', `${what}: unknown hyperparameter '${k}' (known: ${[...KEYS].join(', ')})`);
  const num = (key: keyof LodeHypers, ok: (x: number) => boolean, expect: string, dflt?: number): number => {
    const v = h[key] ?? dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v))
      throw new FarfieldError('INVALID_INPUT', `${what}: hyperparameter '${key}' must be ${expect}, got ${JSON.stringify(h[key])}`);
    return v;
  };
  const d = LODE_DEFAULTS;
  const out: LodeHypers = {
    cutoffA: num('cutoffA', (x) => x > 0, 'a positive basis cutoff in Å', d.cutoffA),
    count: num('count', (x) => Number.isInteger(x) && x >= 1 && x <= 64, 'an integer in 1..64', d.count),
    sigmaA: num('sigmaA', (x) => x > 0, 'a positive Gaussian width in Å', d.sigmaA),
    accuracy: num('accuracy', (x) => x > 0 && x < 1, 'an absolute error target in (0, 1)', d.accuracy),
    weight: num('weight', (x) => x >= 0, 'a block weight ≥ 0', d.weight),
  };
  if (h.kCutoff !== undefined) out.kCutoff = num('kCutoff', (x) => x > 0, 'a positive cutoff in Å⁻¹');
  return out;
}

const Y00 = 1 / (2 * Math.sqrt(Math.PI));

/** G cutoff for one channel from the accuracy target (bisection on the Gaussian-tail estimate). */
export function lodeKCutoff(ch: BesselChannel, accuracy: number, density: number): number {
  const s = ch.sigmaA;
  const env = (G: number) => {
    const bound = Math.min(ch.cutoffA / (ch.nu * G * (ch.q + G)), 1 / (ch.nu * G * Math.abs(G * G - ch.q * ch.q)));
    return (Y00 * 16 * Math.PI * Math.PI * Math.exp(-s * s * G * G / 2) * bound) / (G * G);
  };
  const err = (G: number) => {
    const F = env(G);
    return (G * F) / (s * s) / (2 * Math.PI * Math.PI) + Math.sqrt((density * G * F * F) / (2 * s * s) / (2 * Math.PI * Math.PI));
  };
  let lo = 2 * ch.q, hi = 2 * ch.q + 60 / s;
  if (err(lo) <= accuracy) return lo;
  for (let it = 0; it < 60; it++) {
    const m = 0.5 * (lo + hi);
    if (err(m) <= accuracy) hi = m;
    else lo = m;
  }
  return hi;
}

interface LodeSaved {
  periodic: boolean;
  types: Int32Array;
  kCutoffs: number[];
  /** Gradient-independent reverse-pass data, filled on the first reverse pass. */
  store: ReciprocalStore;
}

export class LodeDescriptor implements Descriptor {
  readonly kind = 'lode';
  readonly species: readonly string[];
  readonly cutoffA = Infinity;
  readonly labels: readonly string[];
  readonly width: number;
  readonly hypers: LodeHypers;
  readonly channels: readonly BesselChannel[];
  private readonly selfTerms: Float64Array;
  private readonly scale: number;

  constructor(species: readonly string[], hypers: Record<string, unknown> = {}) {
    if (species.length === 0) throw new FarfieldError('INVALID_INPUT', 'lode descriptor: the species list is empty');
    this.species = [...species];
    this.hypers = parseLodeHypers(hypers);
    this.channels = Array.from({ length: this.hypers.count }, (_, n) => new BesselChannel(n + 1, this.hypers.cutoffA, this.hypers.sigmaA));
    this.selfTerms = Float64Array.from(this.channels, (c) => c.selfTerm());
    this.scale = Math.sqrt(this.hypers.weight);
    const labels: string[] = [];
    for (const J of this.species) for (let n = 0; n < this.hypers.count; n++) labels.push(`lode:${J}:${n + 1}`);
    this.labels = labels;
    this.width = labels.length;
  }

  toJSON(): DescriptorSpec {
    const h: Record<string, unknown> = { ...this.hypers };
    if (h.kCutoff === undefined) delete h.kCutoff;
    return { kind: 'lode', species: [...this.species], hypers: h };
  }

  private setup(structure: Structure): { periodic: boolean; types: Int32Array } {
    if (isPeriodic(structure) && !isFullyPeriodic(structure))
      throw new FarfieldError('UNSUPPORTED', `lode descriptor: mixed periodicity [${structure.pbc.join(', ')}] is not supported (use 3-D periodic or none)`);
    const map = speciesMap(structure, this.species, 'lode descriptor');
    return { periodic: isFullyPeriodic(structure), types: Int32Array.from(structure.species, (s) => map[s]) };
  }

  /** G cutoff per channel for this structure. */
  kCutoffs(structure: Structure): number[] {
    const rho = structure.species.length / cellVolume(structure.cell);
    return this.channels.map((c) => this.hypers.kCutoff ?? lodeKCutoff(c, this.hypers.accuracy, rho));
  }

  /** The reciprocal channels for the G cutoffs kc. */
  reciprocalChannels(kc: number[]): ReciprocalChannel[] {
    return this.channels.map((c, n) => {
      const tmp = new Float64Array(2);
      return {
        n, kCutoff: kc[n], self: this.selfTerms[n], prefactor: this.scale,
        kernel: { value: (g2: number) => c.fourier(g2, tmp), derivative: (g2: number) => c.fourierDerivative(g2, tmp), includeZero: false },
      };
    });
  }

  compute(structure: Structure, ctx: ComputeContext): DescriptorOutput {
    const { periodic, types } = this.setup(structure);
    const N = types.length, X = new Float64Array(N * this.width);
    let kc: number[] = [];
    if (periodic) {
      kc = this.kCutoffs(structure);
      speciesReciprocal(structure, ctx, types, this.species.length, this.hypers.count, this.reciprocalChannels(kc), this.key(), X);
    } else this.finite(structure, types, X, null, null);
    const saved: LodeSaved = { periodic, types, kCutoffs: kc, store: {} };
    return { features: { rows: N, cols: this.width, data: X, labels: [...this.labels] }, saved };
  }

  backward(structure: Structure, ctx: ComputeContext, saved: unknown, dEdX: Float64Array): DescriptorGradients {
    const N = (saved as LodeSaved).types.length;
    if (dEdX.length !== N * this.width)
      throw new FarfieldError('INVALID_INPUT', `lode backward: dE/dX has ${dEdX.length} entries, expected ${N}×${this.width}`);
    return this.backwardMany(structure, ctx, saved, dEdX, 1);
  }

  /** `count` reverse passes at once (one batched reciprocal pass; open systems: one pair loop). */
  backwardMany(structure: Structure, ctx: ComputeContext, saved: unknown, dEdX: Float64Array, count: number): DescriptorGradients {
    const s = saved as LodeSaved;
    const N = s.types.length;
    if (!(Number.isInteger(count) && count >= 0) || dEdX.length !== count * N * this.width)
      throw new FarfieldError('INVALID_INPUT', `lode backwardMany: dE/dX has ${dEdX.length} entries, expected ${count}×${N}×${this.width}`);
    const out: GradientSinkMany = { gPos: new Float64Array(count * 3 * N), gStrain: new Float64Array(count * 9), count };
    if (s.periodic)
      speciesReciprocalBackward(structure, ctx, s.types, this.species.length, this.hypers.count, this.reciprocalChannels(s.kCutoffs), this.key(), dEdX, out, s.store);
    else this.finite(structure, s.types, null, dEdX, out);
    return { positions: out.gPos, strain: out.gStrain };
  }

  private key(): string {
    return `lode:${JSON.stringify(this.hypers)}`;
  }

  private finite(structure: Structure, types: Int32Array, X: Float64Array | null, g: Float64Array | null, out: GradientSinkMany | null): void {
    const N = types.length, Nn = this.hypers.count, W = this.width, p = structure.positions, NW = N * W;
    const tmp = new Float64Array(2), dv = new Float64Array(Nn);
    for (let i = 0; i < N; i++)
      for (let k = 0; k < N; k++) {
        if (k === i) continue;
        const dx = p[3 * k] - p[3 * i], dy = p[3 * k + 1] - p[3 * i + 1], dz = p[3 * k + 2] - p[3 * i + 2];
        const d = Math.sqrt(dx * dx + dy * dy + dz * dz);
        const col = i * W + types[k] * Nn;
        for (let n = 0; n < Nn; n++) {
          this.channels[n].pair(d, tmp);
          if (X) X[col + n] += this.scale * tmp[0];
          dv[n] = this.scale * tmp[1];
        }
        if (g && out)
          for (let c = 0; c < out.count; c++) {
            const go = c * NW + col;
            let dsum = 0;
            for (let n = 0; n < Nn; n++) dsum += g[go + n] * dv[n];
            if (dsum !== 0) accumulatePairAt(out.gPos, c * 3 * N, out.gStrain, c * 9, i, k, dx, dy, dz, d, dsum);
          }
      }
  }
}

DESCRIPTORS.register('lode', (species, hypers) => new LodeDescriptor(species, hypers));
