/**
 * Madelung crystals of science.md §3.5 (geometry, charges, nearest cation–anion distance d, |z+ z−|, and the
 * constant M with E per formula unit = −M |z+z−| k_e / d). Literature: OEIS A085469 (NaCl 1.747564594633…),
 * OEIS A181152 (CsCl 1.76267477307…), CRC Handbook (ZnS 1.63806, wurtzite 1.64132, CaF₂ 2.51939);
 * rutile: value of science.md for this exact geometry (parameter dependent; CRC 2.408 for another u).
 */
import { makeStructure, type Structure } from '../../src/core/index.js';

export interface Crystal {
  name: string;
  structure: Structure;
  charges: Float64Array;
  /** Nearest cation–anion distance, Å. */
  d: number;
  zz: number;
  formulaUnits: number;
  madelung: number;
  /** Digits trusted in `madelung` (relative tolerance to test against). */
  tolerance: number;
}

function fcc(a: number): number[][] {
  return [[0, 0, 0], [0, a / 2, a / 2], [a / 2, 0, a / 2], [a / 2, a / 2, 0]];
}

function build(name: string, cell: number[][], cations: number[][], anions: number[][], zc: number, za: number, d: number, madelung: number, tolerance: number): Crystal {
  const positions = [...cations, ...anions];
  const symbols = [...cations.map(() => 'A'), ...anions.map(() => 'B')];
  const charges = Float64Array.from([...cations.map(() => zc), ...anions.map(() => za)]);
  const fu = Math.min(cations.length, anions.length) === cations.length && za * anions.length === -zc * cations.length ? cations.length : 0;
  return { name, structure: makeStructure({ symbols, positions, cell }), charges, d, zz: Math.abs(zc * za), formulaUnits: fu, madelung, tolerance };
}

const shift = (p: number[][], s: number[]): number[][] => p.map((x) => [x[0] + s[0], x[1] + s[1], x[2] + s[2]]);

/** All crystals at lattice scaling `scale` (1 = the geometry of science.md with a = 1 Å units unless stated). */
export function madelungCrystals(scale = 1): Crystal[] {
  const out: Crystal[] = [];
  let a = 5.64 * scale;
  out.push(build('NaCl conventional', [[a, 0, 0], [0, a, 0], [0, 0, a]], fcc(a), shift(fcc(a), [a / 2, 0, 0]), 1, -1, a / 2, 1.747564594633182, 1e-12));
  out.push(build('NaCl primitive', [[0, a / 2, a / 2], [a / 2, 0, a / 2], [a / 2, a / 2, 0]], [[0, 0, 0]], [[a / 2, 0, 0]], 1, -1, a / 2, 1.747564594633182, 1e-12));
  a = 4.12 * scale;
  out.push(build('CsCl', [[a, 0, 0], [0, a, 0], [0, 0, a]], [[0, 0, 0]], [[a / 2, a / 2, a / 2]], 1, -1, (Math.sqrt(3) * a) / 2, 1.76267477307099, 1e-11));
  a = 5.41 * scale;
  out.push(build('zincblende', [[a, 0, 0], [0, a, 0], [0, 0, a]], fcc(a), shift(fcc(a), [a / 4, a / 4, a / 4]), 2, -2, (Math.sqrt(3) * a) / 4, 1.6380550534, 1e-9));
  a = 3.2 * scale;
  const c = Math.sqrt(8 / 3) * a, u = 3 / 8;
  const wz = [[a, 0, 0], [-a / 2, (Math.sqrt(3) * a) / 2, 0], [0, 0, c]];
  const frac = (f: number[]): number[] => [0, 1, 2].map((k) => f[0] * wz[0][k] + f[1] * wz[1][k] + f[2] * wz[2][k]);
  out.push(build('wurtzite', wz, [frac([1 / 3, 2 / 3, 0]), frac([2 / 3, 1 / 3, 0.5])], [frac([1 / 3, 2 / 3, u]), frac([2 / 3, 1 / 3, 0.5 + u])], 1, -1, u * c, 1.6413216, 1e-7));
  a = 5.463 * scale;
  out.push(build('fluorite', [[a, 0, 0], [0, a, 0], [0, 0, a]], fcc(a), [...shift(fcc(a), [a / 4, a / 4, a / 4]), ...shift(fcc(a), [(3 * a) / 4, (3 * a) / 4, (3 * a) / 4])], 2, -1, (Math.sqrt(3) * a) / 4, 2.5193924, 1e-7));
  const ra = 4.5937 * scale, rc = 2.9587 * scale, ru = 0.30478;
  const rutile = build('rutile', [[ra, 0, 0], [0, ra, 0], [0, 0, rc]], [[0, 0, 0], [ra / 2, ra / 2, rc / 2]],
    [[ru * ra, ru * ra, 0], [(1 - ru) * ra, (1 - ru) * ra, 0], [(0.5 + ru) * ra, (0.5 - ru) * ra, rc / 2], [(0.5 - ru) * ra, (0.5 + ru) * ra, rc / 2]],
    4, -2, Math.sqrt(2 * ((0.5 - ru) * ra) ** 2 + (rc / 2) ** 2), 2.3880885, 1e-7);
  out.push(rutile);
  for (const x of out) if (x.name === 'fluorite' || x.name === 'rutile') x.formulaUnits = x.name === 'fluorite' ? 4 : 2;
  return out;
}

/** Madelung constant from a total energy: M = −E d / (n_fu |z+z−| k_e). */
export function madelungFromEnergy(x: Crystal, energyEv: number, ke: number): number {
  return (-energyEv * x.d) / (x.formulaUnits * x.zz * ke);
}
