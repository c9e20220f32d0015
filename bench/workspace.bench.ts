/**
 * Workspaces (issue 14 item 3): CPU time per MD-like step of an ElectrostaticsCalculator (PME, 1e-6 relative force
 * accuracy, energy + forces + stress) on NaCl melt-like rock-salt supercells (a = 6.295 Å, ±0.6 Å random
 * displacements; each step moves every ion by ≤ 0.01 Å), three ways:
 *   - fresh: a new ElectrostaticsWorkspace every step and tuning every step (no state kept at all);
 *   - reuse: one calculator, its workspace reused (transform, influence function, meshes), tuning every step
 *     (the default, and what the module-level caches gave before);
 *   - reuse + retune 'cell': the tuned parameters kept too while the cell and charges stay.
 * `--quick`: 512 ions only.
 */
import { makeStructure, Rng, type Structure } from '../src/core/index.js';
import { ElectrostaticsCalculator, ElectrostaticsWorkspace, computeElectrostatics, coulombKernel, tuneElectrostatics } from '../src/electrostatics/index.js';
import type { BenchContext } from './harness.js';
import { melt as meltWithCharges } from './electrostatics.bench.js';

const melt = (cells: number, seed = 1): Structure => meltWithCharges(cells, seed).s;

function trajectory(s: Structure, steps: number): Structure[] {
  const rng = new Rng(7), out: Structure[] = [];
  let pos = Array.from(s.positions);
  const symbols = Array.from(s.species, (t) => s.symbols[t]);
  for (let k = 0; k < steps; k++) {
    pos = pos.map((x) => x + rng.range(-0.01, 0.01));
    out.push(makeStructure({ symbols, positions: pos, cell: Array.from(s.cell) }));
  }
  return out;
}

/** Median CPU ms per step of `step` over the frames (the first three frames are warm-up). */
function cpuPerStep(frames: Structure[], step: (s: Structure) => void): number {
  const t: number[] = [];
  for (const [k, s] of frames.entries()) {
    const c0 = process.cpuUsage();
    step(s);
    const c = process.cpuUsage(c0);
    if (k >= 3) t.push((c.user + c.system) / 1000);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

export async function run(ctx: BenchContext): Promise<void> {
  const charges = { Na: 1, Cl: -1 };
  for (const cells of ctx.quick ? [4] : [4, 8]) {
    const s0 = melt(cells), n = s0.species.length, frames = trajectory(s0, ctx.quick || cells === 4 ? 15 : 11);
    const q = Float64Array.from(s0.species, (t) => (s0.symbols[t] === 'Na' ? 1 : -1));
    const kernel = coulombKernel();
    const fresh = cpuPerStep(frames, (s) => {
      computeElectrostatics(s, q, kernel, tuneElectrostatics(s, q, { method: 'pme', accuracy: 1e-6 }), { potentials: true, workspace: new ElectrostaticsWorkspace() });
    });
    const calc = new ElectrostaticsCalculator({ charges, method: 'pme', accuracy: 1e-6 });
    const reuse = cpuPerStep(frames, (s) => void calc.calculate(s));
    const calcCell = new ElectrostaticsCalculator({ charges, method: 'pme', accuracy: 1e-6, retune: 'cell' });
    const reuseCell = cpuPerStep(frames, (s) => void calcCell.calculate(s));
    const tune = cpuPerStep(frames, (s) => void tuneElectrostatics(s, q, { method: 'pme', accuracy: 1e-6 }));
    ctx.report(`PME step ${n} ions, fresh workspace + tune`, fresh, 'ms CPU');
    ctx.report(`PME step ${n} ions, reused workspace + tune`, reuse, 'ms CPU', `saves ${(fresh - reuse).toFixed(1)} ms`);
    ctx.report(`PME step ${n} ions, reused workspace, retune 'cell'`, reuseCell, 'ms CPU', `saves ${(fresh - reuseCell).toFixed(1)} ms`);
    ctx.report(`tune alone ${n} ions`, tune, 'ms CPU');
  }
}
