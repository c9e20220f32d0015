/**
 * Reference potentials: time per energy+forces+stress call of Fumi–Tosi NaCl (64-ion melt from data/configs, and a
 * 512-ion supercell), of Buckingham ZrO₂ (96 ions), and MD throughput (velocity Verlet steps per second, 64 ions);
 * plus the NVE drift of the 64-ion melt over 2 ps (quick) or 10 ps at dt = 2 fs. CP2K labelling costs are measured by
 * the labelling runs themselves (data/README.md).
 */
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeStructure, type Structure } from '../src/core/index.js';
import { readStructures } from '../src/host/index.js';
import { conservedEnergyEv, runMd, velocityVerlet } from '../src/md/index.js';
import { buckinghamZrO2, fumiTosiNaCl } from '../src/reference/index.js';
import { timeIt, type BenchContext } from './harness.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

function supercell(s: Structure, m: number): Structure {
  const n = s.species.length, symbols: string[] = [], pos: number[] = [];
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) for (let c = 0; c < m; c++)
    for (let i = 0; i < n; i++) {
      symbols.push(s.symbols[s.species[i]]);
      for (let d = 0; d < 3; d++) pos.push(s.positions[3 * i + d] + a * s.cell[d] + b * s.cell[3 + d] + c * s.cell[6 + d]);
    }
  return makeStructure({ symbols, positions: pos, cell: Array.from(s.cell, (x) => x * m) });
}

export async function run(ctx: BenchContext): Promise<void> {
  const frames = readStructures(join(ROOT, 'data', 'configs', 'nacl-liquid-xtb-configs.xyz'));
  const melt = frames.find((s) => s.info.temperature_K === 1200)!;
  const ft = fumiTosiNaCl();
  const t64 = await timeIt(() => ft.calculate(melt), 10);
  ctx.report('Fumi–Tosi NaCl 64 ions (E, F, σ)', t64.medianMs, 'ms', 'accuracy 1e-8, Ewald');
  const big = supercell(melt, 2);
  const t512 = await timeIt(() => ft.calculate(big), 3);
  ctx.report('Fumi–Tosi NaCl 512 ions (E, F, σ)', t512.medianMs, 'ms');
  const a = 5.1, symbols: string[] = [], pos: number[] = [];
  for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) for (let k = 0; k < 2; k++)
    for (const f of [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]]) {
      symbols.push('Zr'); pos.push((i + f[0]) * a, (j + f[1]) * a, (k + f[2]) * a);
      for (const o of [0.25, 0.75]) { symbols.push('O'); pos.push((i + f[0] + o) * a, (j + f[1] + o) * a, (k + f[2] + o) * a); }
    }
  const zr = makeStructure({ symbols, positions: pos, cell: [2 * a, 0, 0, 0, 2 * a, 0, 0, 0, 2 * a] });
  const tz = await timeIt(() => buckinghamZrO2().calculate(zr), 5);
  ctx.report('Buckingham ZrO₂ 96 ions (E, F, σ)', tz.medianMs, 'ms');

  const steps = ctx.quick ? 1000 : 5000;
  const calc = fumiTosiNaCl({ shift: true, electrostatics: { accuracy: 1e-8, method: 'ewald' } });
  const md = velocityVerlet(calc, { timestepFs: 2 });
  const st = md.init(melt, { temperatureK: 1200, seed: 1 });
  const e0 = conservedEnergyEv(st);
  let maxExc = 0;
  const t0 = performance.now();
  runMd(md, st, steps, { observers: [(s) => { maxExc = Math.max(maxExc, Math.abs(conservedEnergyEv(s) - e0)); }] });
  const sec = (performance.now() - t0) / 1000;
  ctx.report('MD 64 ions, velocity Verlet', steps / sec, 'steps/s');
  ctx.report(`NVE ${(steps * 2) / 1000} ps, dt 2 fs: max |ΔE_cons|`, maxExc / 64, 'eV/atom', `final ΔE ${((conservedEnergyEv(st) - e0) / 64).toExponential(2)} eV/atom`);
}
