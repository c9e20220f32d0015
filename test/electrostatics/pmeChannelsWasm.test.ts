/**
 * The multi-kernel PME's forward pass in WebAssembly SIMD (pmeChannels.ts forwardWasm on pmeWasm.ts PmeMeshWasm)
 * against its TS loops (kernels 'ts'), the independent reference: the wasm spline weights, spreading and transform are
 * bitwise the TS ones, the gather sums in two lanes, so potentials and forward gradients agree to 1e-13 relative,
 * and the kept spectra and the moments of the linear reverse pass bit for bit; the general and linear reverse passes
 * after a wasm forward pass equal those after a TS one. Meshes: even K3 with factors 2/3/5 (wasm transform), odd K3
 * and a factor 7 (TS transform on the wasm views). Two workspaces sharing one wasm memory (re-laid out per mesh,
 * as the descriptor's mesh groups run) alternate along a trajectory and keep agreeing with their TS twins.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cellVolume, Rng } from '../../src/core/index.js';
import { pmeChannelsForward, pmeChannelsReverse, pmeChannelsReverseLinear, PmeChannelsWorkspace, type PmeChannelsWasmHolder } from '../../src/electrostatics/index.js';
import { randomIons, TRICLINIC, yukawaKernel } from './helpers.js';

const kernel = yukawaKernel;

const close = (a: ArrayLike<number>, b: ArrayLike<number>, rtol: number, what: string): void => {
  assert.equal(a.length, b.length, `${what}: lengths`);
  let scale = 0, worst = 0;
  for (let k = 0; k < b.length; k++) scale = Math.max(scale, Math.abs(b[k]));
  for (let k = 0; k < b.length; k++) worst = Math.max(worst, Math.abs(a[k] - b[k]));
  assert.ok(scale > 0 && worst <= rtol * scale, `${what}: max |Δ| ${worst.toExponential(2)} vs scale ${scale.toExponential(2)}`);
};

function setup(seed: number, C: number) {
  const { structure: s } = randomIons(26, TRICLINIC.map((x) => x * 1.4), seed, 1.5);
  const n = s.species.length, rng = new Rng(seed);
  const sources = Float64Array.from({ length: n * C }, (_, k) => ((k % C) === (Math.floor(k / C) % C) ? 1 : rng.range(-0.5, 0.5)));
  const kernels = [kernel(0.9, 0.4), kernel(1.6, 0.7), kernel(0.7, 1.1)];
  const keys = ['a', 'b', 'c'];
  return { s, n, rng, req: { positions: s.positions, cell: s.cell, volume: cellVolume(s.cell), channels: C, sources, kernels, kernelKeys: keys } };
}

for (const mesh of [[20, 18, 24], [15, 16, 21], [18, 20, 28]] as [number, number, number][])
  test(`wasm forward = TS forward on mesh ${mesh.join('×')}: potentials, gradients, spectra, moments; reverse passes after it`, () => {
    const { n, rng, req } = setup(mesh[2], 2);
    const params = { mesh, order: 6 }, C = 2, Nk = req.kernels.length;
    for (const keep of [true, false]) {
      const holder: PmeChannelsWasmHolder = { mesh: undefined };
      const wa = new PmeChannelsWorkspace(undefined, 'auto', holder), wt = new PmeChannelsWorkspace(undefined, 'ts');
      wa.keepSpectra = keep; wt.keepSpectra = keep;
      const fa = pmeChannelsForward(req, params, wa), ft = pmeChannelsForward(req, params, wt);
      assert.ok(holder.mesh, 'the wasm memory was used');
      close(fa.potentials, ft.potentials, 1e-13, 'potentials');
      close(wa.gradients, wt.gradients, 1e-13, 'forward gradients');
      if (keep) assert.deepEqual(Array.from(wa.spectra), Array.from(wt.spectra), 'kept spectra bit for bit');
      else assert.deepEqual(Array.from(wa.moments), Array.from(wt.moments), 'moments bit for bit');
      const lambda = Float64Array.from({ length: Nk * C * C }, () => rng.range(-1, 1));
      const la = pmeChannelsReverseLinear(req, params, wa, fa.state, lambda), lt = pmeChannelsReverseLinear(req, params, wt, ft.state, lambda);
      assert.ok(Math.abs(la.value - lt.value) <= 1e-13 * Math.abs(lt.value), `linear L ${la.value} vs ${lt.value}`);
      close(la.dPositions, lt.dPositions, 1e-12, 'linear dPositions');
      close(la.dStrain, lt.dStrain, 1e-12, 'linear dStrain');
      const probes = Float64Array.from({ length: Nk * n * C }, () => rng.range(-1, 1));
      const ga = pmeChannelsReverse(req, params, wa, fa.state, probes), gt = pmeChannelsReverse(req, params, wt, ft.state, probes);
      assert.ok(Math.abs(ga.value - gt.value) <= 1e-12 * Math.abs(gt.value), `general L ${ga.value} vs ${gt.value}`);
      close(ga.dPositions, gt.dPositions, 1e-12, 'general dPositions');
      close(ga.dStrain, gt.dStrain, 1e-12, 'general dStrain');
    }
  });

test('two workspaces sharing one wasm memory (different meshes, alternating along a trajectory) = their TS twins', () => {
  const { s, rng, req } = setup(3, 2);
  const n = s.species.length;
  const holder: PmeChannelsWasmHolder = { mesh: undefined };
  const pa = { mesh: [20, 18, 24] as [number, number, number], order: 6 }, pb = { mesh: [16, 16, 16] as [number, number, number], order: 4 };
  const a = new PmeChannelsWorkspace(undefined, 'auto', holder), b = new PmeChannelsWorkspace(undefined, 'auto', holder);
  const ta = new PmeChannelsWorkspace(undefined, 'ts'), tb = new PmeChannelsWorkspace(undefined, 'ts');
  for (const w of [a, b, ta, tb]) w.keepSpectra = false;
  const x = Float64Array.from(s.positions);
  for (let step = 0; step < 3; step++) {
    for (let k = 0; k < 3 * n; k++) x[k] += rng.range(-0.05, 0.05);
    const r = { ...req, positions: x };
    const fa = pmeChannelsForward(r, pa, a), fb = pmeChannelsForward(r, pb, b);
    const fta = pmeChannelsForward(r, pa, ta), ftb = pmeChannelsForward(r, pb, tb);
    close(fa.potentials, fta.potentials, 1e-13, `step ${step} mesh a potentials`);
    close(fb.potentials, ftb.potentials, 1e-13, `step ${step} mesh b potentials`);
    close(a.gradients, ta.gradients, 1e-13, `step ${step} mesh a gradients`);
    close(b.gradients, tb.gradients, 1e-13, `step ${step} mesh b gradients`);
    // a general reverse pass of workspace a after b re-laid the shared memory out
    const probes = Float64Array.from({ length: 3 * n * 2 }, () => rng.range(-1, 1));
    const ga = pmeChannelsReverse(r, pa, a, fa.state, probes), gt = pmeChannelsReverse(r, pa, ta, fta.state, probes);
    close(ga.dPositions, gt.dPositions, 1e-12, `step ${step} general dPositions`);
    close(ga.dStrain, gt.dStrain, 1e-12, `step ${step} general dStrain`);
  }
});
