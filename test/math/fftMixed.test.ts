/** Mixed-radix FFT: 1-D, 3-D complex and 3-D real-to-complex transforms against a naive DFT; round trips; sizes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FftPlan, MixedFft3d, RealFft3d, fftFactors, isFftSize, nextFftSize } from '../../src/math/fftMixed.js';
import { Rng } from '../../src/core/index.js';

function naiveDft3(x: Float64Array, n: number[], sign: number): Float64Array {
  const [n0, n1, n2] = n;
  const out = new Float64Array(x.length);
  for (let m0 = 0; m0 < n0; m0++) for (let m1 = 0; m1 < n1; m1++) for (let m2 = 0; m2 < n2; m2++) {
    let re = 0, im = 0;
    for (let g0 = 0; g0 < n0; g0++) for (let g1 = 0; g1 < n1; g1++) for (let g2 = 0; g2 < n2; g2++) {
      const ph = sign * 2 * Math.PI * (((m0 * g0) % n0) / n0 + ((m1 * g1) % n1) / n1 + ((m2 * g2) % n2) / n2);
      const p = 2 * ((g0 * n1 + g1) * n2 + g2);
      re += x[p] * Math.cos(ph) - x[p + 1] * Math.sin(ph);
      im += x[p] * Math.sin(ph) + x[p + 1] * Math.cos(ph);
    }
    const q = 2 * ((m0 * n1 + m1) * n2 + m2);
    out[q] = re; out[q + 1] = im;
  }
  return out;
}

test('factorisation and admissible sizes', () => {
  assert.deepEqual(fftFactors(96), [4, 4, 2, 3]);
  assert.deepEqual(fftFactors(1), []);
  assert.deepEqual(fftFactors(77), [7, 11]);
  assert.ok(isFftSize(2 * 3 * 5 * 7) && !isFftSize(11) && !isFftSize(0));
  assert.equal(nextFftSize(31), 32);
  assert.equal(nextFftSize(97), 100);
  assert.equal(nextFftSize(7), 8);
  assert.equal(nextFftSize(25, true), 30);
  assert.equal(nextFftSize(1), 1);
});

test('1-D plans equal the naive DFT for radices 2, 3, 4, 5, 7, 11 and mixtures, in blocks of lines', () => {
  const rng = new Rng(3);
  for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 16, 18, 20, 24, 25, 27, 30, 45, 49, 60, 64, 77, 96, 100]) {
    const plan = new FftPlan(n);
    const B = 3;
    const x = Float64Array.from({ length: 2 * n * B }, () => rng.normal());
    for (const dir of [-1, 1] as const) {
      const res = plan.transformBlock(x.slice(), new Float64Array(x.length), B, dir);
      for (let j = 0; j < B; j++) for (let m = 0; m < n; m++) {
        let re = 0, im = 0;
        for (let t = 0; t < n; t++) {
          const ph = (dir * 2 * Math.PI * ((m * t) % n)) / n;
          const xr = x[2 * (t * B + j)], xi = x[2 * (t * B + j) + 1];
          re += xr * Math.cos(ph) - xi * Math.sin(ph);
          im += xr * Math.sin(ph) + xi * Math.cos(ph);
        }
        const q = 2 * (m * B + j);
        assert.ok(Math.abs(res[q] - re) < 1e-12 * n && Math.abs(res[q + 1] - im) < 1e-12 * n, `n ${n} dir ${dir} m ${m}`);
      }
    }
  }
});

for (const n of [[6, 10, 9], [1, 15, 4], [12, 1, 1], [5, 3, 8], [7, 2, 6]]) {
  test(`3-D complex mixed-radix FFT equals the naive DFT (${n.join('×')})`, () => {
    const rng = new Rng(11);
    const x = Float64Array.from({ length: 2 * n[0] * n[1] * n[2] }, () => rng.normal());
    const f = new MixedFft3d(n[0], n[1], n[2]);
    for (const sign of [-1, 1]) {
      const y = x.slice();
      if (sign < 0) f.forward(y); else f.inverse(y);
      const ref = naiveDft3(x, n, sign);
      for (let k = 0; k < y.length; k++) assert.ok(Math.abs(y[k] - ref[k]) < 1e-11, `sign ${sign} entry ${k}: ${y[k]} vs ${ref[k]}`);
    }
  });
}

for (const n of [[6, 10, 12], [1, 1, 2], [3, 5, 10], [4, 4, 16], [9, 1, 6]]) {
  test(`3-D real-to-complex FFT equals the naive DFT's half spectrum and inverts (${n.join('×')})`, () => {
    const rng = new Rng(5);
    const size = n[0] * n[1] * n[2];
    const xr = Float64Array.from({ length: size }, () => rng.normal());
    const xc = new Float64Array(2 * size);
    for (let k = 0; k < size; k++) xc[2 * k] = xr[k];
    const ref = naiveDft3(xc, n, -1);
    const f = new RealFft3d(n[0], n[1], n[2]);
    const spec = new Float64Array(2 * f.spectrumSize);
    f.forward(xr.slice(), spec);
    const h1 = n[2] / 2 + 1;
    for (let a = 0; a < n[0]; a++) for (let b = 0; b < n[1]; b++) for (let c = 0; c < h1; c++) {
      const p = 2 * ((a * n[1] + b) * h1 + c), q = 2 * ((a * n[1] + b) * n[2] + c);
      assert.ok(Math.abs(spec[p] - ref[q]) < 1e-11 && Math.abs(spec[p + 1] - ref[q + 1]) < 1e-11, `(${a},${b},${c})`);
    }
    const back = new Float64Array(size);
    f.inverse(spec, back);
    for (let k = 0; k < size; k++) assert.ok(Math.abs(back[k] / size - xr[k]) < 1e-13, `round trip ${k}`);
  });
}

test('real FFT rejects odd last lengths and wrong buffer sizes', () => {
  assert.throws(() => new RealFft3d(4, 4, 5), /even/);
  const f = new RealFft3d(2, 2, 4);
  assert.throws(() => f.forward(new Float64Array(15), new Float64Array(24)), /expected 16/);
  assert.throws(() => f.inverse(new Float64Array(10), new Float64Array(16)), /expected 24/);
});

test('transformStrided on lines where they lie (element and line strides) equals transformBlock on a copy, bit for bit, and touches nothing else', () => {
  const rng = new Rng(11);
  for (const n of [6, 12, 27, 54, 48, 49, 60]) {
    const plan = new FftPlan(n);
    const B = 5;
    // two layouts in one array: lines adjacent (row = B + 3), and contiguous lines (row = 1, line = n + 2)
    for (const [row, line] of [[B + 3, 1], [1, n + 2]]) {
      const off = 7, size = off + (n - 1) * row + (B - 1) * line + 9;
      const data = Float64Array.from({ length: 2 * size }, () => rng.normal());
      for (const dir of [-1, 1] as const) {
        const block = new Float64Array(2 * n * B);
        for (let t = 0; t < n; t++) for (let j = 0; j < B; j++) {
          const q = 2 * (off + t * row + j * line);
          block[2 * (t * B + j)] = data[q]; block[2 * (t * B + j) + 1] = data[q + 1];
        }
        const ref = plan.transformBlock(block, new Float64Array(block.length), B, dir);
        const out = data.slice();
        plan.transformStrided(out, off, row, line, new Float64Array(2 * n * B), new Float64Array(2 * n * B), B, dir);
        const touched = new Set<number>();
        for (let t = 0; t < n; t++) for (let j = 0; j < B; j++) {
          const q = 2 * (off + t * row + j * line);
          touched.add(q);
          assert.equal(out[q], ref[2 * (t * B + j)], `n ${n} row ${row} t ${t} j ${j} re`);
          assert.equal(out[q + 1], ref[2 * (t * B + j) + 1], `n ${n} row ${row} t ${t} j ${j} im`);
        }
        for (let q = 0; q < data.length; q += 2) if (!touched.has(q)) assert.equal(out[q], data[q], `untouched ${q}`);
      }
    }
  }
  assert.throws(() => new FftPlan(4).transformStrided(new Float64Array(8), 0, 1, 1, new Float64Array(8), new Float64Array(8), 1, -1), /two or more stages/);
});
