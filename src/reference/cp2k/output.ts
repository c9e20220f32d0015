/**
 * Parser for a CP2K (2023.x) single-point output file (`cp2k.psmp -o out.out`).
 *
 * Read, each from its LAST occurrence in the file:
 *  - `ENERGY| Total FORCE_EVAL ( QS ) energy [a.u.]:` → energy, Hartree → eV (× HARTREE_EV).
 *  - `ATOMIC FORCES in [a.u.]` table (`# Atom Kind Element X Y Z`, one row per atom, in input order) → forces,
 *    Hartree/Bohr → eV/Å (× HARTREE_EV / BOHR_A). CP2K prints forces (−∂E/∂r), not gradients: checked by finite
 *    differences of the energy in test/reference/cp2k-label.test.ts (runs when cp2k.psmp is installed).
 *  - `STRESS| Analytical stress tensor [GPa]` 3×3 block → stress. CP2K prints it pressure-like (positive =
 *    compressed); ASE's sign is tensile-positive, so stress[eV/Å³] = −printed[GPa] / EV_PER_A3_IN_GPA (160.21766208).
 *  - SCF status: converged iff a `*** SCF run converged in N steps ***` line exists and no `SCF run NOT converged`
 *    line follows it; N is reported as `scfSteps`.
 *  - `CP2K| version string:` and whether the run reached `PROGRAM ENDED AT`.
 * Hartree and Bohr are CODATA 2018, the values CP2K 2023 uses itself.
 */
import { BOHR_A, EV_PER_A3_IN_GPA, FarfieldError, HARTREE_EV } from '../../core/index.js';

export interface Cp2kResult {
  energyEv: number;
  /** Forces, eV/Å, 3N. */
  forcesEvPerA: Float64Array;
  /** Element symbols of the force table, in order (to check against the input). */
  forceSymbols: string[];
  /** Stress, eV/Å³, 3×3 row-major, ASE sign; absent if not printed. */
  stressEvPerA3?: Float64Array;
  scfConverged: boolean;
  /** SCF iterations of the (last) converged SCF; undefined when not converged. */
  scfSteps?: number;
  version?: string;
  /** The run printed `PROGRAM ENDED AT` (finished normally). */
  finished: boolean;
  /** `*** WARNING ...` lines. */
  warnings: string[];
}

const FORCE_FACTOR = HARTREE_EV / BOHR_A;

function lastIndexOfLine(lines: string[], pred: (l: string) => boolean): number {
  for (let i = lines.length - 1; i >= 0; i--) if (pred(lines[i])) return i;
  return -1;
}

function real(tok: string | undefined, file: string | undefined, line: number, field: string): number {
  const x = tok === undefined ? NaN : Number(tok);
  if (!Number.isFinite(x)) throw new FarfieldError('PARSE', `expected a number, got '${tok ?? ''}'`, { file, line: line + 1, field });
  return x;
}

/** Parse a CP2K output text. Throws FarfieldError('PARSE') when energy or forces are missing or malformed. */
export function parseCp2kOutput(text: string, file?: string): Cp2kResult {
  const lines = text.split(/\r?\n/);
  const iE = lastIndexOfLine(lines, (l) => l.includes('ENERGY| Total FORCE_EVAL'));
  if (iE < 0) throw new FarfieldError('PARSE', 'no "ENERGY| Total FORCE_EVAL" line: CP2K did not finish the energy', { file });
  const eTok = lines[iE].trim().split(/\s+/).pop();
  const energyEv = real(eTok, file, iE, 'energy') * HARTREE_EV;

  const iF = lastIndexOfLine(lines, (l) => l.trim().startsWith('ATOMIC FORCES in [a.u.]'));
  if (iF < 0) throw new FarfieldError('PARSE', 'no "ATOMIC FORCES in [a.u.]" table (is &PRINT &FORCES ON set?)', { file });
  const forces: number[] = [];
  const forceSymbols: string[] = [];
  let k = iF + 1;
  while (k < lines.length && !lines[k].trim().startsWith('# Atom')) k++;
  if (k >= lines.length) throw new FarfieldError('PARSE', 'force table has no "# Atom" header', { file, line: iF + 1 });
  for (k++; k < lines.length; k++) {
    const t = lines[k].trim();
    if (t === '' || t.startsWith('SUM OF ATOMIC FORCES')) break;
    const tok = t.split(/\s+/);
    if (tok.length !== 6) throw new FarfieldError('PARSE', `force row has ${tok.length} fields, expected 6`, { file, line: k + 1, field: 'forces' });
    const idx = real(tok[0], file, k, 'atom index');
    if (idx !== forceSymbols.length + 1) throw new FarfieldError('PARSE', `force rows out of order: atom ${idx}, expected ${forceSymbols.length + 1}`, { file, line: k + 1 });
    forceSymbols.push(tok[2]);
    for (let d = 0; d < 3; d++) forces.push(real(tok[3 + d], file, k, 'forces') * FORCE_FACTOR);
  }
  if (forceSymbols.length === 0) throw new FarfieldError('PARSE', 'force table is empty', { file, line: iF + 1 });

  let stressEvPerA3: Float64Array | undefined;
  const iS = lastIndexOfLine(lines, (l) => l.includes('STRESS| Analytical stress tensor [GPa]'));
  if (iS >= 0) {
    stressEvPerA3 = new Float64Array(9);
    for (let r = 0; r < 3; r++) {
      const li = iS + 2 + r;
      const tok = (lines[li] ?? '').trim().split(/\s+/);
      if (tok.length !== 5 || tok[0] !== 'STRESS|' || tok[1] !== 'xyz'[r])
        throw new FarfieldError('PARSE', `malformed stress row '${(lines[li] ?? '').trim()}'`, { file, line: li + 1, field: 'stress' });
      for (let c = 0; c < 3; c++) stressEvPerA3[3 * r + c] = -real(tok[2 + c], file, li, 'stress') / EV_PER_A3_IN_GPA;
    }
  }

  const iConv = lastIndexOfLine(lines, (l) => /\*\*\* SCF run converged in\s+\d+\s+steps/.test(l));
  const iNot = lastIndexOfLine(lines, (l) => /SCF run NOT converged/.test(l));
  const scfConverged = iConv >= 0 && iNot < iConv;
  const scfSteps = scfConverged ? Number(/converged in\s+(\d+)/.exec(lines[iConv])![1]) : undefined;
  const iV = lines.findIndex((l) => l.includes('CP2K| version string:'));
  const version = iV >= 0 ? lines[iV].split('version string:')[1].trim() : undefined;
  const finished = lines.some((l) => l.includes('PROGRAM ENDED AT'));
  const warnings = lines.filter((l) => l.includes('*** WARNING')).map((l) => l.trim());
  const res: Cp2kResult = { energyEv, forcesEvPerA: Float64Array.from(forces), forceSymbols, scfConverged, finished, warnings };
  if (stressEvPerA3) res.stressEvPerA3 = stressEvPerA3;
  if (scfSteps !== undefined) res.scfSteps = scfSteps;
  if (version !== undefined) res.version = version;
  return res;
}

/** |Σ_i F_i| / N, eV/Å — the quality-gate figure (zero for an exact, translation-invariant calculation). */
export function netForcePerAtom(forcesEvPerA: Float64Array): number {
  let x = 0, y = 0, z = 0;
  for (let k = 0; k < forcesEvPerA.length; k += 3) {
    x += forcesEvPerA[k];
    y += forcesEvPerA[k + 1];
    z += forcesEvPerA[k + 2];
  }
  return Math.hypot(x, y, z) / (forcesEvPerA.length / 3);
}
