/**
 * CP2K input for one frame: a single-point ENERGY_FORCE with analytical stress, for two methods.
 *
 * - `gfn1-xtb`: GFN1-xTB (Grimme, Bannwarth, Shushkov, JCTC 13, 1989 (2017)) in CP2K's Quickstep, with the SCF settings
 *   that converge on ionic liquids here (../shared/DESIGN.md § Conventions): `CHECK_ATOMIC_CHARGES F`, `DO_EWALD T`
 *   (CP2K's default SPME parameters), `SCF_GUESS MOPAC`, `EPS_SCF 1e-6`, Fermi–Dirac smearing at 300 K with
 *   `ADDED_MOS 20`, Broyden mixing `ALPHA 0.1`, `NBROYDEN 8`.
 * - `pbe`: PBE, GPW at 400 Ry (REL_CUTOFF 50), Γ point, soft Na `GTH-PBE-q1` + `TZVP-MOLOPT-PBE-GTH-q1` and Cl
 *   `GTH-PBE-q7` + `DZVP-MOLOPT-PBE-GTH-q7` (Debian cp2k-data files `BASIS_MOLOPT_UZH`, `POTENTIAL_UZH`), orbital
 *   transformation (OT, DIIS, FULL_SINGLE_INVERSE), `EPS_SCF 1e-6`. When `restartWfnPath` is given the SCF starts
 *   from that wavefunction (`SCF_GUESS RESTART`; CP2K falls back to the atomic guess if the file is missing).
 *   Semicore Na-q9 is deliberately not offered: its forces are not converged even at 1200 Ry (issue 9).
 *
 * Positions and cell are written in Å (CP2K's default input unit); the cell rows are the lattice vectors A, B, C.
 * Only fully periodic structures are accepted.
 *
 * With `md` the same force field drives CP2K's own molecular dynamics instead (`RUN_TYPE MD`, NVT with the CSVR
 * (Bussi–Donadio–Parrinello) thermostat, initial velocities drawn by CP2K at the target temperature from `&GLOBAL
 * SEED`): no stress, no per-step force table in the main output; positions (`cp2k-pos-1.xyz`, Å), forces
 * (`cp2k-frc-1.xyz`, Hartree/Bohr) and the restart file (`cp2k-1.restart`) are written every `printEvery` steps and
 * the energies (`cp2k-1.ener`) every step. `md.restartFile` resumes a run from CP2K's restart file (`&EXT_RESTART`,
 * counters included). `steps` is CP2K's `STEPS`, the steps of this run: a restarted run does that many more steps
 * after the restart step (checked with CP2K 2023.1), so resuming to a total of T steps takes T − STEP_START_VAL.
 */
import { FarfieldError, type Structure } from '../../core/index.js';

export type Cp2kMethod = 'gfn1-xtb' | 'pbe';
export const CP2K_METHODS: readonly Cp2kMethod[] = ['gfn1-xtb', 'pbe'];

/** CP2K's project name: output files are `cp2k-*`, the wavefunction `cp2k-RESTART.wfn`. */
export const CP2K_PROJECT = 'cp2k';

export interface Cp2kInputOptions {
  method: Cp2kMethod;
  /** PBE only: wavefunction file to start the SCF from (absolute path or relative to the run directory). */
  restartWfnPath?: string;
  /** PBE only: basis for Cl ('DZVP' default, or 'TZVP'). */
  chlorineBasis?: 'DZVP' | 'TZVP';
  /** PBE only: density cutoff, Ry (default 400). */
  cutoffRy?: number;
  /** Maximum SCF iterations (default 200 for xTB, 100 for PBE). */
  maxScf?: number;
  /** SCF convergence threshold (default 1e-6; tests use tighter values for finite differences). */
  epsScf?: number;
  /** PBE only: Monkhorst–Pack k-point mesh (default Γ only). With k-points the SCF uses diagonalization with
   *  Broyden mixing instead of OT (CP2K's OT is Γ-only). For small cells, e.g. the lattice-constant check. */
  kpoints?: [number, number, number];
  /** Run CP2K's NVT molecular dynamics instead of a single point (see the module comment). */
  md?: Cp2kMdOptions;
}

