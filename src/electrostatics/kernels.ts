/**
 * Electrostatic kernels — the physics, separate from the solvers that sum them (DESIGN rule 2).
 *
 * A kernel is an isotropic pair interaction v(r) between unit weights, with Fourier transform
 * v̂(k) = 4π ∫ r² v(r) j₀(kr) dr (science.md §0). Given an Ewald splitting parameter α (Å⁻¹) it splits as
 *   v = v_sr + v_lr,  v̂_lr(k) = v̂(k)·e^{−k²/(4α²)}
 * and reports (SplitKernel):
 *   - shortRange(r): v_sr(r) and dv_sr/dr, summed in real space up to a cutoff;
 *   - fourier: F(k²) = v̂_lr(k), dF/d(k²), and whether the k = 0 term exists (F(0) finite) or is dropped (Coulomb-like);
 *   - selfPotential = v_lr(0): the long-range sum includes each atom's interaction with itself, removed as −w_i·v_lr(0);
 *   - backgroundIntegral = ∫ v_sr d³r: for Coulomb-like kernels (k = 0 dropped, "tin-foil"), a net weight Σw places
 *     each atom in a uniform neutralising background, whose potential is −(Σ_j w_j/V)·∫ v_sr d³r.
 * Potentials carry the kernel's prefactor (default k_e = COULOMB_EV_A eV·Å/e², so φ is in V = eV/e).
 *
 * Kernels:
 *   coulomb:   v = 1/r, v̂ = 4π/k²;  v_sr = erfc(αr)/r, v_lr(0) = 2α/√π, ∫v_sr = π/α².
 *   gaussian:  potential of a normalised Gaussian of width σ (ρ ∝ e^{−r²/2σ²}) at a point:
 *              v = erf(r/(√2σ))/r, v̂ = 4π e^{−σ²k²/2}/k². (Two Gaussian charges of width s interact with σ = √2 s.)
 *              With β = 1/√(2σ² + 1/α²): v_lr = erf(βr)/r, v_sr = [erf(r/√2σ) − erf(βr)]/r, v_lr(0) = 2β/√π,
 *              ∫v_sr = π/α² (both decay as 4π/k² at small k). The splitting width used for cutoffs is β.
 *   fourier:   a generic kernel given only by F(k²) (and optionally a short-range real-space part), e.g. the FKK/LODE
 *              radial kernels; α is ignored; no self or background term unless given.
 */
import { COULOMB_EV_A, FarfieldError, Registry } from '../core/index.js';
import { erf, erfc } from '../math/index.js';

const SQRT_PI = Math.sqrt(Math.PI);
const TWO_OVER_SQRT_PI = 2 / SQRT_PI;

/** The long-range part of a kernel in reciprocal space. */
export interface FourierKernel {
  /** F(k²), k in Å⁻¹, in prefactor units × Å² (e.g. eV·Å³/e² for Coulomb with k_e). */
  value(k2: number): number;
  /** dF/d(k²), needed for the strain derivative (stress). */
  derivative(k2: number): number;
  /** Include the k = 0 term (F(0) finite); false for Coulomb-like kernels (k = 0 dropped, background term instead). */
  includeZero: boolean;
}

export interface SplitKernel {
  /** Writes v_sr(r) into out[0] and dv_sr/dr into out[1]; null when there is no real-space part. */
  shortRange: ((r: number, out: Float64Array) => void) | null;
  fourier: FourierKernel;
  /** v_lr(0): the long-range self interaction removed as −w_i·v_lr(0). */
  selfPotential: number;
  /** ∫ v_sr d³r (Å² × prefactor): background potential −(Σw/V)·this when fourier.includeZero is false. */
  backgroundIntegral: number;
  /** The Gaussian decay rate (Å⁻¹) of v_sr(r) ~ e^{−(decay·r)²} and of F ~ e^{−k²/(4 decay²)}; used by `tune`. */
  decay: number;
}

export interface KernelJSON {
  kind: string;
  [key: string]: unknown;
}

export interface ElectrostaticKernel {
  readonly kind: string;
  /** Multiplies every potential (default k_e). */
  readonly prefactor: number;
  /** Full pair interaction for open-boundary direct sums: writes v(r) and dv/dr into out; undefined if unavailable. */
  pair?: (r: number, out: Float64Array) => void;
  /** The split at Ewald parameter α (Å⁻¹). */
  split(alpha: number): SplitKernel;
  toJSON(): KernelJSON;
}

