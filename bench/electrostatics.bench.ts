/**
 * Electrostatics: energy + forces of NaCl melt-like configurations (rock-salt supercells at the density of the
 * 64-ion Fumi–Tosi melt fixture, a = 6.295 Å, with seeded random displacements of ±0.6 Å) at 1e-6 relative force
 * accuracy, by Ewald and PME (parameters from tune), with
 *   - the RMS force error relative to k_e against a tight reference (Ewald at 1e-10 up to 4096 ions; PME at 1e-10,
 *     itself checked against Ewald in test/electrostatics/pme.test.ts, at 32768), printed next to each time;
 *   - wall time (median) and CPU time of this process (the machine is shared: CPU time is not inflated by waiting),
 *     for a cold call (fresh workspace) and along MD (one workspace reused over a moving trajectory, median per
 *     call, and the mean including the real-space pair-list rebuilds: `timeTrajectory`), the median compared with
 *     LAMMPS's per-step time (its loop time, whose steps rebuild no list in 10 steps of 0.1 fs);
 *   - the LAMMPS anchor: Debian LAMMPS PPPM (`pair_style coul/long`, one MPI rank, OMP_NUM_THREADS=1) on the same
 *     structure in the same run, scanned over stencil order 5/6/7, real cutoff (our PME r_c, and ±1.5 Å unless quick)
 *     and grid (LAMMPS's choice for 1e-6 and for 1.5e-6, and a coarser `kspace_modify mesh` at the 1e-6 g_ewald);
 *     each setting's step-0 RMS force error is measured against the same reference, settings above 1e-6 are dropped,
 *     (orders 6 and 7 only above 10000 ions unless FARFIELD_BENCH_LAMMPS_ORDER5=1: order 5 was 5–10× slower at 512 and
 *     4096 ions and its 192³ grids take minutes per setting at 32768), and farfield PME is compared with the FASTEST remaining one (CPU per step from LAMMPS's log: median over 3 ×
 *     `run 10` of loop time × CPU use, start-up excluded). Every setting is printed with order, grid, g_ewald, r_c,
 *     measured error and time (skipped when `lmp` is missing);
 *   - the Ewald/PME crossover (small sizes) and the PME cost exponent (along MD) over 512 … 32768 ions;
 *   - one NVE MD step of Fumi–Tosi NaCl at 4096 ions against LAMMPS born/coul/long + pppm (`mdStepAnchor`;
 *     FARFIELD_BENCH_NO_MD=1 skips it);
 *   - 3-D FFT timings: the mixed-radix complex and real-to-complex transforms (TS, and the real one in wasm as PME runs it).
 * `--quick`: 512 and 4096 ions only. FARFIELD_BENCH_EWALD_LARGE=1 also times Ewald at 32768 ions (~1–2 minutes).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MD_CALCULATORS } from '../src/api/md.js';
import { COULOMB_EV_A, makeStructure, Rng, type Structure } from '../src/core/index.js';
import { runMd, velocityVerlet } from '../src/md/index.js';
import { ElectrostaticsWorkspace, computeElectrostatics, coulombKernel, tuneElectrostatics, type TunedParameters } from '../src/electrostatics/index.js';
import { Fft3d, RealFft3d } from '../src/math/index.js';
import { PmeMeshWasm } from '../src/electrostatics/pmeWasm.js';
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

/**
 * PME as MD calls it: one workspace (and so one real-space pair list, skin 1 Å) reused along a trajectory in which
 * every atom moves by a fixed random step of up to ±0.02 Å per coordinate per call (≈ a 2 fs step of the melt at
 * 1100 K). After TRAJECTORY_WARMUP warm-up calls (the second builds the list; the others let V8 optimise the JS and
 * tier up the WebAssembly kernels, which takes ~10 calls at 4096 ions: an MD run is thousands of steps), the median
 * CPU and wall time of `calls` calls, and the mean CPU time (which carries the list rebuilds, when an atom has moved
 * more than 0.5 Å, and the load's noise).
 */
export const TRAJECTORY_WARMUP = 10;

