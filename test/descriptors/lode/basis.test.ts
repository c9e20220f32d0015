/**
 * Proves the LODE radial machinery (science.md §1.2, §2.3, §2.5): χ_n is normalised; the closed-form radial integral
 * I_n(G) (both forms, incl. G = q_n) and its derivative equal quadrature / differences; the self term C_n and the
 * volume integral equal quadrature; the real-space pair function h_n(d) equals the Hankel transform of the
 * reciprocal kernel F_n (two independent routes), and obeys the mean-value property h_n(d) = (Y₀₀4π∫r²χ_n)·erf(d/√2σ)/d
 * for sources outside the basis support.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { erf } from '../../../src/math/index.js';
import { BesselChannel } from '../../../src/descriptors/lode/index.js';

function simpson(f: (x: number) => number, a: number, b: number, n = 20000): number {
  const h = (b - a) / n;
  let s = f(a) + f(b);
  for (let k = 1; k < n; k++) s += (k % 2 ? 4 : 2) * f(a + k * h);
  return (s * h) / 3;
}
const j0 = (x: number) => (x === 0 ? 1 : Math.sin(x) / x);
const Y00 = 1 / (2 * Math.sqrt(Math.PI));
const tmp = new Float64Array(2);

test('χ_n is normalised and I_n(G), dI_n/dG match quadrature (incl. G = q_n and small G)', () => {
  for (const n of [1, 2, 5]) {
    const ch = new BesselChannel(n, 4, 0.5);
    assert.ok(Math.abs(simpson((r) => r * r * ch.chi(r) ** 2, 0, 4) - 1) < 1e-10);
    for (const G of [1e-3, 0.3, ch.q / 2 - 1e-9, ch.q / 2 + 1e-9, ch.q - 1e-7, ch.q, 2.7, 9.5]) {
      ch.radialIntegral(G, tmp);
      const ref = simpson((r) => r * r * ch.chi(r) * j0(G * r), 0, 4);
      assert.ok(Math.abs(tmp[0] - ref) < 1e-10, `n=${n} G=${G}: ${tmp[0]} vs ${ref}`);
      const h = 1e-5;
      const fd = (simpson((r) => r * r * ch.chi(r) * j0((G + h) * r), 0, 4) - simpson((r) => r * r * ch.chi(r) * j0(Math.max(0, G - h) * r), 0, 4)) / (G + h - Math.max(0, G - h));
      assert.ok(Math.abs(tmp[1] - fd) < 1e-7, `dI n=${n} G=${G}: ${tmp[1]} vs ${fd}`);
    }
  }
});

test('self term C_n and the volume integral Y₀₀4π∫r²χ_n match quadrature; dF/dG² matches differences', () => {
  for (const [n, R, s] of [[1, 4, 0.5], [3, 3, 0.3], [4, 5, 1]] as const) {
    const ch = new BesselChannel(n, R, s);
    const self = Y00 * 4 * Math.PI * simpson((r) => r * ch.chi(r) * erf(r / (Math.SQRT2 * s)), 0, R);
    assert.ok(Math.abs(ch.selfTerm() - self) < 1e-11 * Math.max(1, Math.abs(self)), `C_${n}`);
    const vol = Y00 * 4 * Math.PI * simpson((r) => r * r * ch.chi(r), 0, R);
    assert.ok(Math.abs(ch.volumeIntegral() - vol) < 1e-11 * Math.max(1, Math.abs(vol)));
    for (const g2 of [0.05, 1.3, ch.q * ch.q, 40]) {
      const h = 1e-6 * g2;
      const fd = (ch.fourier(g2 + h, tmp) - ch.fourier(g2 - h, tmp)) / (2 * h);
      assert.ok(Math.abs(ch.fourierDerivative(g2, tmp) - fd) < 1e-6 * Math.abs(fd) + 1e-12, `F′ n=${n} G²=${g2}`);
    }
  }
});

test('real-space pair h_n(d) = Hankel transform of F_n, and → (Y₀₀4π∫r²χ_n) erf(d/√2σ)/d outside the support', () => {
  for (const [n, R, s] of [[1, 4, 0.5], [2, 3, 0.4]] as const) {
    const ch = new BesselChannel(n, R, s);
    for (const d of [0.4, 1.7, 3.1, 6]) {
      ch.pair(d, tmp);
      const hd = tmp[0];
      // h(d) = (1/2π²) ∫ G² F(G) j₀(Gd) dG (F ~ 1/G⁵ e^{−σ²G²/2} at large G; ~ 1/G² at small G: integrand finite)
      const ref = simpson((G) => (G === 0 ? 0 : (G * G * ch.fourier(G * G, new Float64Array(2)) * j0(G * d)) / (2 * Math.PI * Math.PI)), 0, 30 / s, 400000);
      // the G → 0 end: G² F(G) → Y₀₀ 16π² I_n(0), so the integrand is finite at 0; Simpson's first point is set to 0,
      // correct it by adding the missing (h/3)·f(0) term.
      const f0 = (Y00 * 16 * Math.PI * Math.PI * (ch.radialIntegral(0, tmp), tmp[0])) / (2 * Math.PI * Math.PI);
      const refFixed = ref + ((30 / s / 400000) / 3) * f0;
      assert.ok(Math.abs(hd - refFixed) < 1e-7 * Math.max(1, Math.abs(hd)), `n=${n} d=${d}: ${hd} vs ${refFixed}`);
    }
    for (const d of [R + 6 * s, R + 10]) {
      ch.pair(d, tmp);
      const mv = (ch.volumeIntegral() * erf(d / (Math.SQRT2 * s))) / d;
      assert.ok(Math.abs(tmp[0] - mv) < 1e-9 * Math.abs(mv), `mean value n=${n} d=${d}: ${tmp[0]} vs ${mv}`);
    }
    for (const d of [0.3, 1.7, R - 0.2, R + 6 * s, R + 10]) {
      const h = 1e-4;
      ch.pair(d + h, tmp); const p = tmp[0];
      ch.pair(d - h, tmp); const m = tmp[0];
      ch.pair(d, tmp);
      assert.ok(Math.abs(tmp[1] - (p - m) / (2 * h)) < 1e-8 * Math.abs(tmp[1]) + 1e-12, `h′ n=${n} d=${d}`);
    }
  }
});
