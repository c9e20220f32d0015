/**
 * The multi-kernel PME on one mesh (electrostatics/pmeChannels.ts) against the single-kernel engine `pmeReciprocal`,
 * kernel by kernel (independent path: its own spreads, transforms and gathers per kernel):
 * - forward: potentials φ_k^c(r_i) equal pmeReciprocal's for every kernel (1e-12 relative to the largest);
 * - reverse: L, ∂L/∂r and ∂L/∂ε equal Σ_k pmeReciprocal(F_k, probes u_k) (general probes, non-one-hot sources,
 *   triclinic cell, 1e-11 relative), including kernels whose probes are all zero;
 * - a reverse pass after another forward call on the same workspace recomputes its state (same result);
 * - probes that are linear combinations of the sources (u_k^c = Σ_d Λ w^d): pmeChannelsReverseLinear, from the forward
 *   state alone, equals the general reverse pass with those probes (1e-11).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cellVolume, Rng } from '../../src/core/index.js';
import { pmeChannelsForward, pmeChannelsReverse, pmeChannelsReverseLinear, pmeReciprocal, PmeChannelsWorkspace } from '../../src/electrostatics/index.js';
import { randomIons, TRICLINIC, yukawaKernel } from './helpers.js';

const kernel = yukawaKernel;

const close = (a: ArrayLike<number>, b: ArrayLike<number>, rtol: number, what: string): void => {
  let scale = 0, worst = 0;
  for (let k = 0; k < b.length; k++) scale = Math.max(scale, Math.abs(b[k]));
  for (let k = 0; k < b.length; k++) worst = Math.max(worst, Math.abs(a[k] - b[k]));
  assert.ok(worst <= rtol * scale, `${what}: max |Δ| ${worst.toExponential(2)} vs scale ${scale.toExponential(2)}`);
};

test('pmeChannels = pmeReciprocal kernel by kernel: potentials, and the reverse pass summed over kernels (triclinic)', () => {
  const { structure: s } = randomIons(30, TRICLINIC.map((x) => x * 1.4), 5, 1.5);
  const n = s.species.length, C = 3, rng = new Rng(7);
  const sources = Float64Array.from({ length: n * C }, (_, k) => ((k % C) === (Math.floor(k / C) % C) ? 1 : rng.range(-0.5, 0.5)));
  const kernels = [kernel(0.8, 0.5), kernel(1.3, 0.2), kernel(2.1, 1)];
  const params = { mesh: [20, 18, 24] as [number, number, number], order: 6 };
  const base = { positions: s.positions, cell: s.cell, volume: cellVolume(s.cell), channels: C, sources };
  const ws = new PmeChannelsWorkspace();
  const fwd = pmeChannelsForward({ ...base, kernels }, params, ws);
  const probes = Float64Array.from({ length: kernels.length * n * C }, () => rng.range(-1, 1));
  probes.fill(0, n * C, 2 * n * C); // kernel 1 has no probes
  const rev = pmeChannelsReverse({ ...base, kernels }, params, ws, fwd.state, probes);
  let L = 0;
  const dPos = new Float64Array(3 * n), dS = new Float64Array(9);
  kernels.forEach((kernel, k) => {
    const one = pmeReciprocal({ ...base, kernel, potentials: true }, params);
    const mine = Float64Array.from({ length: n * C }, (_, j) => fwd.potentials[(Math.floor(j / C) * kernels.length + k) * C + (j % C)]);
    close(mine, one.potentials as Float64Array, 1e-12, `kernel ${k} potentials`);
    const u = probes.subarray(k * n * C, (k + 1) * n * C);
    if (u.every((x) => x === 0)) return;
    const r = pmeReciprocal({ ...base, kernel, probes: u, strain: true }, params);
    L += r.value as number;
    for (let j = 0; j < 3 * n; j++) dPos[j] += (r.dPositions as Float64Array)[j];
    for (let j = 0; j < 9; j++) dS[j] += (r.dStrain as Float64Array)[j];
  });
  assert.ok(Math.abs(rev.value - L) <= 1e-11 * Math.abs(L), `L ${rev.value} vs ${L}`);
  close(rev.dPositions, dPos, 1e-11, 'dPositions');
  close(rev.dStrain, dS, 1e-11, 'dStrain');

  // another forward call on the workspace in between: the reverse pass recomputes its state
  const other = randomIons(30, TRICLINIC.map((x) => x * 1.4), 6, 1.5).structure;
  pmeChannelsForward({ ...base, positions: other.positions, kernels }, params, ws);
  const again = pmeChannelsReverse({ ...base, kernels }, params, ws, fwd.state, probes);
  close(again.dPositions, rev.dPositions, 1e-14, 'stale state recomputed');
  assert.deepEqual(Array.from(again.dStrain), Array.from(rev.dStrain));
});

test('pmeChannelsReverseLinear = the general reverse pass for probes u_k^c = Σ_d Λ_{k,c,d} w^d (mixed sources, triclinic)', () => {
  const { structure: s } = randomIons(28, TRICLINIC.map((x) => x * 1.4), 9, 1.5);
  const n = s.species.length, C = 2, rng = new Rng(3);
  const sources = Float64Array.from({ length: n * C }, (_, k) => ((k % C) === (Math.floor(k / C) % C) ? 1 : rng.range(-0.5, 0.5)));
  const kernels = [kernel(0.9, 0.4), kernel(1.6, 0.7), kernel(0.7, 1.1)];
  const params = { mesh: [18, 20, 16] as [number, number, number], order: 6 };
  const req = { positions: s.positions, cell: s.cell, volume: cellVolume(s.cell), channels: C, sources, kernels };
  const ws = new PmeChannelsWorkspace();
  const fwd = pmeChannelsForward(req, params, ws);
  const Nk = kernels.length, lambda = Float64Array.from({ length: Nk * C * C }, () => rng.range(-1, 1));
  lambda.fill(0, C * C, 2 * C * C); // kernel 1 unused
  const probes = new Float64Array(Nk * n * C);
  for (let k = 0; k < Nk; k++)
    for (let i = 0; i < n; i++)
      for (let c = 0; c < C; c++) {
        let u = 0;
        for (let d = 0; d < C; d++) u += lambda[(k * C + c) * C + d] * sources[i * C + d];
        probes[(k * n + i) * C + c] = u;
      }
  const general = pmeChannelsReverse(req, params, ws, fwd.state, probes);
  const linear = pmeChannelsReverseLinear(req, params, ws, fwd.state, lambda);
  assert.ok(Math.abs(linear.value - general.value) <= 1e-11 * Math.abs(general.value), `L ${linear.value} vs ${general.value}`);
  close(linear.dPositions, general.dPositions, 1e-11, 'dPositions');
  close(linear.dStrain, general.dStrain, 1e-11, 'dStrain');
});

test('keepSpectra false: no spectra kept between calls; the linear reverse pass from the moments = the general pass; a general pass still works', () => {
  const { structure: s } = randomIons(28, TRICLINIC.map((x) => x * 1.4), 11, 1.5);
  const n = s.species.length, C = 2, rng = new Rng(5);
  const sources = Float64Array.from({ length: n * C }, (_, k) => ((k % C) === (Math.floor(k / C) % C) ? 1 : rng.range(-0.5, 0.5)));
  const kernels = [kernel(0.9, 0.4), kernel(1.6, 0.7)];
  const params = { mesh: [18, 20, 16] as [number, number, number], order: 6 };
  const req = { positions: s.positions, cell: s.cell, volume: cellVolume(s.cell), channels: C, sources, kernels };
  const Nk = kernels.length, lambda = Float64Array.from({ length: Nk * C * C }, () => rng.range(-1, 1));
  const probes = new Float64Array(Nk * n * C);
  for (let k = 0; k < Nk; k++)
    for (let i = 0; i < n; i++)
      for (let c = 0; c < C; c++)
        for (let d = 0; d < C; d++) probes[(k * n + i) * C + c] += lambda[(k * C + c) * C + d] * sources[i * C + d];
  const full = new PmeChannelsWorkspace();
  const ref = pmeChannelsForward(req, params, full);
  const general = pmeChannelsReverse(req, params, full, ref.state, probes);

  const ws = new PmeChannelsWorkspace();
  ws.keepSpectra = false;
  const fwd = pmeChannelsForward(req, params, ws);
  assert.deepEqual(Array.from(fwd.potentials), Array.from(ref.potentials), 'potentials do not depend on keepSpectra');
  assert.equal(ws.spectra.length, 0, 'no spectra kept');
  const linear = pmeChannelsReverseLinear(req, params, ws, fwd.state, lambda);
  assert.equal(ws.generation, fwd.state.generation, 'the linear pass ran from the moments (no forward rerun)');
  assert.ok(Math.abs(linear.value - general.value) <= 1e-11 * Math.abs(general.value), `L ${linear.value} vs ${general.value}`);
  close(linear.dPositions, general.dPositions, 1e-11, 'dPositions');
  close(linear.dStrain, general.dStrain, 1e-11, 'dStrain');
  // a mutated moment is seen (the strain comes from the moments)
  ws.moments[7 * 1 + 4] *= 1.001;
  const bad = pmeChannelsReverseLinear(req, params, ws, fwd.state, lambda);
  assert.ok(Math.abs(bad.dStrain[4] - general.dStrain[4]) > 1e-9 * Math.abs(general.dStrain[4]), 'mutated moment unnoticed');
  // a general pass after a moments-only forward call reruns it with the spectra (same result), and leaves the setting
  const again = pmeChannelsReverse(req, params, ws, fwd.state, probes);
  close(again.dPositions, general.dPositions, 1e-14, 'general after moments: dPositions');
  close(again.dStrain, general.dStrain, 1e-14, 'general after moments: dStrain');
  assert.equal(ws.keepSpectra, false);
});
