/**
 * Configuration sampling for the NaCl datasets: Fumi–Tosi (Born–Mayer–Huggins + Coulomb) molecular dynamics of
 * 64 ions with Debian's LAMMPS (`lmp`), exactly the parameter set of src/reference/fumiTosiParameters.ts
 * (`pair_style born/coul/long 6.0`, `kspace_style pppm 1e-5`), Langevin thermostat on top of `fix nve`, dt = 1 fs.
 *
 *   node --import tsx scripts/data/sample-nacl.ts <set> <out.xyz> [workdir]
 *   set = liquid-xtb | rocksalt-xtb | liquid-pbe
 *
 * Every run starts from a 2×2×2 rock-salt supercell scaled to its box, is (for liquids) melted at 2500 K, equilibrated
 * at the target temperature, then dumped every 0.5 ps. The plan below (temperatures, densities, seeds) is the complete
 * recipe; data/README.md copies it. Output: extended XYZ with positions and cell only (labels come from CP2K).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AMU_G, ATOMIC_MASSES_AMU, makeStructure } from '../../src/core/index.js';
import { FUMI_TOSI_NACL_CUTOFF_A, FUMI_TOSI_NACL_LAMMPS } from '../../src/reference/fumiTosiParameters.js';
import { frameToExtxyz } from './extxyz-lite.js';

interface Run {
  phase: 'liquid' | 'rocksalt';
  temperatureK: number;
  /** Cubic box edge, Å. */
  boxA: number;
  densityGcm3: number;
  latticeA?: number;
  seed: number;
  frames: number;
}

const M_NA = ATOMIC_MASSES_AMU.Na, M_CL = ATOMIC_MASSES_AMU.Cl;
const PAIRS = 32;
/** Experimental melt density of NaCl near the melting point (1074 K), g/cm³ (Janz, Molten Salts Handbook: 1.556). */
const RHO_MELT = 1.55;
/** Experimental room-temperature lattice constant of rock-salt NaCl, Å. */
const A_EXP = 5.64;
const FRAME_EVERY_STEPS = 500; // 0.5 ps at dt = 1 fs

function boxForDensity(rho: number): number {
  const massG = PAIRS * (M_NA + M_CL) * AMU_G;
  return Math.cbrt((massG / rho) * 1e24);
}

function plan(set: string): Run[] {
  const runs: Run[] = [];
  if (set === 'liquid-xtb') {
    // 4 temperatures × 4 densities (±5 % of 1.55 g/cm³), 28 frames each = 448 frames; seeds 1001…1016.
    const temps = [1100, 1200, 1300, 1400];
    const rhos = [0.95, 0.9833, 1.0167, 1.05].map((f) => +(RHO_MELT * f).toFixed(4));
    let k = 0;
    for (const t of temps) for (const r of rhos) runs.push({ phase: 'liquid', temperatureK: t, densityGcm3: r, boxA: boxForDensity(r), seed: 1001 + k++, frames: 28 });
  } else if (set === 'rocksalt-xtb') {
    // 5 temperatures × 5 lattice constants (5.64 Å ± 2 %), 13 frames each = 325 frames; seeds 2001…2025.
    const temps = [300, 450, 600, 750, 900];
    const facs = [0.98, 0.99, 1.0, 1.01, 1.02];
    let k = 0;
    for (const t of temps)
      for (const f of facs) {
        const a = +(A_EXP * f).toFixed(5);
        const box = 2 * a;
        const rho = (PAIRS * (M_NA + M_CL) * AMU_G) / (box ** 3 * 1e-24);
        runs.push({ phase: 'rocksalt', temperatureK: t, densityGcm3: +rho.toFixed(4), boxA: box, latticeA: a, seed: 2001 + k++, frames: 13 });
      }
  } else if (set === 'liquid-pbe') {
    // Separate sampling for the PBE check: 4 temperatures × 2 densities, 10 frames each = 80 frames; seeds 3001…3008.
    const temps = [1100, 1200, 1300, 1400];
    const rhos = [0.97, 1.03].map((f) => +(RHO_MELT * f).toFixed(4));
    let k = 0;
    for (const t of temps) for (const r of rhos) runs.push({ phase: 'liquid', temperatureK: t, densityGcm3: r, boxA: boxForDensity(r), seed: 3001 + k++, frames: 10 });
  } else throw new Error(`unknown set '${set}' (liquid-xtb | rocksalt-xtb | liquid-pbe)`);
  return runs;
}

/** 2×2×2 conventional rock-salt supercell (64 ions) scaled to edge `box`; Na ids 1–32, Cl ids 33–64. */
function dataFile(box: number): string {
  const a = box / 2;
  const na: number[][] = [], cl: number[][] = [];
  const fcc = [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]];
  for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) for (let k = 0; k < 2; k++)
    for (const f of fcc) {
      na.push([(i + f[0]) * a, (j + f[1]) * a, (k + f[2]) * a]);
      cl.push([(i + f[0] + 0.5) * a, (j + f[1]) * a, (k + f[2]) * a].map((x) => x % box));
    }
  const lines = ['NaCl 64 ions (farfield scripts/data/sample-nacl.ts)', '', '64 atoms', '2 atom types', '',
    `0 ${box} xlo xhi`, `0 ${box} ylo yhi`, `0 ${box} zlo zhi`, '', 'Masses', '', `1 ${M_NA}`, `2 ${M_CL}`, '', 'Atoms # charge', ''];
  na.forEach((p, i) => lines.push(`${i + 1} 1 1.0 ${p.join(' ')}`));
  cl.forEach((p, i) => lines.push(`${i + 33} 2 -1.0 ${p.join(' ')}`));
  return lines.join('\n') + '\n';
}