export function timeTrajectory(s: Structure, q: Float64Array, p: TunedParameters, calls: number): { cpuMs: number; wallMs: number; meanCpuMs: number; rebuilds: number } {
  const k = coulombKernel(), ws = new ElectrostaticsWorkspace(), rng = new Rng(7);
  const pos = s.positions.slice(), step = pos.map(() => rng.range(-0.02, 0.02));
  const next = (): Structure => {
    for (let a = 0; a < pos.length; a++) pos[a] += step[a];
    return { ...s, positions: pos.slice() };
  };
  for (let i = 0; i < TRAJECTORY_WARMUP; i++) computeElectrostatics(next(), q, k, p, { stress: false, workspace: ws });
  const r0 = ws.real.rebuilds;
  const cpu: number[] = [], wall: number[] = [];
  for (let i = 0; i < calls; i++) {
    const st = next();
    const c0 = process.cpuUsage(), t0 = performance.now();
    computeElectrostatics(st, q, k, p, { stress: false, workspace: ws });
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const median = (x: number[]): number => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)];
  return { cpuMs: median(cpu), wallMs: median(wall), meanCpuMs: cpu.reduce((a, b) => a + b, 0) / calls, rebuilds: ws.real.rebuilds - r0 };
}

export function rmsRelative(f: Float64Array, ref: Float64Array): number {
  let e2 = 0;
  for (let k = 0; k < f.length; k++) e2 += (f[k] - ref[k]) ** 2;
  return Math.sqrt(e2 / (f.length / 3)) / COULOMB_EV_A;
}

/** One LAMMPS PPPM setting of the anchor scan. */
interface LammpsSetting { order: number; accuracy: number; cutoffA: number; mesh?: number; gEwald?: number }

interface LammpsRun {
  setting: LammpsSetting;
  /** Median over the repetitions of (loop time / steps), and the same scaled by LAMMPS's reported CPU use. */
  wallMs: number;
  cpuMs: number;
  /** Median per-step Pair and Kspace times from the MPI task timing breakdown. */
  pairMs: number;
  kspaceMs: number;
  gEwald: number;
  grid: string;
  cpuUse: number;
  forces: Float64Array | null;
}

const LAMMPS_REPS = 3, LAMMPS_STEPS = 10;

/**
 * Debian LAMMPS PPPM (`pair_style coul/long cutoff`, `kspace_style pppm accuracy`, `kspace_modify order p`; LAMMPS
 * then chooses g_ewald and the grid for that accuracy), one MPI rank, OMP_NUM_THREADS=1. Timed from LAMMPS's own log:
 * LAMMPS_REPS consecutive `run LAMMPS_STEPS` (each loop time excludes start-up and setup), median per step.
 * The forces are those of step 0 (the unmoved structure).
 */
