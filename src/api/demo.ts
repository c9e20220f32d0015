/**
 * The demo job. Current stage (electrostatics): Madelung constants of NaCl, CsCl, zincblende, ideal wurtzite and
 * fluorite by Ewald and PME against literature values, then the Ewald and PME energy/forces/stress of a 64-ion NaCl
 * configuration built in code (a 2×2×2 rock-salt supercell with seeded random displacements of 0.25 Å), with the
 * parameters derived from the requested accuracy. Later replaced by the fitted-model comparison.
 */
import { makeStructure, Rng } from '../core/index.js';
import { ElectrostaticsCalculator, describeParameters, type TunedParameters } from '../electrostatics/index.js';
import { madelungTable } from './electrostatics.js';

export interface DemoOptions {
  log?: (line: string) => void;
}

/** 2×2×2 conventional rock-salt supercell (64 ions, a = 5.64 Å) with seeded displacements (Å). */
export function demoNaClStructure(displacementA = 0.25, seed = 2024): ReturnType<typeof makeStructure> {
  const a = 5.64, rng = new Rng(seed);
  const symbols: string[] = [], pos: number[][] = [];
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 4; k++) {
    symbols.push((i + j + k) % 2 === 0 ? 'Na' : 'Cl');
    pos.push([i, j, k].map((x) => (x * a) / 2 + displacementA * (2 * rng.uniform() - 1)));
  }
  return makeStructure({ symbols, positions: pos, cell: [2 * a, 0, 0, 0, 2 * a, 0, 0, 0, 2 * a] });
}

export async function runDemo(options: DemoOptions = {}): Promise<string> {
  const log = options.log ?? (() => {});
  const out: string[] = [];
  out.push('Madelung constants (E per formula unit = −M |z+z−| k_e / d), accuracy 1e-10:');
  out.push(`  ${'structure'.padEnd(18)} ${'Ewald'.padStart(14)} ${'PME'.padStart(14)} ${'literature'.padStart(14)}  source`);
  for (const r of madelungTable())
    out.push(`  ${r.name.padEnd(18)} ${r.ewald.toFixed(10).padStart(14)} ${r.pme.toFixed(10).padStart(14)} ${String(r.literature).padStart(14)}  ${r.source}`);
  log(out.join('\n'));
  const s = demoNaClStructure();
  const lines: string[] = ['', 'NaCl, 64 ions (2×2×2 rock salt, random displacements ≤ 0.25 Å), charges Na +1, Cl −1, accuracy 1e-6:'];
  for (const method of ['ewald', 'pme'] as const) {
    const calc = new ElectrostaticsCalculator({ charges: { Na: 1, Cl: -1 }, method, accuracy: 1e-6 });
    const r = calc.calculate(s);
    let fmax = 0;
    for (const f of r.forcesEvPerA!) fmax = Math.max(fmax, Math.abs(f));
    const st = r.stressEvPerA3!;
    lines.push(`  ${method.padEnd(5)} energy ${r.energyEv.toFixed(6)} eV, max |F| ${fmax.toFixed(6)} eV/Å, pressure ${(-(st[0] + st[4] + st[8]) / 3).toExponential(5)} eV/Å³`);
    lines.push(`        F(atom 0) = (${Array.from(r.forcesEvPerA!.slice(0, 3), (x) => x.toFixed(6)).join(', ')}) eV/Å`);
    lines.push(`        ${describeParameters(calc.lastParameters as TunedParameters)}`);
  }
  return (options.log ? '' : out.join('\n') + '\n') + lines.join('\n') + '\n';
}