export interface Cp2kMdOptions {
  /** MD steps of this run (CP2K `STEPS`; after a restart, steps beyond the restart step). */
  steps: number;
  timestepFs: number;
  temperatureK: number;
  /** CSVR thermostat time constant, fs. */
  thermostatTimeConstantFs: number;
  /** CP2K's `&GLOBAL SEED` (initial velocities and thermostat noise). */
  seed: number;
  /** Positions, forces and restart file every this many steps. */
  printEvery: number;
  /** CP2K restart file to continue from (`&EXT_RESTART`). */
  restartFile?: string;
}

function positiveInt(x: number, what: string): number {
  if (!Number.isInteger(x) || x <= 0) throw new FarfieldError('INVALID_INPUT', `CP2K MD: ${what} must be a positive integer, got ${x}`);
  return x;
}

function positive(x: number, what: string): number {
  if (!(Number.isFinite(x) && x > 0)) throw new FarfieldError('INVALID_INPUT', `CP2K MD: ${what} must be positive, got ${x}`);
  return x;
}

function motion(md: Cp2kMdOptions): string[] {
  const every = positiveInt(md.printEvery, 'printEvery');
  const each = ['      &EACH', `        MD ${every}`, '      &END EACH'];
  return ['&MOTION', '  &MD', '    ENSEMBLE NVT', `    STEPS ${positiveInt(md.steps, 'steps')}`,
    `    TIMESTEP ${positive(md.timestepFs, 'timestepFs')}`, `    TEMPERATURE ${positive(md.temperatureK, 'temperatureK')}`,
    '    &THERMOSTAT', '      TYPE CSVR', '      REGION GLOBAL', '      &CSVR',
    `        TIMECON ${positive(md.thermostatTimeConstantFs, 'thermostatTimeConstantFs')}`, '      &END CSVR',
    '    &END THERMOSTAT', '  &END MD', '  &PRINT',
    '    &TRAJECTORY', '      FORMAT XYZ', ...each, '    &END TRAJECTORY',
    '    &FORCES', '      FORMAT XYZ', ...each, '    &END FORCES',
    '    &VELOCITIES OFF', '    &END VELOCITIES',
    '    &RESTART', '      BACKUP_COPIES 0', ...each, '    &END RESTART',
    '    &RESTART_HISTORY OFF', '    &END RESTART_HISTORY',
    '  &END PRINT', '&END MOTION',
    ...(md.restartFile ? ['&EXT_RESTART', `  RESTART_FILE_NAME ${md.restartFile}`, '&END EXT_RESTART'] : [])];
}

/** Basis and pseudopotential per element for the PBE setup (q1 Na, q7 Cl). */
export const PBE_KINDS: Readonly<Record<string, { basis: (cl: 'DZVP' | 'TZVP') => string; potential: string }>> = {
  Na: { basis: () => 'TZVP-MOLOPT-PBE-GTH-q1', potential: 'GTH-PBE-q1' },
  Cl: { basis: (cl) => `${cl}-MOLOPT-PBE-GTH-q7`, potential: 'GTH-PBE-q7' },
};

function num(x: number): string {
  return x.toFixed(10);
}

function subsys(s: Structure, kinds: string[]): string[] {
  const c = s.cell;
  const lines = ['  &SUBSYS', '    &CELL',
    `      A ${num(c[0])} ${num(c[1])} ${num(c[2])}`,
    `      B ${num(c[3])} ${num(c[4])} ${num(c[5])}`,
    `      C ${num(c[6])} ${num(c[7])} ${num(c[8])}`,
    '      PERIODIC XYZ', '    &END CELL', '    &COORD'];
  for (let i = 0; i < s.species.length; i++)
    lines.push(`      ${s.symbols[s.species[i]]} ${num(s.positions[3 * i])} ${num(s.positions[3 * i + 1])} ${num(s.positions[3 * i + 2])}`);
  lines.push('    &END COORD', ...kinds, '  &END SUBSYS');
  return lines;
}

