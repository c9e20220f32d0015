/**
 * api: electrostatics verbs — `parseChargeSpec` (CLI-style "Na=1,Cl=-1"), `runEwald` (energy, forces, stress and
 * the parameters used, for one structure; what `farfield ewald` prints), and `madelungTable` (used by the demo).
 */
import { COULOMB_EV_A, FarfieldError, makeStructure, type Structure } from '../core/index.js';
import {
  ElectrostaticsCalculator, chargesOf, computeElectrostatics, coulombKernel, describeParameters, tuneElectrostatics,
  type ElectrostaticsCalculatorOptions, type Method, type TunedParameters,
} from '../electrostatics/index.js';
import { readFrameAt } from './io.js';

/** "Na=1,Cl=-1" → {Na: 1, Cl: −1}. */
export function parseChargeSpec(spec: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of spec.split(',').map((x) => x.trim()).filter(Boolean)) {
    const m = /^([A-Za-z][A-Za-z0-9_]*)\s*=\s*([-+]?[0-9.]+(?:[eE][-+]?\d+)?)$/.exec(part);
    if (!m) throw new FarfieldError('INVALID_INPUT', `--charges: cannot read '${part}' (expected Symbol=charge, e.g. Na=1,Cl=-1)`);
    out[m[1]] = Number(m[2]);
  }
  if (Object.keys(out).length === 0) throw new FarfieldError('INVALID_INPUT', '--charges: no charges given (expected e.g. Na=1,Cl=-1)');
  return out;
}

export interface EwaldOptions {
  /** Charges per species, or the name of a per-atom column ('charges' also reads labels.charges). */
  charges?: Record<string, number>;
  chargesFrom?: string;
  accuracy?: number;
  method?: Method | 'auto';
  /** Frame index in the file (default 0; negative counts from the end, −1 = last). */
  frame?: number;
}

export interface EwaldReport {
  energyEv: number;
  /** N rows of (x, y, z), eV/Å. */
  forcesEvPerA: number[][];
  /** 3×3 rows, eV/Å³ (ASE sign); null without a 3-D periodic cell. */
  stressEvPerA3: number[][] | null;
  /** @deprecated pre-0.2 name of energyEv, kept one release (docs/conventions.md). */
  energy: number;
  /** @deprecated pre-0.2 name of forcesEvPerA. */
  forces: number[][];
  /** @deprecated pre-0.2 name of stressEvPerA3. */
  stress: number[][] | null;
  parameters: TunedParameters;
  atoms: number;
  /** Σ q_i (e); a non-neutral cell is computed with a uniform neutralising background and gets a warning. */
  totalCharge: number;
  /** Frame index used (non-negative), when read from a file. */
  frame?: number;
  /** Messages for the user (stderr in the CLI), e.g. a non-neutral cell. */
  warnings: string[];
}

/** |Σq| above this (relative to max(1, Σ|q|)) counts as a charged cell. */
export const NEUTRALITY_TOLERANCE = 1e-6;

function chargeOption(s: Structure, o: EwaldOptions): ElectrostaticsCalculatorOptions['charges'] {
  if (o.charges && o.chargesFrom) throw new FarfieldError('INVALID_INPUT', 'give either --charges or --charges-from, not both');
  if (o.charges) return o.charges;
  const name = o.chargesFrom ?? 'charges';
  if (s.arrays[name]) return { array: name };
  if (name === 'charges' && s.labels.charges) return 'labels';
  throw new FarfieldError('INVALID_INPUT', `no charges: the structure has no per-atom column '${name}'; give --charges Na=1,Cl=-1 or --charges-from COLUMN`);
}

/** Electrostatic energy (eV), forces (eV/Å), stress (eV/Å³, ASE sign) of one structure. */
export function ewaldStructure(s: Structure, o: EwaldOptions = {}): EwaldReport {
  if (o.method !== undefined && !['auto', 'ewald', 'pme', 'direct'].includes(o.method))
    throw new FarfieldError('INVALID_INPUT', `--method must be auto, ewald, pme or direct, got '${o.method}'`);
  const spec = chargeOption(s, o);
  const q = chargesOf(s, spec);
  const parameters = tuneElectrostatics(s, q, { accuracy: o.accuracy, method: o.method });
  const calc = new ElectrostaticsCalculator({ charges: spec, parameters });
  const r = calc.calculate(s);
  const n = q.length;
  const forces: number[][] = [];
  for (let i = 0; i < n; i++) forces.push([r.forcesEvPerA![3 * i], r.forcesEvPerA![3 * i + 1], r.forcesEvPerA![3 * i + 2]]);
  const st = r.stressEvPerA3;
  const totalCharge = q.reduce((a, b) => a + b, 0);
  const scale = Math.max(1, q.reduce((a, b) => a + Math.abs(b), 0));
  const periodic = s.pbc[0] || s.pbc[1] || s.pbc[2];
  const warnings: string[] = [];
  if (periodic && Math.abs(totalCharge) > NEUTRALITY_TOLERANCE * scale)
    warnings.push(`the cell is not neutral (total charge ${totalCharge.toPrecision(6)} e): a uniform neutralising background is added, so the energy and stress depend on this convention (forces do not)`);
  const stress = st ? [[st[0], st[1], st[2]], [st[3], st[4], st[5]], [st[6], st[7], st[8]]] : null;
  return {
    energyEv: r.energyEv,
    forcesEvPerA: forces,
    stressEvPerA3: stress,
    energy: r.energyEv,
    forces,
    stress,
    parameters,
    atoms: n,
    totalCharge,
    warnings,
  };
}