export function lammps(s: Structure, q: Float64Array, set: LammpsSetting): LammpsRun | null {
  const dir = mkdtempSync(join(tmpdir(), 'farfield-lmp-'));
  try {
    const n = q.length, L = s.cell[0];
    const lines = ['farfield bench', '', `${n} atoms`, '2 atom types', '', `0 ${L} xlo xhi`, `0 ${L} ylo yhi`, `0 ${L} zlo zhi`, '', 'Masses', '', '1 22.99', '2 35.45', '', 'Atoms # charge', ''];
    for (let i = 0; i < n; i++) lines.push(`${i + 1} ${q[i] > 0 ? 1 : 2} ${q[i]} ${s.positions[3 * i]} ${s.positions[3 * i + 1]} ${s.positions[3 * i + 2]}`);
    writeFileSync(join(dir, 'data.lmp'), lines.join('\n') + '\n');
    const runs: string[] = [];
    for (let r = 0; r < LAMMPS_REPS; r++) runs.push(`run ${LAMMPS_STEPS}`);
    writeFileSync(join(dir, 'in.lmp'), [
      'units metal', 'atom_style charge', 'boundary p p p', 'read_data data.lmp',
      `pair_style coul/long ${set.cutoffA}`, 'pair_coeff * *', `kspace_style pppm ${set.accuracy}`, `kspace_modify order ${set.order}` + (set.mesh ? ` mesh ${set.mesh} ${set.mesh} ${set.mesh} gewald ${set.gEwald}` : ''),
      'neighbor 1.0 bin', 'dump f all custom 100000 forces.dump id fx fy fz', 'dump_modify f sort id format float %.16e',
      'timestep 0.0001', 'fix 1 all nve', 'thermo 100000', ...runs,
    ].join('\n') + '\n');
    try {
      execFileSync('lmp', ['-in', 'in.lmp', '-log', 'log.lammps', '-screen', 'none'], { cwd: dir, stdio: 'ignore', env: { ...process.env, OMP_NUM_THREADS: '1' } });
    } catch {
      return null;
    }
    const log = readFileSync(join(dir, 'log.lammps'), 'utf8');
    const median = (x: number[]): number => { const y = [...x].sort((a, b) => a - b); return y.length ? y[Math.floor(y.length / 2)] : NaN; };
    const all = (re: RegExp): number[] => [...log.matchAll(re)].map((m) => Number(m[1]));
    const loop = all(/Loop time of ([0-9.eE+-]+) on/g);
    const use = all(/([0-9.]+)% CPU use/g);
    const pair = all(/^Pair\s*\|\s*[0-9.eE+-]+\s*\|\s*([0-9.eE+-]+)/gm);
    const ksp = all(/^Kspace\s*\|\s*[0-9.eE+-]+\s*\|\s*([0-9.eE+-]+)/gm);
    const g = /G vector \(1\/distance\)\s*=\s*([0-9.eE+-]+)/.exec(log);
    const grid = /grid\s*=\s*(\d+) (\d+) (\d+)/.exec(log);
    if (loop.length === 0) return null;
    const perStep = loop.map((t, i) => ({ wall: (1000 * t) / LAMMPS_STEPS, cpu: ((1000 * t) / LAMMPS_STEPS) * ((use[i] ?? 100) / 100) }));
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
    return {
      setting: set, wallMs: median(perStep.map((x) => x.wall)), cpuMs: median(perStep.map((x) => x.cpu)),
      pairMs: (1000 * median(pair)) / LAMMPS_STEPS, kspaceMs: (1000 * median(ksp)) / LAMMPS_STEPS,
      gEwald: g ? Number(g[1]) : NaN, grid: grid ? `${grid[1]}×${grid[2]}×${grid[3]}` : '?', cpuUse: median(use), forces,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function describe(l: LammpsRun, err: number): string {
  const { order, accuracy, cutoffA } = l.setting;
  const how = l.setting.mesh ? 'mesh, gewald set' : `pppm ${accuracy.toExponential(1)}`;
  return `order ${order}, grid ${l.grid}, g_ewald ${l.gEwald.toFixed(4)}, r_c ${cutoffA.toFixed(2)}, ${how}; ` +
    `RMS force error ${err.toExponential(2)}; wall ${l.wallMs.toFixed(1)} ms (Pair ${l.pairMs.toFixed(1)}, Kspace ${l.kspaceMs.toFixed(1)}), ${l.cpuUse.toFixed(1)}% CPU`;
}

/**
 * The LAMMPS anchor: scan PPPM stencil order 5, 6, 7 × real cutoff (ours, and ±1.5 Å unless quick) × grid:
 * LAMMPS's own choice for 1e-6, its choice for a looser 1.5e-6 (coarser grid, other g_ewald), and the 1e-6 g_ewald on
 * a ~12 % coarser `kspace_modify mesh` (LAMMPS's estimates are conservative; the measured error decides); measure each setting's RMS force error against `ref`, keep those at or below
 * `bar`, and return the fastest (CPU per step). Every setting is printed.
 */
export function lammpsAnchor(ctx: BenchContext, s: Structure, q: Float64Array, ref: Float64Array, rc: number, bar: number): LammpsRun | null {
  const n = q.length;
  const cutoffs = ctx.quick ? [rc] : [rc - 1.5, rc, rc + 1.5];
  let best = null as LammpsRun | null, bestErr = NaN;
  const consider = (set: LammpsSetting): LammpsRun | null => {
    const l = lammps(s, q, set);
    if (!l) return null;
    const err = l.forces ? rmsRelative(l.forces, ref) : NaN;
    const ok = err <= bar;
    ctx.report(`  LAMMPS scan ${n} ions (per step)`, l.cpuMs, 'ms cpu', `${ok ? 'meets' : 'FAILS'} bar ${bar.toExponential(1)}: ${describe(l, err)}`);
    if (ok && (!best || l.cpuMs < best.cpuMs)) { best = l; bestErr = err; }
    return l;
  };
  // order 5 at 1e-6 needs ~2× finer grids than order 7 and was 5–10× slower at 512 and 4096 ions; at 32768 ions its
  // 192³ grids take minutes per setting, so large systems scan 6 and 7 only (FARFIELD_BENCH_LAMMPS_ORDER5=1: all)
  const orders = n > 10000 && !process.env.FARFIELD_BENCH_LAMMPS_ORDER5 ? [6, 7] : [5, 6, 7];
  for (const order of orders) for (const cutoffA of cutoffs) {
    const auto = consider({ order, accuracy: 1e-6, cutoffA });
    consider({ order, accuracy: 1.5e-6, cutoffA });
    // LAMMPS's grid estimate is conservative: the same g_ewald on a ~12 % coarser grid (even size)
    const m = auto ? Number(auto.grid.split('×')[0]) : NaN;
    if (auto && Number.isFinite(m) && Number.isFinite(auto.gEwald)) {
      consider({ order, accuracy: 1e-6, cutoffA, mesh: 2 * Math.round((0.88 * m) / 2), gEwald: auto.gEwald });
    }
  }
  if (best) ctx.report(`LAMMPS anchor ${n} ions: fastest PPPM meeting ${bar.toExponential(1)} (per step)`, best.cpuMs, 'ms cpu', describe(best, bestErr));
  return best;
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
    // the same transform in wasm on the PME workspace's meshes (pmeWasm.ts; bitwise the TS one)
    const w = PmeMeshWasm.create();
    w?.layout(1, 4, [n, n, n]);
    if (w?.fft) {
      w.grids[0].set(xr);
      ctx.report(`FFT ${n}³ forward+inverse, real-to-complex, wasm (PME)`, best(() => { w.forward(0); w.inverse(0); }), 'ms cpu');
    }
  }
}

/** farfield's Fumi–Tosi NVE step on `s` (see mdStepAnchor): CPU and wall ms per step over 20 steps after 5, and its Coulomb setting. */
export function farfieldMdStep(s: Structure): { cpuMs: number; wallMs: number; setting: string; rc?: number } {
  const calc = MD_CALCULATORS['fumi-tosi'].create();
  const md = velocityVerlet(calc, { timestepFs: 2 });
  const st = md.init(s, { temperatureK: 1100, seed: 1 });
  runMd(md, st, 5);
  const c0 = process.cpuUsage(), t0 = performance.now();
  runMd(md, st, 20);
  const c = process.cpuUsage(c0);
  const p = (calc as unknown as { coulomb: { lastParameters?: TunedParameters } }).coulomb.lastParameters;
  const setting = p ? `PME mesh ${p.mesh?.join('×')}, order ${p.order}, r_c ${p.realCutoffA?.toFixed(2)}` : '';
  return { cpuMs: (c.user + c.system) / 1000 / 20, wallMs: (performance.now() - t0) / 20, setting, rc: p?.realCutoffA };
}

/** LAMMPS's Fumi–Tosi NVE step on `s` (born/coul/long 6.0 rc, pppm 1e-6 at `order`, skin 2 Å; see mdStepAnchor), or null if it failed. */
export function lammpsMdStep(s: Structure, order: number, rc: number): { cpuMs: number; desc: string } | null {
  const n = s.species.length, L = s.cell[0];
  const dir = mkdtempSync(join(tmpdir(), 'farfield-lmp-md-'));
  try {
    const lines = ['farfield bench', '', `${n} atoms`, '2 atom types', '', `0 ${L} xlo xhi`, `0 ${L} ylo yhi`, `0 ${L} zlo zhi`, '', 'Masses', '', '1 22.99', '2 35.45', '', 'Atoms # charge', ''];
    for (let i = 0; i < n; i++) {
      const na = s.symbols[s.species[i]] === 'Na';
      lines.push(`${i + 1} ${na ? 1 : 2} ${na ? 1 : -1} ${s.positions[3 * i]} ${s.positions[3 * i + 1]} ${s.positions[3 * i + 2]}`);
    }
    writeFileSync(join(dir, 'data.lmp'), lines.join('\n') + '\n');
    writeFileSync(join(dir, 'in.lmp'), [
      'units metal', 'atom_style charge', 'boundary p p p', 'read_data data.lmp',
      `pair_style born/coul/long 6.0 ${rc}`,
      'pair_coeff 1 1 0.2637 0.317 2.340 1.0486 -0.4993', 'pair_coeff 1 2 0.2110 0.317 2.755 6.9906 -8.6758', 'pair_coeff 2 2 0.1582 0.317 3.170 75.054 -150.7325',
      'kspace_style pppm 1e-6', `kspace_modify order ${order}`, 'neighbor 2.0 bin', 'neigh_modify every 1 delay 0 check yes',
      'velocity all create 1100 1 dist gaussian', 'timestep 0.002', 'fix 1 all nve', 'thermo 1000', 'run 5', 'run 20',
    ].join('\n') + '\n');
    execFileSync('lmp', ['-in', 'in.lmp', '-log', 'log.lammps', '-screen', 'none'], { cwd: dir, stdio: 'ignore', env: { ...process.env, OMP_NUM_THREADS: '1' } });
    const log = readFileSync(join(dir, 'log.lammps'), 'utf8');
    const loops = [...log.matchAll(/Loop time of ([0-9.eE+-]+) on/g)].map((m) => Number(m[1]));
    const uses = [...log.matchAll(/([0-9.]+)% CPU use/g)].map((m) => Number(m[1]));
    const grid = /grid\s*=\s*(\d+) (\d+) (\d+)/.exec(log), g = /G vector \(1\/distance\)\s*=\s*([0-9.eE+-]+)/.exec(log);
    const builds = [...log.matchAll(/Neighbor list builds = (\d+)/g)].map((m) => m[1]);
    if (loops.length < 2) return null;
    const wall = (1000 * loops[1]) / 20, cpu = wall * ((uses[1] ?? 100) / 100);
    const desc = `order ${order}, grid ${grid ? grid.slice(1).join('×') : '?'}, g_ewald ${g ? Number(g[1]).toFixed(4) : '?'}, r_c ${rc.toFixed(2)}; wall ${wall.toFixed(1)} ms, ${uses[1] ?? '?'}% CPU, neighbour builds ${builds[1] ?? '?'} in 20 steps`;
    return { cpuMs: cpu, desc };
  } catch {
    return null; // a failed LAMMPS run is skipped
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * One NVE step (velocity Verlet, dt 2 fs, 1100 K start) of Fumi–Tosi NaCl at 4096 ions: farfield's `md --calculator
 * fumi-tosi` calculator (skinned pair lists, Coulomb PME at 1e-6, tuned once per cell) against LAMMPS
 * `pair_style born/coul/long 6.0 r_c` (the same 6 Å Born cutoff) + `kspace_style pppm 1e-6` at stencil order 5, 6, 7
 * (r_c = 10 Å, and our r_c unless quick), neighbour skin 2 Å, checked every step; the fastest is the anchor. CPU per
 * step: ours over steps 6–25 in this process (after 5 warm-up steps: tuning, first lists, plans), LAMMPS's loop time ×
 * CPU use of a `run 20` after a `run 5`.
 */
export function mdStepAnchor(ctx: BenchContext, lmpAvailable: boolean): void {
  const { s } = melt(8);
  const n = s.species.length;
  const f = farfieldMdStep(s);
  const ours = f.cpuMs, setting = f.setting;
  ctx.report(`Fumi–Tosi MD step ${n} ions (farfield)`, ours, 'ms cpu', `wall ${f.wallMs.toFixed(1)} ms; ${setting}; Born cutoff 6 Å, pair-list skin 1 Å`);
  if (!lmpAvailable) return;
  let best: { cpu: number; desc: string } | null = null;
  for (const order of [5, 6, 7]) for (const rc of ctx.quick || !f.rc ? [10] : [10, f.rc]) {
    const l = lammpsMdStep(s, order, rc);
    if (!l) continue;
    ctx.report(`  LAMMPS Fumi–Tosi MD step ${n} ions`, l.cpuMs, 'ms cpu', l.desc);
    if (!best || l.cpuMs < best.cpu) best = { cpu: l.cpuMs, desc: l.desc };
  }
  if (best) {
    ctx.report(`LAMMPS anchor Fumi–Tosi MD step ${n} ions (fastest)`, best.cpu, 'ms cpu', best.desc);
    ctx.report(`Fumi–Tosi MD step farfield / best LAMMPS ${n} ions`, ours / best.cpu, '× (cpu)', `farfield ${ours.toFixed(1)} ms (${setting}) vs LAMMPS ${best.cpu.toFixed(1)} ms (${best.desc})`);
  }
}

/** Requested accuracy; farfield PME and every LAMMPS setting must reach it in MEASURED RMS force error (relative to k_e). */
const ACCURACY_BAR = 1e-6;

export async function run(ctx: BenchContext): Promise<void> {
  const lmpAvailable = spawnSync('sh', ['-c', 'command -v lmp'], { encoding: 'utf8' }).status === 0;
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
        ? `α ${p.alphaPerA!.toFixed(3)}, r_c ${p.realCutoffA!.toFixed(2)}, mesh ${p.mesh!.join('×')}, p ${p.order}`
        : `α ${p.alphaPerA!.toFixed(3)}, r_c ${p.realCutoffA!.toFixed(2)}, k_c ${p.kCutoffPerA!.toFixed(3)}`;
      ctx.report(`${method} energy+forces ${n} ions`, t.cpuMs, 'ms cpu', `wall ${t.wallMs.toFixed(1)} ms; RMS force error ${err.toExponential(2)} (vs ${refName}); ${desc}`);
      if (method === 'pme') {
        const md = timeTrajectory(s, q, p, large ? 12 : 25);
        ctx.report(`pme energy+forces ${n} ions, along MD (reused workspace)`, md.cpuMs, 'ms cpu', `median; wall ${md.wallMs.toFixed(1)} ms; mean ${md.meanCpuMs.toFixed(1)} ms cpu incl. ${md.rebuilds} pair-list rebuild(s) in ${large ? 12 : 25} calls`);
        pmeCpu.push(md.cpuMs);
        pmeWall.push(md.wallMs);
        const anchor = lmpAvailable ? lammpsAnchor(ctx, s, q, ref, p.realCutoffA!, ACCURACY_BAR) : null;
        const ours = `PME ${md.cpuMs.toFixed(1)} ms along MD (${t.cpuMs.toFixed(1)} ms a cold call), error ${err.toExponential(2)}, mesh ${p.mesh!.join('×')}, order ${p.order}, r_c ${p.realCutoffA!.toFixed(2)}`;
        if (anchor) {
          ctx.report(`PME / best LAMMPS ${n} ions`, md.cpuMs / anchor.cpuMs, '× (cpu)',
            `wall ratio ${(md.wallMs / anchor.wallMs).toFixed(2)}; cold-call ratio ${(t.cpuMs / anchor.cpuMs).toFixed(2)}; ${ours} vs LAMMPS ${anchor.cpuMs.toFixed(1)} ms per MD step, order ${anchor.setting.order}, grid ${anchor.grid}, g_ewald ${anchor.gEwald.toFixed(4)}, r_c ${anchor.setting.cutoffA.toFixed(2)}`);
        } else ctx.report(`PME / best LAMMPS ${n} ions`, NaN, '', lmpAvailable ? `no LAMMPS setting met ${ACCURACY_BAR}` : 'skipped: lmp not available');
      }
    }
  }
  if (!process.env.FARFIELD_BENCH_NO_MD) mdStepAnchor(ctx, lmpAvailable);
  ctx.report('PME cost exponent (cpu time)', costExponent(ns, pmeCpu), '', `sizes ${ns.join(', ')}; wall-time exponent ${costExponent(ns, pmeWall).toFixed(3)}`);
  fftTimings(ctx);
  ctx.report('load average (1, 5, 15 min) at end', loadavg()[0], '', loadavg().map((x) => x.toFixed(2)).join(', '));
}
