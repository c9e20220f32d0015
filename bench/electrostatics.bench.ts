/**
 * Electrostatics: energy + forces (+ stress) of NaCl melt-like configurations (rock-salt supercells at the density of
 * the 64-ion Fumi–Tosi melt fixture, a = 6.295 Å, with seeded random displacements of ±0.6 Å) of 512, 4096 and
 * 32768 ions at 1e-6 relative force accuracy, by Ewald and PME (parameters from tune), the PME cost exponent, and
 * Debian LAMMPS PPPM (`pair_style coul/long r_c` with our PME r_c, `kspace_style pppm 1e-6`) on the same structure
 * in the same run (time per MD step from `run 20`, skipped when `lmp` is missing). `--quick`: 512 and 4096 only.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeStructure, Rng, type Structure } from '../src/core/index.js';
import { computeElectrostatics, coulombKernel, tuneElectrostatics } from '../src/electrostatics/index.js';
import { costExponent, timeIt, type BenchContext } from './harness.js';

function melt(cells: number, seed = 1): { s: Structure; q: Float64Array } {
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

function lammpsMsPerStep(s: Structure, q: Float64Array, rc: number): { ms: number; note: string } | null {
  if (spawnSync('sh', ['-c', 'command -v lmp'], { encoding: 'utf8' }).status !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'farfield-lmp-'));
  const n = q.length, L = s.cell[0];
  const lines = ['farfield bench', '', `${n} atoms`, '2 atom types', '', `0 ${L} xlo xhi`, `0 ${L} ylo yhi`, `0 ${L} zlo zhi`, '', 'Masses', '', '1 22.99', '2 35.45', '', 'Atoms # charge', ''];
  for (let i = 0; i < n; i++) lines.push(`${i + 1} ${q[i] > 0 ? 1 : 2} ${q[i]} ${s.positions[3 * i]} ${s.positions[3 * i + 1]} ${s.positions[3 * i + 2]}`);
  writeFileSync(join(dir, 'data.lmp'), lines.join('\n') + '\n');
  const steps = 20;
  writeFileSync(join(dir, 'in.lmp'), [
    'units metal', 'atom_style charge', 'boundary p p p', 'read_data data.lmp',
    `pair_style coul/long ${rc}`, 'pair_coeff * *', 'kspace_style pppm 1e-6', 'neighbor 1.0 bin',
    'timestep 0.0001', 'fix 1 all nve', 'thermo 100', `run ${steps}`,
  ].join('\n') + '\n');
  try {
    execFileSync('lmp', ['-in', 'in.lmp', '-log', 'log.lammps', '-screen', 'none'], { cwd: dir, stdio: 'ignore', env: { ...process.env, OMP_NUM_THREADS: '1' } });
  } catch {
    return null;
  }
  const log = readFileSync(join(dir, 'log.lammps'), 'utf8');
  const m = /Loop time of ([0-9.eE+-]+) on/.exec(log);
  const g = /G vector \(1\/distance\)\s*=\s*([0-9.eE+-]+)/.exec(log);
  const grid = /grid\s*=\s*(\d+ \d+ \d+)/.exec(log);
  if (!m) return null;
  return { ms: (1000 * Number(m[1])) / steps, note: `LAMMPS g_ewald ${g?.[1]}, grid ${grid?.[1]}` };
}

export async function run(ctx: BenchContext): Promise<void> {
  const sizes = ctx.quick ? [4, 8] : [4, 8, 16]; // cells per edge → 8·cells³ ions
  const pmeTimes: number[] = [], ns: number[] = [];
  for (const cells of sizes) {
    const { s, q } = melt(cells);
    const n = q.length;
    ns.push(n);
    for (const method of ['ewald', 'pme'] as const) {
      // Ewald is O(N^1.5): 32768 ions take ~90 s here; run it only with FARFIELD_BENCH_EWALD_LARGE=1
      if (method === 'ewald' && n > 5000 && !process.env.FARFIELD_BENCH_EWALD_LARGE) continue;
      const p = tuneElectrostatics(s, q, { method, accuracy: 1e-6 });
      const runs = n > 10000 ? 1 : 3;
      const t = await timeIt(() => computeElectrostatics(s, q, coulombKernel(), p, { stress: false }), runs, n > 10000 ? 0 : 1);
      const desc = method === 'pme' ? `α ${p.alpha!.toFixed(3)}, r_c ${p.realCutoffA!.toFixed(2)}, mesh ${p.mesh!.join('×')}, p ${p.order}` : `α ${p.alpha!.toFixed(3)}, r_c ${p.realCutoffA!.toFixed(2)}, k_c ${p.kCutoff!.toFixed(3)}`;
      ctx.report(`${method} energy+forces ${n} ions`, t.medianMs, 'ms', desc);
      if (method === 'pme') {
        pmeTimes.push(t.medianMs);
        const l = lammpsMsPerStep(s, q, p.realCutoffA!);
        if (l) {
          ctx.report(`LAMMPS pppm 1e-6 ${n} ions (per step)`, l.ms, 'ms', l.note);
          ctx.report(`PME / LAMMPS ${n} ions`, t.medianMs / l.ms, '×');
        } else ctx.report(`LAMMPS pppm ${n} ions`, NaN, 'ms', 'skipped: lmp not available');
      }
    }
  }
  ctx.report('PME cost exponent', costExponent(ns, pmeTimes), '', `sizes ${ns.join(', ')}`);
}
