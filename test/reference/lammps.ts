/**
 * Test helper: run Debian's LAMMPS (`lmp`) for one configuration (`run 0`) and read back energy, forces and stress,
 * for the cross-checks of the reference potentials. Metal units, `atom_style charge`; the cell must be in LAMMPS's
 * lower-triangular form (rows a = (ax,0,0), b = (bx,by,0), c = (cx,cy,cz)). Stress: LAMMPS's pressure tensor (bar,
 * pressure-like, no kinetic part since velocities are zero) → ASE stress = −P / 1.6021766208e6 eV/Å³.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EV_PER_A3_IN_KBAR, type Structure } from '../../src/core/index.js';

export function lammpsAvailable(): boolean {
  return spawnSync('sh', ['-c', 'command -v lmp'], { encoding: 'utf8' }).status === 0;
}

export const SKIP_WITHOUT_LAMMPS = lammpsAvailable() ? false : 'lmp not installed (apt-get install lammps): skipping LAMMPS cross-check';

export interface LammpsSetup {
  /** Species symbols in LAMMPS type order (type 1, 2, …). */
  types: string[];
  charges: Record<string, number>;
  masses?: Record<string, number>;
  /** e.g. `born/coul/long 6.0`. */
  pairStyle: string;
  /** `pair_coeff` lines without the keyword, e.g. `1 1 0.2637 0.317 2.34 1.0486 -0.4993`. */
  pairCoeffs: string[];
  /** e.g. `ewald 1e-10`. */
  kspace: string;
  /** Extra input lines after kspace_style (e.g. `pair_modify table 0`). */
  extra?: string[];
}

export interface LammpsResult {
  energyEv: number;
  forcesEvPerA: Float64Array;
  stressEvPerA3: Float64Array;
}

export function runLammps(s: Structure, setup: LammpsSetup): LammpsResult {
  const c = s.cell;
  if (c[1] !== 0 || c[2] !== 0 || c[5] !== 0) throw new Error('runLammps: cell must be lower triangular (LAMMPS form)');
  const n = s.species.length;
  const typeOf = s.symbols.map((sym) => {
    const t = setup.types.indexOf(sym);
    if (t < 0) throw new Error(`runLammps: species ${sym} not in types ${setup.types.join(' ')}`);
    return t + 1;
  });
  const dir = mkdtempSync(join(tmpdir(), 'farfield-lmp-'));
  try {
    const data = ['farfield cross-check', '', `${n} atoms`, `${setup.types.length} atom types`, '',
      `0 ${c[0]} xlo xhi`, `0 ${c[4]} ylo yhi`, `0 ${c[8]} zlo zhi`, `${c[3]} ${c[6]} ${c[7]} xy xz yz`, '', 'Masses', '',
      ...setup.types.map((t, k) => `${k + 1} ${setup.masses?.[t] ?? 1.0}`), '', 'Atoms # charge', ''];
    for (let i = 0; i < n; i++) {
      const sym = s.symbols[s.species[i]];
      data.push(`${i + 1} ${typeOf[s.species[i]]} ${setup.charges[sym]} ${s.positions[3 * i]} ${s.positions[3 * i + 1]} ${s.positions[3 * i + 2]}`);
    }
    writeFileSync(join(dir, 'data.lmp'), data.join('\n') + '\n');
    const input = ['units metal', 'atom_style charge', 'boundary p p p', 'box tilt large', 'read_data data.lmp',
      `pair_style ${setup.pairStyle}`, ...setup.pairCoeffs.map((l) => `pair_coeff ${l}`), `kspace_style ${setup.kspace}`, ...(setup.extra ?? []),
      'thermo_style custom step pe pxx pyy pzz pxy pxz pyz', 'thermo_modify format float %.16g',
      'dump 1 all custom 1 dump.txt id fx fy fz', 'dump_modify 1 sort id format float %.16g', 'run 0'];
    writeFileSync(join(dir, 'in.lmp'), input.join('\n') + '\n');
    const r = spawnSync('lmp', ['-in', 'in.lmp', '-log', 'log.lammps', '-screen', 'none'], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`lmp failed: ${r.stderr} ${readFileSync(join(dir, 'log.lammps'), 'utf8').slice(-500)}`);
    const log = readFileSync(join(dir, 'log.lammps'), 'utf8').split('\n');
    const h = log.findIndex((l) => /^\s*Step\s+PotEng/.test(l));
    const v = log[h + 1].trim().split(/\s+/).map(Number);
    const bar = EV_PER_A3_IN_KBAR * 1000;
    const [pxx, pyy, pzz, pxy, pxz, pyz] = v.slice(2, 8);
    const stress = Float64Array.from([pxx, pxy, pxz, pxy, pyy, pyz, pxz, pyz, pzz], (p) => -p / bar);
    const dump = readFileSync(join(dir, 'dump.txt'), 'utf8').split('\n');
    const a0 = dump.findIndex((l) => l.startsWith('ITEM: ATOMS'));
    const forces = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) {
      const t = dump[a0 + 1 + i].trim().split(/\s+/).map(Number);
      forces.set(t.slice(1, 4), 3 * (t[0] - 1));
    }
    return { energyEv: v[1], forcesEvPerA: forces, stressEvPerA3: stress };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
