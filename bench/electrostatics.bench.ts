/**
 * Electrostatics: energy + forces of NaCl melt-like configurations (rock-salt supercells at the density of the
 * 64-ion Fumi–Tosi melt fixture, a = 6.295 Å, with seeded random displacements of ±0.6 Å) at 1e-6 relative force
 * accuracy, by Ewald and PME (parameters from tune), with
 *   - the RMS force error relative to k_e against a tight reference (Ewald at 1e-10 up to 4096 ions; PME at 1e-10,
 *     itself checked against Ewald in test/electrostatics/pme.test.ts, at 32768), printed next to each time;
 *   - wall time (median) and CPU time of this process (the machine is shared: CPU time is not inflated by waiting);
 *   - Debian LAMMPS PPPM (`pair_style coul/long r_c` with our PME r_c, `kspace_style pppm 1e-6`, one MPI rank, one
 *     thread) on the same structure in the same run: wall and CPU-use-corrected time per step from `run 20`, and the
 *     RMS error of its step-0 forces against the same reference (skipped when `lmp` is missing);
 *   - the Ewald/PME crossover (small sizes) and the PME cost exponent over 512 … 32768 ions;
 *   - 3-D FFT timings: the mixed-radix complex and real-to-complex transforms.
 * `--quick`: 512 and 4096 ions only. FARFIELD_BENCH_EWALD_LARGE=1 also times Ewald at 32768 ions (~1–2 minutes).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { COULOMB_EV_A, makeStructure, Rng, type Structure } from '../src/core/index.js';
import { computeElectrostatics, coulombKernel, tuneElectrostatics, type TunedParameters } from '../src/electrostatics/index.js';
import { Fft3d, RealFft3d } from '../src/math/index.js';
import { costExponent, type BenchContext } from './harness.js';

/** A rattled rock-salt NaCl melt of cells³ conventional cells (8 cells³ ions) with charges ±1. */
export function melt(cells: number, seed = 1): { s: Structure; q: Float64Array } {
  const a = 6.295, rng = new Rng(seed);
  const symbols: string[] = [], pos: number[] = [];
  const m = 2 * cells;
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) for (let k = 0; k < m; k++) {
    symbols.push((i + j + k) % 2 === 0 ? 'Na' : 'Cl');
    pos.push((i * a) / 2 + rng.range(-0.6, 0.6), (j * a) / 2 + rng.range(-0.6, 0.6), (k * a) / 2 + rng.range(-0.6, 0.6));
  }
  const L = cells * a;
  const s = makeStructure({ symbols, positions: pos, cell: [L, 0, 0, 0, L, 0, 0, 0, L] });
  return { s, q: Float64Array.from(symbols, (x) => (x === 'Na' ? 1 : -1)) };
}

interface Timed { wallMs: number; cpuMs: number; forces: Float64Array }

/** Median wall time and the matching median CPU time of `runs` calls after `warmup`. */
function timeForces(s: Structure, q: Float64Array, p: TunedParameters, runs: number, warmup: number): Timed {
  const k = coulombKernel();
  let forces: Float64Array = new Float64Array(0);
  for (let i = 0; i < warmup; i++) computeElectrostatics(s, q, k, p, { stress: false });
  const wall: number[] = [], cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    forces = computeElectrostatics(s, q, k, p, { stress: false }).forcesEvPerA!;
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  wall.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return { wallMs: wall[Math.floor(runs / 2)], cpuMs: cpu[Math.floor(runs / 2)], forces };
}

function rmsRelative(f: Float64Array, ref: Float64Array): number {
  let e2 = 0;
  for (let k = 0; k < f.length; k++) e2 += (f[k] - ref[k]) ** 2;
  return Math.sqrt(e2 / (f.length / 3)) / COULOMB_EV_A;
}

interface LammpsRun { wallMs: number; cpuMs: number; note: string; forces: Float64Array | null }

