/**
 * The WebAssembly SIMD kernels of the solvers (assembly/pme.ts via pmeWasm.ts) against the TS loops they replace:
 * the listed real-space pair loop (realspace.ts tabulatedPairs) and PME spread/gather (pme.ts), along short
 * trajectories that rebuild the pair list, with potentials and strain, proportional and general probes, several
 * channels, odd and even orders and atoms whose spline points wrap. Tolerance 1e-12 relative to the largest entry:
 * the kernels do the same operations per pair / mesh point, summed in two SIMD lanes (only the summation order differs,
 * round-off ~1e-15 per term).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cellVolume, Rng } from '../../src/core/index.js';
import { ElectrostaticsWorkspace, computeElectrostatics, coulombKernel, gaussianKernel, type SolverParameters } from '../../src/electrostatics/index.js';
import { PmeWorkspace, pmeReciprocal } from '../../src/electrostatics/pme.js';
import { PME_WASM_SOURCE_HASH } from '../../src/electrostatics/pmeWasmBinary.js';
import { PmeMeshWasm, wasmAvailable } from '../../src/electrostatics/pmeWasm.js';
import { RealFft3d } from '../../src/math/index.js';
import { RealSpaceWorkspace, realSpaceSum } from '../../src/electrostatics/realspace.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { randomIons, TRICLINIC } from './helpers.js';

function assertClose(a: ArrayLike<number>, b: ArrayLike<number>, rtol: number, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  let scale = 0;
  for (let k = 0; k < b.length; k++) scale = Math.max(scale, Math.abs(b[k]));
  for (let k = 0; k < b.length; k++)
    assert.ok(Math.abs(a[k] - b[k]) <= rtol * scale, `${what}[${k}]: ${a[k]} vs ${b[k]} (scale ${scale})`);
}

test('pmeWasmBinary.ts was generated from the current assembly/pme.ts (run npm run build:wasm)', () => {
  const hash = createHash('sha256').update(readFileSync(join(REPO_ROOT, 'assembly', 'pme.ts'))).digest('hex').slice(0, 16);
  assert.equal(PME_WASM_SOURCE_HASH, hash);
  assert.ok(wasmAvailable(), 'the PME wasm module compiles in this Node');
});

test('wasm real-space pair loop = TS loop along a trajectory (rebuilds, potentials, strain, pairs closer than the table)', () => {
  const cellRows = TRICLINIC.map((x) => x * 3.1), cell = Float64Array.from(cellRows);
  const { structure: s, charges: q } = randomIons(260, cellRows, 41, 1.0, (i) => (i % 3 === 0 ? 1.3 : -0.65));
  const n = q.length;
  // two pairs closer than the table's r_lo = 0.5 Å: they take the exact kernel outside the wasm loop
  const x0 = s.positions.slice();
  for (const [i, j] of [[0, 1], [7, 12]]) { x0[3 * j] = x0[3 * i] + 0.3; x0[3 * j + 1] = x0[3 * i + 1] - 0.1; x0[3 * j + 2] = x0[3 * i + 2]; }
  const u = Float64Array.from(q, (v, i) => 0.5 * v + 0.01 * Math.sin(i));
  const rng = new Rng(5), step = Float64Array.from(x0, () => rng.range(-0.08, 0.08));
  for (const kernel of [coulombKernel(), gaussianKernel({ sigmaA: 0.7 })]) {
    const sr = kernel.split(0.38).shortRange!;
    const ws = { ts: new RealSpaceWorkspace(1, 'ts'), auto: new RealSpaceWorkspace(1, 'auto') };
    const x = x0.slice();
    let listed = 0;
    for (let step_ = 0; step_ < 12; step_++) {
      for (let k = 0; k < x.length; k++) x[k] += step[k];
      const run = (w: RealSpaceWorkspace, potentials: boolean, strain: boolean) => {
        const phi = potentials ? new Float64Array(n) : null, grad = new Float64Array(3 * n), dS = strain ? new Float64Array(9) : null;
        const L = realSpaceSum({ positions: x.slice(), cell, cutoffA: 8.2, shortRange: sr, channels: 1, sources: q, probes: u, potentials: phi, gradient: grad,
          strain: dS, table: true, tableKey: kernel.kind, workspace: w });
        return { L, phi, grad, dS };
      };
      const both = step_ % 3 !== 2;
      const a = run(ws.auto, both, both), b = run(ws.ts, both, both);
      assertClose([a.L], [b.L], 1e-12, 'L');
      assertClose(a.grad, b.grad, 1e-12, 'gradient');
      if (both) {
        assertClose(a.phi!, b.phi!, 1e-12, 'potentials');
        assertClose(a.dS!, b.dS!, 1e-12, 'strain');
      }
      if (ws.auto.rebuilds > 0) listed++;
    }
    assert.ok(listed >= 8 && ws.auto.rebuilds >= 2, `the pair list was used (${listed} calls) and rebuilt (${ws.auto.rebuilds})`);
    assert.equal(ws.auto.rebuilds, ws.ts.rebuilds);
  }
});

test('wasm PME spread/gather = TS loops (orders 4–8, proportional and general probes, two channels, strain)', () => {
  const { structure: s, charges: q } = randomIons(90, TRICLINIC.map((x) => x * 1.6), 9, 1.0);
  const n = q.length, cell = s.cell, V = cellVolume(cell);
  const fourier = coulombKernel().split(0.45).fourier;
  const C = 2;
  const w = new Float64Array(n * C), uProp = new Float64Array(n * C), uGen = new Float64Array(n * C);
  for (let i = 0; i < n; i++) {
    w[2 * i] = q[i]; w[2 * i + 1] = Math.cos(i);
    uProp[2 * i] = 0.5 * w[2 * i]; uProp[2 * i + 1] = -0.3 * w[2 * i + 1];
    uGen[2 * i] = Math.sin(2 * i); uGen[2 * i + 1] = 0.1 * i - 4;
  }
  for (const p of [4, 5, 6, 7, 8]) {
    const mesh: [number, number, number] = [18, 16, 20];
    const ws = { ts: new PmeWorkspace(undefined, 'ts'), auto: new PmeWorkspace(undefined, 'auto') };
    for (const u of [uProp, uGen]) {
      for (const strain of [false, true]) {
        const run = (wk: PmeWorkspace) => pmeReciprocal({ positions: s.positions, volume: V, channels: C, sources: w, kernel: fourier, potentials: true, probes: u, strain, cell, kernelKey: 'c' }, { mesh, order: p }, wk);
        const a = run(ws.auto), b = run(ws.ts);
        const what = `order ${p}, ${u === uProp ? 'proportional' : 'general'} probes${strain ? ', strain' : ''}`;
        assertClose([a.value!], [b.value!], 1e-12, `${what}: L`);
        assertClose(a.potentials!, b.potentials!, 1e-12, `${what}: potentials`);
        assertClose(a.dPositions!, b.dPositions!, 1e-12, `${what}: gradient`);
        if (strain) assertClose(a.dStrain!, b.dStrain!, 1e-12, `${what}: strain`);
      }
    }
  }
});

test('ElectrostaticsWorkspace kernels auto = ts along MD-like calls (energy, forces, stress, potentials)', () => {
  const { structure: s, charges: q } = randomIons(216, [19, 0, 0, 0, 19, 0, 0, 0, 19], 3, 1.6);
  const params: SolverParameters = { method: 'pme', alphaPerA: 0.36, realCutoffA: 8.5, mesh: [24, 24, 24], order: 7, realSpaceTable: true };
  const wa = new ElectrostaticsWorkspace({ kernels: 'auto' }), wb = new ElectrostaticsWorkspace({ kernels: 'ts' });
  const x = s.positions.slice(), rng = new Rng(2);
  for (let step = 0; step < 6; step++) {
    for (let k = 0; k < x.length; k++) x[k] += rng.range(-0.05, 0.05);
    const t = { ...s, positions: x.slice() };
    const a = computeElectrostatics(t, q, coulombKernel(), params, { potentials: true, workspace: wa });
    const b = computeElectrostatics(t, q, coulombKernel(), params, { potentials: true, workspace: wb });
    assertClose([a.energyEv], [b.energyEv], 1e-12, 'energy');
    assertClose(a.forcesEvPerA!, b.forcesEvPerA!, 1e-12, 'forces');
    assertClose(a.stressEvPerA3!, b.stressEvPerA3!, 1e-12, 'stress');
    assertClose(a.potentials!, b.potentials!, 1e-12, 'potentials');
  }
  assert.ok(wa.real.rebuilds >= 1, 'the listed (wasm) real-space path ran');
});

test('wasm real 3-D FFT = RealFft3d bit for bit (forward and inverse; strided and one-stage axes, radices 2–5)', () => {
  const rng = new Rng(11);
  for (const mesh of [[18, 16, 20], [54, 54, 54], [5, 4, 6], [3, 2, 8], [25, 12, 10], [1, 6, 4]] as [number, number, number][]) {
    const k = PmeMeshWasm.create()!;
    k.layout(3, 4, mesh);
    assert.ok(k.fft, `mesh ${mesh.join('×')} runs in wasm`);
    const ref = new RealFft3d(...mesh);
    const x = Float64Array.from({ length: mesh[0] * mesh[1] * mesh[2] }, () => rng.normal());
    const specRef = new Float64Array(2 * ref.spectrumSize), xr = x.slice();
    ref.forward(xr, specRef);
    k.grids[0].set(x);
    k.forward(0);
    assert.deepEqual(k.specs[0], specRef, `forward ${mesh.join('×')}`);
    const backRef = new Float64Array(x.length);
    ref.inverse(specRef.slice(), backRef);
    k.inverse(0);
    assert.deepEqual(k.grids[0], backRef, `inverse ${mesh.join('×')}`);
  }
  const odd = PmeMeshWasm.create()!;
  odd.layout(3, 4, [12, 12, 9]);
  assert.equal(odd.fft, false, 'odd K3: the TS transform');
  odd.layout(3, 4, [14, 12, 12]);
  assert.equal(odd.fft, false, 'a factor 7: the TS transform');
});
