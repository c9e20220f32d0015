/**
 * The WebAssembly kernels against the TS loops, alternating in one process (`node --import tsx
 * bench/electrostatics-kernels.ts [cells = 8] [reps = 3]`; not part of `npm run bench`): per repetition, PME energy +
 * forces at 1e-6 along the `timeTrajectory` path (one workspace per mode, 10 warm-up calls, median CPU of 12) with
 * `ElectrostaticsWorkspace({ kernels: 'ts' })` and the default; then, over 30 calls, the minimum CPU time of the
 * real-space sum and of the reciprocal part with each, and of the real FFT pair (forward + inverse) on the plan's mesh
 * in TS and in wasm. Prints the times, the ratios and the load.
 */
import { loadavg } from 'node:os';
import { Rng, cellVolume } from '../src/core/index.js';
import { ElectrostaticsWorkspace, computeElectrostatics, coulombKernel, tuneElectrostatics } from '../src/electrostatics/index.js';
import { PmeWorkspace, pmeReciprocal } from '../src/electrostatics/pme.js';
import { PmeMeshWasm } from '../src/electrostatics/pmeWasm.js';
import { RealSpaceWorkspace, realSpaceSum } from '../src/electrostatics/realspace.js';
import { reduceCell } from '../src/electrostatics/reduceCell.js';
import { RealFft3d } from '../src/math/index.js';
import { melt } from './electrostatics.bench.js';

const cells = Number(process.argv[2] ?? 8), reps = Number(process.argv[3] ?? 3);
const { s, q } = melt(cells);
const n = q.length, p = tuneElectrostatics(s, q, { method: 'pme', accuracy: 1e-6 }), k = coulombKernel();
const cpu = (): number => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
const median = (x: number[]): number => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)];
const min = (x: number[]): number => Math.min(...x);
console.log(`${n} ions, mesh ${p.mesh!.join('×')}, order ${p.order}, r_c ${p.realCutoffA!.toFixed(2)}`);

function trajectory(kernels: 'ts' | 'auto'): number {
  const ws = new ElectrostaticsWorkspace({ kernels }), rng = new Rng(7);
  const pos = s.positions.slice(), step = pos.map(() => rng.range(-0.02, 0.02));
  const t: number[] = [];
  for (let i = 0; i < 22; i++) {
    for (let a = 0; a < pos.length; a++) pos[a] += step[a];
    const st = { ...s, positions: pos.slice() };
    const c0 = cpu();
    computeElectrostatics(st, q, k, p, { stress: false, workspace: ws });
    if (i >= 10) t.push(cpu() - c0);
  }
  return median(t);
}

function parts(): Record<string, number> {
  const split = k.split(p.alphaPerA!), cell = reduceCell(s.cell), V = cellVolume(s.cell), u = q.map((x) => x / 2);
  const ws = { ts: [new RealSpaceWorkspace(1, 'ts'), new PmeWorkspace(undefined, 'ts')] as const, auto: [new RealSpaceWorkspace(1, 'auto'), new PmeWorkspace(undefined, 'auto')] as const };
  const mesh = p.mesh!, fft = new RealFft3d(...mesh), wasm = PmeMeshWasm.create();
  wasm?.layout(1, p.order!, mesh);
  const grid = new Float64Array(mesh[0] * mesh[1] * mesh[2]).map((_, i) => Math.sin(i)), spec = new Float64Array(2 * fft.spectrumSize);
  const T: Record<string, number[]> = {};
  const rec = (key: string, v: number): void => { (T[key] ??= []).push(v); };
  const rng = new Rng(7), pos = s.positions.slice(), step = pos.map(() => rng.range(-0.02, 0.02));
  for (let it = 0; it < 30; it++) {
    for (let a = 0; a < pos.length; a++) pos[a] += step[a];
    const x = pos.slice();
    for (const mode of ['ts', 'auto'] as const) {
      const [rws, pws] = ws[mode];
      const t0 = cpu();
      realSpaceSum({ positions: x, cell, cutoffA: p.realCutoffA!, shortRange: split.shortRange!, channels: 1, sources: q, probes: u, gradient: new Float64Array(3 * n), table: true, tableKey: 'coulomb', workspace: rws });
      const t1 = cpu();
      pmeReciprocal({ positions: x, volume: V, channels: 1, sources: q, kernel: split.fourier, potentials: false, probes: u, strain: false, cell, kernelKey: 'coulomb' }, { mesh, order: p.order! }, pws);
      const t2 = cpu();
      if (it >= 5) { rec(`real ${mode}`, t1 - t0); rec(`reciprocal ${mode}`, t2 - t1); }
    }
    let t0 = cpu();
    fft.forward(grid.slice(), spec); fft.inverse(spec, grid);
    if (it >= 5) rec('fft ts', cpu() - t0);
    if (wasm?.fft) {
      wasm.grids[0].set(grid);
      t0 = cpu();
      wasm.forward(0); wasm.inverse(0);
      if (it >= 5) rec('fft auto', cpu() - t0);
    }
  }
  return Object.fromEntries(Object.entries(T).map(([key, v]) => [key, min(v)]));
}

for (let r = 0; r < reps; r++) {
  const ts = trajectory('ts'), auto = trajectory('auto');
  console.log(`along MD: ts ${ts.toFixed(2)} ms, wasm ${auto.toFixed(2)} ms (${(auto / ts).toFixed(2)}×); load ${loadavg()[0].toFixed(1)}`);
}
const m = parts();
for (const part of ['real', 'reciprocal', 'fft'])
  if (m[`${part} auto`] !== undefined) console.log(`${part}: ts ${m[`${part} ts`].toFixed(2)} ms, wasm ${m[`${part} auto`].toFixed(2)} ms (${(m[`${part} auto`] / m[`${part} ts`]).toFixed(2)}×, minimum of 25)`);
console.log(`load ${loadavg()[0].toFixed(1)}`);
