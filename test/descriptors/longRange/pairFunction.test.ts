/**
 * Proves the FKK pair functions (science.md §4.3): the closed forms of 𝒮_ζ,σ (Gaussian-smeared Slater) and 𝒴_ζ,σ
 * (Gaussian-smeared Yukawa) equal the 3-D convolution evaluated by independent 1-D quadrature, including d = 0 and
 * the small-d series branch; their derivatives equal central differences of the quadrature; σ → 0 gives e^{−ζd};
 * the Fourier transform F(G) = Ŝ e^{−σ²G²/2} reproduces 𝒮 (Hankel quadrature); the Ewald-like split l + r = 𝒮 has a
 * long-range part whose transform is the damped kernel, and a short-range part that decays like a Gaussian.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slaterPair, yukawaPair, slaterAtZero, SlaterChannel } from '../../../src/descriptors/longRange/pairFunction.js';

/** Composite Simpson on [a, b] with n (even) intervals. */
function simpson(f: (x: number) => number, a: number, b: number, n = 4000): number {
  const h = (b - a) / n;
  let s = f(a) + f(b);
  for (let k = 1; k < n; k++) s += (k % 2 ? 4 : 2) * f(a + k * h);
  return (s * h) / 3;
}

/**
 * Radial convolution (f ∗ g_σ)(d) = (2π/d)(2πσ²)^{-3/2} σ² ∫₀^∞ r f(r) [e^{−(r−d)²/2σ²} − e^{−(r+d)²/2σ²}] dr,
 * and at d = 0: 4π (2πσ²)^{-3/2} ∫ r² f(r) e^{−r²/2σ²} dr. The integrand is localised within ±14σ of d.
 */
function convolve(f: (r: number) => number, sigma: number, d: number): number {
  const norm = Math.pow(2 * Math.PI * sigma * sigma, -1.5);
  const lo = Math.max(0, d - 14 * sigma), hi = d + 14 * sigma;
  if (d === 0) return 4 * Math.PI * norm * simpson((r) => r * r * f(r) * Math.exp(-(r * r) / (2 * sigma * sigma)), 0, hi, 8000);
  const g = (r: number) => r * f(r) * (Math.exp(-((r - d) ** 2) / (2 * sigma * sigma)) - Math.exp(-((r + d) ** 2) / (2 * sigma * sigma)));
  return ((2 * Math.PI) / d) * norm * sigma * sigma * simpson(g, lo, hi, 8000);
}

const out = new Float64Array(2);
const cases: [number, number][] = [[2, 0.5], [0.4, 0.5], [0.0156, 0.5], [1, 0.3], [3, 1.2], [0.1, 1.5]];
const distances = [0, 1e-5, 3e-4, 0.05, 0.3, 0.9, 1.7, 3.2, 6, 11];

test('𝒮_ζ,σ(d) equals the quadrature of the 3-D convolution (incl. d = 0 and the series branch)', () => {
  for (const [zeta, sigma] of cases)
    for (const d of distances) {
      slaterPair(zeta, sigma, d, out);
      const ref = convolve((r) => Math.exp(-zeta * r), sigma, d);
      assert.ok(Math.abs(out[0] - ref) < 1e-11 * Math.max(1, Math.abs(ref)), `ζ=${zeta} σ=${sigma} d=${d}: ${out[0]} vs ${ref}`);
    }
});

test('𝒴_ζ,σ(d) equals the quadrature of the smeared Yukawa function', () => {
  for (const [zeta, sigma] of cases)
    for (const d of distances) {
      yukawaPair(zeta, sigma, d, out);
      const ref = convolve((r) => (r === 0 ? 0 : Math.exp(-zeta * r) / r), sigma, d);
      assert.ok(Math.abs(out[0] - ref) < 1e-10 * Math.max(1, Math.abs(ref)), `ζ=${zeta} σ=${sigma} d=${d}: ${out[0]} vs ${ref}`);
    }
});

test('𝒮′ and 𝒴′ equal central differences of the quadrature', () => {
  const h = 1e-4;
  for (const [zeta, sigma] of cases)
    for (const d of distances.filter((x) => x > 2 * h)) {
      const fdS = (convolve((r) => Math.exp(-zeta * r), sigma, d + h) - convolve((r) => Math.exp(-zeta * r), sigma, d - h)) / (2 * h);
      slaterPair(zeta, sigma, d, out);
      assert.ok(Math.abs(out[1] - fdS) < 2e-7 * Math.max(1, Math.abs(fdS)), `𝒮′ ζ=${zeta} σ=${sigma} d=${d}: ${out[1]} vs ${fdS}`);
      const y = (r: number) => (r === 0 ? 0 : Math.exp(-zeta * r) / r);
      const fdY = (convolve(y, sigma, d + h) - convolve(y, sigma, d - h)) / (2 * h);
      yukawaPair(zeta, sigma, d, out);
      assert.ok(Math.abs(out[1] - fdY) < 2e-7 * Math.max(1, Math.abs(fdY)), `𝒴′ ζ=${zeta} σ=${sigma} d=${d}: ${out[1]} vs ${fdY}`);
    }
  // The closed-form derivative also matches differences of the closed form across the series switch (d = 1e-3 σ).
  for (const [zeta, sigma] of cases)
    for (const d of [0.9e-3 * sigma, 1.1e-3 * sigma, 2 * sigma, 30 * sigma]) {
      const hh = 1e-4 * sigma; // larger steps would see O(h²) truncation, smaller ones the ~1e-13 rounding of 𝒮 near d = 0
      slaterPair(zeta, sigma, d + hh, out); const p = out[0];
      slaterPair(zeta, sigma, d - hh, out); const m = out[0];
      slaterPair(zeta, sigma, d, out);
      assert.ok(Math.abs(out[1] - (p - m) / (2 * hh)) < 2e-8, `ζ=${zeta} σ=${sigma} d=${d}`);
    }
});

