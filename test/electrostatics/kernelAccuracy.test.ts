// Accuracy estimates for general Fourier kernels (src/electrostatics/kernelAccuracy.ts): the G-cutoff tail estimate
// bounds the true truncation error of a Gaussian kernel's lattice sum, and the PME mesh chosen for a target meets it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelPmeError, kernelTailError, pmeMeshForError } from '../../src/electrostatics/index.js';
import { smallestMeeting } from '../../src/math/index.js';

test('tail estimate decreases with G and bounds the omitted shell of a Gaussian kernel (single atom, self term)', () => {
  // F(G) = e^{−s²G²/2}: the omitted part of (1/2π²)∫_G^∞ g² F dg (the self/one-atom error) is below the estimate
  const s = 1.2, rho = 0.03;
  let prev = Infinity;
  for (const G of [1, 2, 3, 4, 5]) {
    const est = kernelTailError(Math.exp(-s * s * G * G / 2), s, G, rho);
    assert.ok(est < prev);
    prev = est;
    let exact = 0;
    const dg = 1e-3;
    for (let g = G + dg / 2; g < G + 20; g += dg) exact += g * g * Math.exp(-s * s * g * g / 2) * dg;
    exact /= 2 * Math.PI * Math.PI;
    assert.ok(est >= exact, `G=${G}: estimate ${est} below the exact shell ${exact}`);
    assert.ok(est < 3 * exact + Math.sqrt(rho) * 10 * est, `G=${G}: estimate not grossly pessimistic`);
  }
});

test('PME error grows with the spacing and the order lowers it; the mesh meets the target', () => {
  const s = 1, rho = 0.03, F = (g: number) => 4 * Math.PI * Math.exp(-s * s * g * g / 2);
  const e4 = [0.2, 0.4, 0.8].map((h) => kernelPmeError(F, F, s, h, 4, rho));
  assert.ok(e4[0] < e4[1] && e4[1] < e4[2]);
  assert.ok(kernelPmeError(F, F, s, 0.4, 8, rho) < e4[1]);
  const cell = [12, 0, 0, 0, 15, 0, 0, 0, 18];
  const target = 1e-6;
  const mesh = pmeMeshForError((h) => kernelPmeError(F, F, s, h, 6, rho), target, 6, cell);
  const h = Math.max(12 / mesh[0], 15 / mesh[1], 18 / mesh[2]);
  assert.ok(kernelPmeError(F, F, s, h, 6, rho) <= target);
  for (const K of mesh) assert.equal(K % 2, 0);
});

test('smallestMeeting finds the threshold of a decreasing function', () => {
  const x = smallestMeeting((r) => Math.exp(-r), 1e-3, 0, 50);
  assert.ok(Math.abs(x - Math.log(1e3)) < 1e-4);
  assert.ok(Math.abs(smallestMeeting((r) => 1 / r, 10, 0.01, 5) - 0.1) < 1e-6);
  assert.equal(smallestMeeting(() => 1, 0.5, 1, 2), 2, 'never met → hi');
  assert.equal(smallestMeeting(() => 0, 0.5, 1, 2), 1, 'met at lo → lo');
});
