/**
 * Truncated spherical-Bessel radial basis (science.md §1.2), shared by the short-range descriptors and LODE:
 *
 *   χ_nl(r) = j_l(q_nl r) / ν_nl  for 0 ≤ r ≤ R_cut (0 beyond),  q_nl R_cut = n-th positive zero of j_l (n = 1..nmax),
 *   ν_nl² = ∫₀^R r² j_l(q_nl r)² dr = (R³/2) j_l'(q_nl R)²,
 * so ∫₀^R r² χ_nl χ_n'l dr = δ_nn' (orthonormal for each l). Units: r in Å, q in 1/Å, χ in Å^(−3/2).
 * Layout of per-(n, l) arrays: index l·nmax + (n − 1).
 */
import { FarfieldError } from '../../core/index.js';
import { sphericalBesselJArray, sphericalBesselJDerivative, sphericalBesselJZeros } from '../../math/index.js';

export class SphericalBesselBasis {
  readonly cutoffA: number;
  readonly nmax: number;
  readonly lmax: number;
  /** q_nl (1/Å), index l·nmax + n − 1. */
  readonly q: Float64Array;
  /** 1/ν_nl (Å^(−3/2)), same index. */
  readonly invNorm: Float64Array;
  private readonly jbuf: Float64Array;

  constructor(cutoffA: number, nmax: number, lmax: number) {
    if (!(cutoffA > 0) || !Number.isFinite(cutoffA)) throw new FarfieldError('INVALID_INPUT', `spherical Bessel basis: cutoff must be > 0 Å, got ${cutoffA}`);
    if (!Number.isInteger(nmax) || nmax < 1) throw new FarfieldError('INVALID_INPUT', `spherical Bessel basis: nmax must be an integer ≥ 1, got ${nmax}`);
    if (!Number.isInteger(lmax) || lmax < 0) throw new FarfieldError('INVALID_INPUT', `spherical Bessel basis: lmax must be an integer ≥ 0, got ${lmax}`);
    this.cutoffA = cutoffA;
    this.nmax = nmax;
    this.lmax = lmax;
    this.q = new Float64Array((lmax + 1) * nmax);
    this.invNorm = new Float64Array((lmax + 1) * nmax);
    for (let l = 0; l <= lmax; l++) {
      const z = sphericalBesselJZeros(l, nmax);
      for (let n = 0; n < nmax; n++) {
        const k = l * nmax + n;
        this.q[k] = z[n] / cutoffA;
        const dj = sphericalBesselJDerivative(l, z[n]);
        this.invNorm[k] = 1 / Math.sqrt(0.5 * cutoffA ** 3 * dj * dj);
      }
    }
    this.jbuf = new Float64Array(lmax + 1);
  }

  /** χ_nl(r) for one (n ≥ 1, l). */
  value(n: number, l: number, r: number): number {
    if (r >= this.cutoffA) return 0;
    const k = l * this.nmax + n - 1;
    return sphericalBesselJArray(l, this.q[k] * r, this.jbuf)[l] * this.invNorm[k];
  }

  /** χ_nl(r) for all (n, l) into out (length (lmax+1)·nmax, index l·nmax + n − 1). */
  values(r: number, out: Float64Array): Float64Array {
    if (r >= this.cutoffA) {
      out.fill(0);
      return out;
    }
    for (let l = 0; l <= this.lmax; l++)
      for (let n = 0; n < this.nmax; n++) {
        const k = l * this.nmax + n;
        out[k] = sphericalBesselJArray(l, this.q[k] * r, this.jbuf)[l] * this.invNorm[k];
      }
    return out;
  }
}