/** The complete CP2K input text for one frame. */
export function cp2kInput(s: Structure, options: Cp2kInputOptions): string {
  if (!(s.pbc[0] && s.pbc[1] && s.pbc[2]))
    throw new FarfieldError('INVALID_INPUT', `CP2K labelling needs a fully periodic structure (pbc = ${s.pbc.join(' ')})`);
  const md = options.md;
  const head = ['&GLOBAL', `  PROJECT ${CP2K_PROJECT}`, `  RUN_TYPE ${md ? 'MD' : 'ENERGY_FORCE'}`, '  PRINT_LEVEL LOW',
    ...(md ? [`  SEED ${positiveInt(md.seed, 'seed')}`] : []), '&END GLOBAL',
    '&FORCE_EVAL', '  METHOD Quickstep', ...(md ? [] : ['  STRESS_TENSOR ANALYTICAL'])];
  const print = md ? [] : ['  &PRINT', '    &FORCES ON', '    &END FORCES', '    &STRESS_TENSOR ON', '    &END STRESS_TENSOR', '  &END PRINT'];
  let dft: string[];
  let kinds: string[] = [];
  if (options.method === 'gfn1-xtb') {
    dft = ['  &DFT', '    CHARGE 0', '    &QS', '      METHOD xTB', '      &xTB', '        CHECK_ATOMIC_CHARGES F',
      '        DO_EWALD T', '      &END xTB', '    &END QS', '    &SCF', '      SCF_GUESS MOPAC', `      EPS_SCF ${(options.epsScf ?? 1e-6).toExponential(1)}`,
      `      MAX_SCF ${options.maxScf ?? 200}`, '      ADDED_MOS 20', '      &SMEAR ON', '        METHOD FERMI_DIRAC',
      '        ELECTRONIC_TEMPERATURE [K] 300', '      &END SMEAR', '      &MIXING', '        METHOD BROYDEN_MIXING',
      '        ALPHA 0.1', '        NBROYDEN 8', '      &END MIXING', '      &PRINT', '        &RESTART OFF',
      '        &END RESTART', '      &END PRINT', '    &END SCF', '  &END DFT'];
  } else if (options.method === 'pbe') {
    const cl = options.chlorineBasis ?? 'DZVP';
    for (const sym of s.symbols) {
      const k = PBE_KINDS[sym];
      if (!k) throw new FarfieldError('UNSUPPORTED', `CP2K PBE setup has no basis/pseudopotential for element '${sym}' (only Na, Cl)`);
      kinds.push(`    &KIND ${sym}`, `      BASIS_SET ${k.basis(cl)}`, `      POTENTIAL ${k.potential}`, '    &END KIND');
    }
    const restart = options.restartWfnPath;
    dft = ['  &DFT', '    BASIS_SET_FILE_NAME BASIS_MOLOPT_UZH', '    POTENTIAL_FILE_NAME POTENTIAL_UZH', '    CHARGE 0',
      ...(restart ? [`    WFN_RESTART_FILE_NAME ${restart}`] : []),
      '    &MGRID', `      CUTOFF ${options.cutoffRy ?? 400}`, '      REL_CUTOFF 50', '    &END MGRID',
      '    &QS', '      EPS_DEFAULT 1.0E-12', '    &END QS',
      '    &SCF', `      SCF_GUESS ${restart ? 'RESTART' : 'ATOMIC'}`, `      EPS_SCF ${(options.epsScf ?? 1e-6).toExponential(1)}`, `      MAX_SCF ${options.maxScf ?? 100}`,
      ...(options.kpoints
        ? ['      &DIAGONALIZATION ON', '        ALGORITHM STANDARD', '      &END DIAGONALIZATION', '      &MIXING',
           '        METHOD BROYDEN_MIXING', '        ALPHA 0.4', '        NBROYDEN 8', '      &END MIXING']
        : ['      &OT ON', '        MINIMIZER DIIS', '        PRECONDITIONER FULL_SINGLE_INVERSE', '      &END OT']),
      '      &PRINT', '        &RESTART ON', '          BACKUP_COPIES 0', '        &END RESTART', '      &END PRINT',
      '    &END SCF', '    &XC', '      &XC_FUNCTIONAL PBE', '      &END XC_FUNCTIONAL', '    &END XC',
      ...(options.kpoints
        ? ['    &KPOINTS', `      SCHEME MONKHORST-PACK ${options.kpoints.join(' ')}`, '      SYMMETRY OFF', '      FULL_GRID OFF', '    &END KPOINTS']
        : []),
      '  &END DFT'];
  } else {
    throw new FarfieldError('INVALID_INPUT', `unknown CP2K method '${String(options.method)}' (known: ${CP2K_METHODS.join(', ')})`);
  }
  return [...head, ...dft, ...subsys(s, kinds), ...print, '&END FORCE_EVAL', ...(md ? motion(md) : []), ''].join('\n');
}
