/** 3-D FFT: agreement with a naive O(n²) DFT written from the definition, round trip, and length validation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Fft3d } from '../../src/math/index.js';
import { Rng } from '../../src/core/index.js';

function naiveDft(x: Float64Array, n: [number, number, number], sign: number): Float64Array {
  const [n0, n1, n2] = n;
  const out = new Float64Array(x.length);
  for (let m0 = 0; m0 < n0; m0++)
    for (let m1 = 0; m1 < n1; m1++)
      for (let m2 = 0; m2 < n2; m2++) {
        let re = 0, im = 0;
        for (let g0 = 0; g0 < n0; g0++)
          for (let g1 = 0; g1 < n1; g1++)
            for (let g2 = 0; g2 < n2; g2++) {
              const ph = sign * 2 * Math.PI * ((m0 * g0) / n0 + (m1 * g1) / n1 + (m2 * g2) / n2);
              const p = 2 * ((g0 * n1 + g1) * n2 + g2);
              re += x[p] * Math.cos(ph) - x[p + 1] * Math.sin(ph);
              im += x[p] * Math.sin(ph) + x[p + 1] * Math.cos(ph);
            }
        const q = 2 * ((m0 * n1 + m1) * n2 + m2);
        out[q] = re;
        out[q + 1] = im;
      }
  return out;
}

for (const n of [[4, 8, 2], [1, 4, 16], [8, 1, 1], [2, 2, 2]] as [number, number, number][]) {
  test(`forward and inverse equal the naive DFT (${n.join('×')})`, () => {
    const rng = new Rng(7);
    const x = Float64Array.from({ length: 2 * n[0] * n[1] * n[2] }, () => rng.normal());
    const f = new Fft3d(...n);
    for (const sign of [-1, 1]) {
      const y = x.slice();
      if (sign < 0) f.forward(y);
      else f.inverse(y);
      const ref = naiveDft(x, n, sign);
      for (let k = 0; k < y.length; k++) assert.ok(Math.abs(y[k] - ref[k]) < 1e-12 * 64, `sign ${sign} entry ${k}: ${y[k]} vs ${ref[k]}`);
    }
    const z = x.slice();
    f.forward(z);
    f.inverse(z);
    const size = n[0] * n[1] * n[2];
    for (let k = 0; k < z.length; k++) assert.ok(Math.abs(z[k] / size - x[k]) < 1e-13);
  });
}

test('the transform rejects non-positive lengths and wrong buffer sizes', () => {
  assert.throws(() => new Fft3d(0, 4, 4), /positive integer/);
  assert.throws(() => new Fft3d(4, 4, 4).forward(new Float64Array(10)), /expected 128/);
});