function lammps(s: Structure, q: Float64Array, rc: number): LammpsRun | null {
  if (spawnSync('sh', ['-c', 'command -v lmp'], { encoding: 'utf8' }).status !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'farfield-lmp-'));
  try {
    const n = q.length, L = s.cell[0];
    const lines = ['farfield bench', '', `${n} atoms`, '2 atom types', '', `0 ${L} xlo xhi`, `0 ${L} ylo yhi`, `0 ${L} zlo zhi`, '', 'Masses', '', '1 22.99', '2 35.45', '', 'Atoms # charge', ''];
    for (let i = 0; i < n; i++) lines.push(`${i + 1} ${q[i] > 0 ? 1 : 2} ${q[i]} ${s.positions[3 * i]} ${s.positions[3 * i + 1]} ${s.positions[3 * i + 2]}`);
    writeFileSync(join(dir, 'data.lmp'), lines.join('\n') + '\n');
    const steps = 20;
    writeFileSync(join(dir, 'in.lmp'), [
      'units metal', 'atom_style charge', 'boundary p p p', 'read_data data.lmp',
      `pair_style coul/long ${rc}`, 'pair_coeff * *', 'kspace_style pppm 1e-6', 'neighbor 1.0 bin',
      'dump f all custom 1000 forces.dump id fx fy fz', 'dump_modify f sort id format float %.16e',
      'timestep 0.0001', 'fix 1 all nve', 'thermo 100', `run ${steps}`,
    ].join('\n') + '\n');
    try {
      execFileSync('lmp', ['-in', 'in.lmp', '-log', 'log.lammps', '-screen', 'none'], { cwd: dir, stdio: 'ignore', env: { ...process.env, OMP_NUM_THREADS: '1' } });
    } catch {
      return null;
    }
    const log = readFileSync(join(dir, 'log.lammps'), 'utf8');
    const m = /Loop time of ([0-9.eE+-]+) on/.exec(log);
    const cpuUse = /([0-9.]+)% CPU use/.exec(log);
    const g = /G vector \(1\/distance\)\s*=\s*([0-9.eE+-]+)/.exec(log);
    const grid = /grid\s*=\s*(\d+ \d+ \d+)/.exec(log);
    const order = /stencil order\s*=\s*(\d+)/.exec(log);
    if (!m) return null;
    const wallMs = (1000 * Number(m[1])) / steps;
    const cpuMs = wallMs * (cpuUse ? Number(cpuUse[1]) / 100 : 1);
    let forces: Float64Array | null = null;
    try {
      const dump = readFileSync(join(dir, 'forces.dump'), 'utf8').split('\n');
      const at = dump.findIndex((l) => l.startsWith('ITEM: ATOMS'));
      forces = new Float64Array(3 * n);
      for (let i = 0; i < n; i++) {
        const f = dump[at + 1 + i].trim().split(/\s+/).map(Number);
        forces.set([f[1], f[2], f[3]], 3 * (f[0] - 1));
      }
    } catch {
      forces = null;
    }
    return { wallMs, cpuMs, forces, note: `g_ewald ${g?.[1]}, grid ${grid?.[1]}, order ${order?.[1]}, ${cpuUse?.[1]}% CPU` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function fftTimings(ctx: BenchContext): void {
  for (const n of ctx.quick ? [64] : [64, 128]) {
    const M = n * n * n, reps = n > 64 ? 2 : 4;
    const x = new Float64Array(2 * M).map((_, k) => Math.sin(k));
    const best = (f: () => void): number => {
      let b = Infinity;
      for (let r = 0; r < reps; r++) { const c0 = process.cpuUsage(); f(); const c = process.cpuUsage(c0); b = Math.min(b, (c.user + c.system) / 1000); }
      return b;
    };
    const b = new Fft3d(n, n, n), r = new RealFft3d(n, n, n);
    const xr = new Float64Array(M).map((_, k) => Math.cos(k)), spec = new Float64Array(2 * r.spectrumSize);
    ctx.report(`FFT ${n}³ forward+inverse, mixed-radix complex`, best(() => { b.forward(x); b.inverse(x); }), 'ms cpu');
    ctx.report(`FFT ${n}³ forward+inverse, real-to-complex`, best(() => { r.forward(xr, spec); r.inverse(spec, xr); }), 'ms cpu');
  }
}

export async function run(ctx: BenchContext): Promise<void> {
  ctx.report('load average (1, 5, 15 min) at start', loadavg()[0], '', loadavg().map((x) => x.toFixed(2)).join(', '));
  // crossover: small melts, Ewald vs PME
  for (const cells of [2, 3]) {
    const { s, q } = melt(cells);
    const n = q.length;
    for (const method of ['ewald', 'pme'] as const) {
      const p = tuneElectrostatics(s, q, { method, accuracy: 1e-6 });
      const t = timeForces(s, q, p, 5, 2);
      ctx.report(`${method} energy+forces ${n} ions`, t.cpuMs, 'ms cpu', `wall ${t.wallMs.toFixed(2)} ms`);
    }
  }
  const sizes = ctx.quick ? [4, 8] : [4, 8, 16]; // cells per edge → 8·cells³ ions
  const pmeCpu: number[] = [], pmeWall: number[] = [], ns: number[] = [];
  for (const cells of sizes) {
    const { s, q } = melt(cells);
    const n = q.length;
    ns.push(n);
    const large = n > 10000;
    const refParams = tuneElectrostatics(s, q, { method: large ? 'pme' : 'ewald', accuracy: 1e-10 });
    const ref = computeElectrostatics(s, q, coulombKernel(), refParams, { stress: false }).forcesEvPerA!;
    const refName = large ? 'PME 1e-10' : 'Ewald 1e-10';
    for (const method of ['ewald', 'pme'] as const) {
      if (method === 'ewald' && large && !process.env.FARFIELD_BENCH_EWALD_LARGE) continue;
      const p = tuneElectrostatics(s, q, { method, accuracy: 1e-6 });
      const t = timeForces(s, q, p, large ? 3 : 5, large ? 1 : 3);
      const err = rmsRelative(t.forces, ref);
      const desc = method === 'pme'
        ? `α ${p.alpha!.toFixed(3)}, r_c ${p.realCutoffA!.toFixed(2)}, mesh ${p.mesh!.join('×')}, p ${p.order}`
        : `α ${p.alpha!.toFixed(3)}, r_c ${p.realCutoffA!.toFixed(2)}, k_c ${p.kCutoff!.toFixed(3)}`;
      ctx.report(`${method} energy+forces ${n} ions`, t.cpuMs, 'ms cpu', `wall ${t.wallMs.toFixed(1)} ms; RMS force error ${err.toExponential(2)} (vs ${refName}); ${desc}`);
      if (method === 'pme') {
        pmeCpu.push(t.cpuMs);
        pmeWall.push(t.wallMs);
        const l = lammps(s, q, p.realCutoffA!);
        if (l) {
          const lerr = l.forces ? rmsRelative(l.forces, ref).toExponential(2) : 'n/a';
          ctx.report(`LAMMPS pppm 1e-6 ${n} ions (per step)`, l.cpuMs, 'ms cpu', `wall ${l.wallMs.toFixed(1)} ms; RMS force error ${lerr}; ${l.note}`);
          ctx.report(`PME / LAMMPS ${n} ions`, t.cpuMs / l.cpuMs, '× (cpu)', `wall ratio ${(t.wallMs / l.wallMs).toFixed(2)}`);
        } else ctx.report(`LAMMPS pppm ${n} ions`, NaN, 'ms', 'skipped: lmp not available');
      }
    }
  }
  ctx.report('PME cost exponent (cpu time)', costExponent(ns, pmeCpu), '', `sizes ${ns.join(', ')}; wall-time exponent ${costExponent(ns, pmeWall).toFixed(3)}`);
  fftTimings(ctx);
  ctx.report('load average (1, 5, 15 min) at end', loadavg()[0], '', loadavg().map((x) => x.toFixed(2)).join(', '));
}