/** erf(a r)/r and its r-derivative, with the series near r = 0 (value 2a/√π, derivative → 0). */
function erfOverR(a: number, r: number, out: Float64Array): void {
  const x = a * r;
  if (x < 1e-4) {
    // erf(x)/x = (2/√π)(1 − x²/3 + x⁴/10 …)
    out[0] = TWO_OVER_SQRT_PI * a * (1 - (x * x) / 3 + (x * x * x * x) / 10);
    out[1] = TWO_OVER_SQRT_PI * a * a * (-2 * x / 3 + (4 * x * x * x) / 10);
    return;
  }
  const v = erf(x) / r;
  out[0] = v;
  out[1] = (TWO_OVER_SQRT_PI * a * Math.exp(-x * x) - v) / r;
}

export interface CoulombOptions {
  /** Prefactor (default k_e = 14.3996454784 eV·Å/e²). */
  prefactor?: number;
}

/** Point-charge Coulomb kernel v(r) = prefactor / r. */
export function coulombKernel(options: CoulombOptions = {}): ElectrostaticKernel {
  const pf = options.prefactor ?? COULOMB_EV_A;
  return {
    kind: 'coulomb',
    prefactor: pf,
    pair(r, out) {
      out[0] = pf / r;
      out[1] = -pf / (r * r);
    },
    split(alpha) {
      checkAlpha(alpha);
      const a2 = 4 * alpha * alpha;
      return {
        shortRange(r, out) {
          const x = alpha * r;
          const e = Math.exp(-x * x);
          const v = erfc(x) / r;
          out[0] = pf * v;
          out[1] = -pf * (v + TWO_OVER_SQRT_PI * alpha * e) / r;
        },
        fourier: {
          value: (k2) => (pf * 4 * Math.PI * Math.exp(-k2 / a2)) / k2,
          derivative: (k2) => -pf * 4 * Math.PI * Math.exp(-k2 / a2) * (1 / (k2 * k2) + 1 / (a2 * k2)),
          includeZero: false,
        },
        selfPotential: pf * TWO_OVER_SQRT_PI * alpha,
        backgroundIntegral: (pf * Math.PI) / (alpha * alpha),
        decay: alpha,
      };
    },
    toJSON: () => ({ kind: 'coulomb', prefactor: pf }),
  };
}

export interface GaussianOptions extends CoulombOptions {
  /** Width σ (Å) of the Gaussian source: v(r) = erf(r/(√2σ))/r (the atoms' `smearingA` of the descriptors). */
  smearingA?: number;
  /** @deprecated pre-0.2 name of smearingA, accepted one release. */
  sigmaA?: number;
}

/** Gaussian-smeared Coulomb kernel (potential of a normalised Gaussian of width σ at a point). */
export function gaussianChargeKernel(options: GaussianOptions): ElectrostaticKernel {
  const pf = options.prefactor ?? COULOMB_EV_A;
  if (options.smearingA !== undefined && options.sigmaA !== undefined)
    throw new FarfieldError('INVALID_INPUT', `gaussian kernel: 'sigmaA' (pre-0.2 name) and 'smearingA' are the same width; give only 'smearingA'`);
  const sigma = options.smearingA ?? options.sigmaA;
  if (sigma === undefined || !(sigma > 0) || !Number.isFinite(sigma))
    throw new FarfieldError('INVALID_INPUT', `gaussian kernel: smearingA must be a positive finite width in Å, got ${sigma}`);
  const a = 1 / (Math.SQRT2 * sigma);
  const tmp = new Float64Array(2);
  return {
    kind: 'gaussian',
    prefactor: pf,
    pair(r, out) {
      erfOverR(a, r, out);
      out[0] *= pf;
      out[1] *= pf;
    },
    split(alpha) {
      checkAlpha(alpha);
      const beta = 1 / Math.sqrt(2 * sigma * sigma + 1 / (alpha * alpha));
      const s2 = sigma * sigma / 2 + 1 / (4 * alpha * alpha);
      return {
        shortRange(r, out) {
          erfOverR(a, r, out);
          erfOverR(beta, r, tmp);
          out[0] = pf * (out[0] - tmp[0]);
          out[1] = pf * (out[1] - tmp[1]);
        },
        fourier: {
          value: (k2) => (pf * 4 * Math.PI * Math.exp(-k2 * s2)) / k2,
          derivative: (k2) => -pf * 4 * Math.PI * Math.exp(-k2 * s2) * (1 / (k2 * k2) + s2 / k2),
          includeZero: false,
        },
        selfPotential: pf * TWO_OVER_SQRT_PI * beta,
        backgroundIntegral: (pf * Math.PI) / (alpha * alpha),
        decay: beta,
      };
    },
    toJSON: () => ({ kind: 'gaussian', smearingA: sigma, prefactor: pf }),
  };
}