function lammpsInput(run: Run): string {
  const pc = (t: string): string => {
    const [a, b] = t === '1 1' ? ['Na', 'Na'] : t === '1 2' ? ['Na', 'Cl'] : ['Cl', 'Cl'];
    const p = FUMI_TOSI_NACL_LAMMPS.find((q) => (q.a === a && q.b === b) || (q.a === b && q.b === a))!;
    return `pair_coeff ${t} ${p.aEv} ${p.rhoA} ${p.sigmaA} ${p.cEvA6} ${p.dEvA8}`;
  };
  const melt = run.phase === 'liquid';
  return [
    'units metal', 'atom_style charge', 'boundary p p p', 'read_data data.lmp',
    `pair_style born/coul/long ${FUMI_TOSI_NACL_CUTOFF_A}`, pc('1 1'), pc('1 2'), pc('2 2'),
    'kspace_style pppm 1.0e-5', 'neighbor 2.0 bin', 'neigh_modify every 1 delay 0 check yes',
    'timestep 0.001', 'thermo 1000', 'thermo_style custom step temp pe etotal press',
    'fix 1 all nve',
    ...(melt
      ? [`velocity all create 2500 ${run.seed} mom yes rot no dist gaussian`,
         `fix 2 all langevin 2500 2500 0.1 ${run.seed + 100000} zero yes`, 'run 3000', 'unfix 2',
         `fix 2 all langevin ${run.temperatureK} ${run.temperatureK} 0.5 ${run.seed + 200000} zero yes`, 'run 5000']
      : [`velocity all create ${run.temperatureK} ${run.seed} mom yes rot no dist gaussian`,
         `fix 2 all langevin ${run.temperatureK} ${run.temperatureK} 0.5 ${run.seed + 200000} zero yes`, 'run 3000']),
    'reset_timestep 0',
    `dump 1 all custom ${FRAME_EVERY_STEPS} dump.txt id type x y z`, 'dump_modify 1 sort id format float %.10f',
    `run ${(run.frames - 1) * FRAME_EVERY_STEPS}`,
  ].join('\n') + '\n';
}

function parseDump(text: string): { step: number; box: number[]; pos: Float64Array; types: Int32Array }[] {
  const lines = text.split('\n');
  const frames = [];
  let k = 0;
  while (k < lines.length && lines[k].startsWith('ITEM: TIMESTEP')) {
    const step = Number(lines[k + 1]);
    const n = Number(lines[k + 3]);
    const box = [0, 1, 2].map((d) => { const [lo, hi] = lines[k + 5 + d].trim().split(/\s+/).map(Number); return hi - lo; });
    const lo = [0, 1, 2].map((d) => Number(lines[k + 5 + d].trim().split(/\s+/)[0]));
    const pos = new Float64Array(3 * n), types = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const t = lines[k + 9 + i].trim().split(/\s+/).map(Number);
      const id = t[0] - 1;
      types[id] = t[1];
      for (let d = 0; d < 3; d++) pos[3 * id + d] = t[2 + d] - lo[d];
    }
    frames.push({ step, box, pos, types });
    k += 9 + n;
  }
  return frames;
}

function main(): void {
  const [set, out, workdir = `/tmp/farfield-sample-${process.argv[2]}`] = process.argv.slice(2);
  if (!set || !out) throw new Error('usage: sample-nacl.ts <liquid-xtb|rocksalt-xtb|liquid-pbe> <out.xyz> [workdir]');
  const version = execFileSync('lmp', ['-h'], { encoding: 'utf8' }).split('\n').find((l) => l.includes('Large-scale'))?.replace(/.*- (\d+ \w+ \d+.*)$/, '$1').trim() ?? '?';
  writeFileSync(out, '');
  plan(set).forEach((run, r) => {
    const dir = join(workdir, `run-${String(r).padStart(2, '0')}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'data.lmp'), dataFile(run.boxA));
    writeFileSync(join(dir, 'in.lmp'), lammpsInput(run));
    const res = spawnSync('nice', ['-n', '10', 'lmp', '-in', 'in.lmp', '-log', 'log.lammps', '-screen', 'none'], { cwd: dir, encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`lmp failed in ${dir}: ${res.stderr}`);
    const frames = parseDump(readFileSync(join(dir, 'dump.txt'), 'utf8'));
    if (frames.length !== run.frames) throw new Error(`${dir}: expected ${run.frames} frames, got ${frames.length}`);
    for (const f of frames) {
      const symbols = Array.from(f.types, (t) => (t === 1 ? 'Na' : 'Cl'));
      const s = makeStructure({
        symbols, positions: f.pos, cell: [f.box[0], 0, 0, 0, f.box[1], 0, 0, 0, f.box[2]], pbc: true,
        info: {
          config_type: `nacl-${run.phase}`, sampler: 'lammps-fumi-tosi', lammps_version: version,
          temperature_K: run.temperatureK, density_g_cm3: run.densityGcm3,
          ...(run.latticeA !== undefined ? { lattice_A: run.latticeA } : {}),
          seed: run.seed, run: r, time_ps: f.step / 1000,
        },
      });
      appendFileSync(out, frameToExtxyz(s));
    }
    process.stderr.write(`${set}: run ${r} (${run.phase}, ${run.temperatureK} K, ${run.densityGcm3} g/cm³) → ${frames.length} frames\n`);
  });
}

main();