test('σ → 0 limit: 𝒮 → e^{−ζd} and 𝒴 → e^{−ζd}/d, with the expected O(σ²) approach', () => {
  for (const zeta of [0.05, 0.5, 2])
    for (const d of [0.5, 2, 7]) {
      const exact = Math.exp(-zeta * d);
      const errs = [1e-2, 1e-3].map((sigma) => {
        slaterPair(zeta, sigma, d, out);
        return Math.abs(out[0] - exact);
      });
      // 𝒮 − e^{−ζd} ≈ (σ²/2)∇²e^{−ζr} = (σ²/2)(ζ² − 2ζ/d)e^{−ζd}: error falls by 100 when σ falls by 10.
      const lead = 0.5 * 1e-4 * Math.abs(zeta * zeta - (2 * zeta) / d) * exact;
      assert.ok(Math.abs(errs[0] - lead) < 1e-3 * lead + 1e-15, `ζ=${zeta} d=${d}: ${errs[0]} vs ${lead}`);
      assert.ok(errs[1] < errs[0] / 90 + 1e-15);
      yukawaPair(zeta, 1e-4, d, out);
      assert.ok(Math.abs(out[0] - exact / d) < 1e-7 * (exact / d));
      slaterPair(zeta, 0, d, out);
      assert.equal(out[0], exact);
    }
  assert.ok(Math.abs(slaterAtZero(2, 1e-6) - 1) < 1e-5);
});

test('Fourier pair: 𝒮(d) = (1/2π²) ∫ G² F(G) j₀(Gd) dG, and the split parts transform separately', () => {
  const hankel = (F: (g2: number) => number, d: number, gmax: number) =>
    simpson((g) => (g * g * F(g * g) * (d === 0 || g === 0 ? 1 : Math.sin(g * d) / (g * d))) / (2 * Math.PI * Math.PI), 0, gmax, 200000);
  for (const [zeta, sigma, a] of [[2, 0.5, 0.8], [0.4, 0.5, 1.5], [0.05, 0.5, 1.2], [1, 0.3, 0.6]]) {
    const full = new SlaterChannel(zeta, sigma, 0);
    const split = new SlaterChannel(zeta, sigma, a);
    for (const d of [0, 0.7, 2.5, 6]) {
      slaterPair(zeta, sigma, d, out);
      const sd = out[0];
      const refFull = hankel((g2) => full.fourier(g2), d, 40 / sigma);
      assert.ok(Math.abs(sd - refFull) < 1e-9 * Math.max(1, sd), `full ζ=${zeta} d=${d}: ${sd} vs ${refFull}`);
      split.long(d, out);
      const l = out[0];
      const refLong = hankel((g2) => split.fourier(g2), d, 40 / sigma);
      assert.ok(Math.abs(l - refLong) < 1e-9 * Math.max(1, l), `long ζ=${zeta} a=${a} d=${d}: ${l} vs ${refLong}`);
      if (d === 0) assert.ok(Math.abs(split.longAtZero() - l) < 1e-14);
      split.short(d, out);
      assert.ok(Math.abs(out[0] + l - sd) < 1e-14);
    }
    // Short-range part decays like a Gaussian: negligible at 12 σ′ although 𝒮 itself is still large for small ζ.
    split.short(12 * split.sigmaLong, out);
    assert.ok(Math.abs(out[0]) < 1e-14, `r(12σ′) = ${out[0]}`);
  }
});

test('F′(G²) of the split channel equals a difference quotient', () => {
  for (const [zeta, sigma, a] of [[2, 0.5, 0], [0.1, 0.5, 1.3]]) {
    const ch = new SlaterChannel(zeta, sigma, a);
    for (const g2 of [0, 0.3, 4, 30]) {
      const h = 1e-6 * Math.max(1, g2);
      const fd = g2 === 0
        ? (-3 * ch.fourier(0) + 4 * ch.fourier(h) - ch.fourier(2 * h)) / (2 * h)
        : (ch.fourier(g2 + h) - ch.fourier(g2 - h)) / (2 * h);
      assert.ok(Math.abs(ch.fourierDerivative(g2) - fd) < 1e-5 * Math.abs(fd) + 1e-12, `ζ=${zeta} a=${a} G²=${g2}`);
    }
  }
});
