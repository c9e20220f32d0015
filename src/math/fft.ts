/**
 * 3-D complex FFTs. `Fft3d` is the mixed-radix engine of fftMixed.ts (any lengths; fast for 2^a 3^b 5^c 7^d; also
 * `RealFft3d` for real data). `Fft3dFftJs` is the previous power-of-two transform over fft.js (radix-4/2), kept as
 * the comparison in bench/electrostatics.bench.ts: on the 2-core test machine the mixed-radix engine is as fast
 * or faster at 32³ … 128³, and the real-to-complex transform halves the work again.
 *
 * Fft3dFftJs (fft.js, power-of-two lengths):
 *
 * Data layout: interleaved complex Float64Array of length 2·n0·n1·n2, element (i0, i1, i2) at
 * 2·((i0·n1 + i1)·n2 + i2) (real) and +1 (imaginary). Transforms are in place and unnormalised:
 *   forward  X(m) = Σ_g x(g) e^{−2πi (m0 g0/n0 + m1 g1/n1 + m2 g2/n2)}
 *   inverse  x(g) = Σ_m X(m) e^{+2πi (…)}            (no 1/(n0 n1 n2); inverse(forward(x)) = n0 n1 n2 · x)
 * The inverse is computed as conj(forward(conj(x))) line by line, so no rescaling pass is needed.
 * Lengths must be powers of two (fft.js's restriction); length 1 is allowed (identity). `nextPowerOfTwo` helps
 * callers (PME) pick admissible mesh sizes — the mesh tuner rounds up to 2^a, which costs at most a factor 2 per
 * direction in mesh points but keeps the radix-4 kernels of fft.js.
 * Cost: O(n log n) with n = n0·n1·n2; one line buffer per axis, no allocation per call.
 */
import FFT from 'fft.js';
import { FarfieldError } from '../core/index.js';
export { MixedFft3d as Fft3d, RealFft3d, realTransform3d, nextFftSize, isFftSize, type RealTransform3d } from './fftMixed.js';

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
}

/** Smallest power of two ≥ n (n ≥ 1). */
export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

export class Fft3dFftJs {
  readonly n0: number;
  readonly n1: number;
  readonly n2: number;
  private readonly plans: (FFT | null)[];
  private readonly lineIn: Float64Array[];
  private readonly lineOut: Float64Array[];

  constructor(n0: number, n1: number, n2: number) {
    for (const [k, n] of [n0, n1, n2].entries())
      if (!isPowerOfTwo(n)) throw new FarfieldError('INVALID_INPUT', `FFT length ${k} must be a power of two ≥ 1, got ${n}`);
    this.n0 = n0;
    this.n1 = n1;
    this.n2 = n2;
    this.plans = [n0, n1, n2].map((n) => (n > 1 ? new FFT(n) : null));
    this.lineIn = [n0, n1, n2].map((n) => new Float64Array(2 * n));
    this.lineOut = [n0, n1, n2].map((n) => new Float64Array(2 * n));
  }

  get size(): number {
    return this.n0 * this.n1 * this.n2;
  }

  /** Forward transform (sign −), in place. */
  forward(data: Float64Array): void {
    this.run(data, false);
  }

  /** Inverse transform (sign +, unnormalised), in place. */
  inverse(data: Float64Array): void {
    this.run(data, true);
  }

  private run(data: Float64Array, inverse: boolean): void {
    if (data.length !== 2 * this.size)
      throw new FarfieldError('INVALID_INPUT', `FFT data has ${data.length} entries, expected ${2 * this.size}`);
    const { n0, n1, n2 } = this;
    // axis 2: contiguous lines
    this.axis(data, 2, n0 * n1, (l) => 2 * l * n2, 2, inverse);
    // axis 1: lines at fixed (i0, i2), stride n2
    this.axis(data, 1, n0 * n2, (l) => 2 * (Math.floor(l / n2) * n1 * n2 + (l % n2)), 2 * n2, inverse);
    // axis 0: lines at fixed (i1, i2), stride n1·n2
    this.axis(data, 0, n1 * n2, (l) => 2 * l, 2 * n1 * n2, inverse);
  }

  private axis(data: Float64Array, ax: number, lines: number, start: (l: number) => number, stride: number, inverse: boolean): void {
    const plan = this.plans[ax];
    if (plan === null) return;
    const n = [this.n0, this.n1, this.n2][ax];
    const a = this.lineIn[ax], b = this.lineOut[ax];
    const s = inverse ? -1 : 1;
    for (let l = 0; l < lines; l++) {
      let p = start(l);
      for (let k = 0; k < n; k++, p += stride) {
        a[2 * k] = data[p];
        a[2 * k + 1] = s * data[p + 1];
      }
      plan.transform(b, a);
      p = start(l);
      for (let k = 0; k < n; k++, p += stride) {
        data[p] = b[2 * k];
        data[p + 1] = s * b[2 * k + 1];
      }
    }
  }
}