export interface FourierKernelOptions {
  /** F(k²) (any units; potentials come out in the same units / Å³). */
  value: (k2: number) => number;
  /** dF/d(k²). */
  derivative: (k2: number) => number;
  /** Include k = 0 (F(0) must be finite). Default true. */
  includeZero?: boolean;
  /** Optional real-space short-range part (value and d/dr into out). */
  shortRange?: (r: number, out: Float64Array) => void;
  /** Optional self potential to remove (default 0). */
  selfPotential?: number;
  /** Rate of decay of F used by tune (F ~ e^{−k²/(4 decay²)}); default Infinity (caller sets the k-cutoff). */
  decay?: number;
  /** Name recorded in JSON. */
  name?: string;
}

/** A generic isotropic kernel given by its Fourier transform (reciprocal-space only unless shortRange is given). */
export function fourierKernel(options: FourierKernelOptions): ElectrostaticKernel {
  const split: SplitKernel = {
    shortRange: options.shortRange ?? null,
    fourier: { value: options.value, derivative: options.derivative, includeZero: options.includeZero ?? true },
    selfPotential: options.selfPotential ?? 0,
    backgroundIntegral: 0,
    decay: options.decay ?? Infinity,
  };
  return {
    kind: 'fourier',
    prefactor: 1,
    split: () => split,
    toJSON: () => ({ kind: 'fourier', name: options.name ?? 'custom', includeZero: split.fourier.includeZero }),
  };
}

function checkAlpha(alpha: number): void {
  if (!(alpha > 0) || !Number.isFinite(alpha))
    throw new FarfieldError('INVALID_INPUT', `Ewald splitting parameter alpha must be a positive finite number (Å⁻¹), got ${alpha}`);
}

/** Kernels constructible from JSON: `ELECTROSTATIC_KERNELS.get(json.kind)(json)`. */
export const ELECTROSTATIC_KERNELS = new Registry<(json: KernelJSON) => ElectrostaticKernel>('electrostatic kernel');
ELECTROSTATIC_KERNELS.register('coulomb', (j) => coulombKernel({ prefactor: typeof j.prefactor === 'number' ? j.prefactor : undefined }));
ELECTROSTATIC_KERNELS.register('gaussian', (j) => {
  const width = j.smearingA ?? j.sigmaA; // sigmaA: pre-0.2 name, accepted one release
  if (typeof width !== 'number') throw new FarfieldError('INVALID_INPUT', `gaussian kernel JSON needs a numeric 'smearingA'`);
  if (j.smearingA !== undefined && j.sigmaA !== undefined) throw new FarfieldError('INVALID_INPUT', `gaussian kernel JSON: give 'smearingA' only (not also the pre-0.2 'sigmaA')`);
  return gaussianChargeKernel({ smearingA: width, prefactor: typeof j.prefactor === 'number' ? j.prefactor : undefined });
});

// ---------------------------------------------------------------- pre-0.2 names, kept one release

/** @deprecated since 0.2: ElectrostaticKernel (`Kernel` named model/'s similarity kernels too). */
export type Kernel = ElectrostaticKernel;
/** @deprecated since 0.2: gaussianChargeKernel (model/ has a Gaussian similarity kernel). */
export const gaussianKernel = gaussianChargeKernel;
/** @deprecated since 0.2: ELECTROSTATIC_KERNELS (model/ has a KERNELS registry of similarity kernels). */
export const KERNELS = ELECTROSTATIC_KERNELS;