/** Read one frame of FILE (any registered format; streamed up to that frame, negative indices count from the end)
 * and run `ewaldStructure` on it. */
export async function runEwald(path: string, o: EwaldOptions = {}): Promise<EwaldReport> {
  const at = await readFrameAt(path, o.frame ?? 0);
  return { ...ewaldStructure(at.structure, o), frame: at.index };
}

/** Human-readable report. */
export function formatEwaldReport(r: EwaldReport): string {
  const lines = [`parameters: ${describeParameters(r.parameters)}`, `atoms ${r.atoms}, total charge ${r.totalCharge.toFixed(6)} e`, `energy ${r.energyEv.toFixed(8)} eV`, 'forces (eV/Å):'];
  r.forcesEvPerA.forEach((f, i) => lines.push(`  ${String(i).padStart(5)} ${f.map((x) => x.toFixed(8).padStart(14)).join(' ')}`));
  if (r.stressEvPerA3) {
    lines.push('stress (eV/Å³, positive = tensile):');
    for (const row of r.stressEvPerA3) lines.push('  ' + row.map((x) => x.toExponential(8).padStart(16)).join(' '));
  }
  return lines.join('\n') + '\n';
}

export interface MadelungRow {
  name: string;
  literature: number;
  source: string;
  ewald: number;
  pme: number;
}

function fcc(a: number): number[][] {
  return [[0, 0, 0], [0, a / 2, a / 2], [a / 2, 0, a / 2], [a / 2, a / 2, 0]];
}

/**
 * Madelung constants M (E per formula unit = −M |z+z−| k_e / d) of NaCl, CsCl, zincblende, ideal wurtzite and
 * fluorite by Ewald and PME (accuracy 1e-10) with literature values (science.md §3.5).
 */
export function madelungTable(): MadelungRow[] {
  const rows: MadelungRow[] = [];
  const add = (name: string, cell: number[][], cat: number[][], an: number[][], zc: number, za: number, d: number, fu: number, lit: number, source: string): void => {
    const s = makeStructure({ symbols: [...cat.map(() => 'A'), ...an.map(() => 'B')], positions: [...cat, ...an], cell });
    const q = Float64Array.from([...cat.map(() => zc), ...an.map(() => za)]);
    const m = (method: Method): number => {
      const r = computeElectrostatics(s, q, coulombKernel(), tuneElectrostatics(s, q, { method, accuracy: 1e-10 }), { forces: false, stress: false });
      return (-r.energyEv * d) / (fu * Math.abs(zc * za) * COULOMB_EV_A);
    };
    rows.push({ name, literature: lit, source, ewald: m('ewald'), pme: m('pme') });
  };
  const sh = (p: number[][], v: number[]): number[][] => p.map((x) => [x[0] + v[0], x[1] + v[1], x[2] + v[2]]);
  let a = 5.64;
  add('NaCl (rock salt)', [[0, a / 2, a / 2], [a / 2, 0, a / 2], [a / 2, a / 2, 0]], [[0, 0, 0]], [[a / 2, 0, 0]], 1, -1, a / 2, 1, 1.747564594633, 'OEIS A085469');
  a = 4.12;
  add('CsCl', [[a, 0, 0], [0, a, 0], [0, 0, a]], [[0, 0, 0]], [[a / 2, a / 2, a / 2]], 1, -1, (Math.sqrt(3) * a) / 2, 1, 1.76267477307, 'OEIS A181152');
  a = 5.41;
  add('zincblende', [[a, 0, 0], [0, a, 0], [0, 0, a]], fcc(a), sh(fcc(a), [a / 4, a / 4, a / 4]), 1, -1, (Math.sqrt(3) * a) / 4, 4, 1.63806, 'CRC Handbook');
  a = 3.2;
  const c = Math.sqrt(8 / 3) * a, u = 3 / 8;
  const wz = [[a, 0, 0], [-a / 2, (Math.sqrt(3) * a) / 2, 0], [0, 0, c]];
  const fr = (f: number[]): number[] => [0, 1, 2].map((k) => f[0] * wz[0][k] + f[1] * wz[1][k] + f[2] * wz[2][k]);
  add('wurtzite (ideal)', wz, [fr([1 / 3, 2 / 3, 0]), fr([2 / 3, 1 / 3, 0.5])], [fr([1 / 3, 2 / 3, u]), fr([2 / 3, 1 / 3, 0.5 + u])], 1, -1, u * c, 2, 1.64132, 'CRC Handbook');
  a = 5.463;
  add('fluorite', [[a, 0, 0], [0, a, 0], [0, 0, a]], fcc(a), [...sh(fcc(a), [a / 4, a / 4, a / 4]), ...sh(fcc(a), [(3 * a) / 4, (3 * a) / 4, (3 * a) / 4])], 2, -1, (Math.sqrt(3) * a) / 4, 4, 2.51939, 'CRC Handbook');
  return rows;
}
