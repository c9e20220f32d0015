/**
 * Chemical symbols and the check that a species name is one.
 * Index 0 is 'X', ASE's dummy atom (a ghost site without a nucleus, e.g. a Wannier centre): it is accepted by the
 * readers, as ASE accepts it, and is a species like any other for the model; every other name must be an element
 * symbol (after ASE's capitalisation 'CL' → 'Cl'), so typos such as 'Xx', 'Sl' or 'Cl7' are refused, not trained on.
 */
import { clip, parseError } from './text.js';

/** Chemical symbols by atomic number (index 0 = 'X', a dummy atom, as in ASE's `chemical_symbols`). */
export const CHEMICAL_SYMBOLS: readonly string[] = (
  'X H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr ' +
  'Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb Lu ' +
  'Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No Lr ' +
  'Rf Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv Ts Og'
).split(' ');

const Z_OF = new Map(CHEMICAL_SYMBOLS.map((s, z) => [s, z]));

export function atomicNumber(symbol: string): number | undefined {
  return Z_OF.get(symbol);
}

/** Python's str.capitalize(): first character upper case, the rest lower case ('CL' → 'Cl'), as ASE applies to species. */
export function capitalize(s: string): string {
  return s.length === 0 ? s : s[0].toUpperCase() + s.slice(1).toLowerCase();
}

/** `symbol` if it is a chemical symbol (or 'X'), else a PARSE error at file:line naming the bad name. */
export function checkElement(symbol: string, file: string, line: number, field: string, raw = symbol): string {
  if (Z_OF.has(symbol)) return symbol;
  const hint = /\d/.test(symbol) ? ' (digits are not part of an element symbol)' : '';
  throw parseError(`'${clip(raw)}' is not a chemical element symbol${hint}: expected a symbol such as H, Na or Cl ('X' is allowed as ASE's dummy atom)`, file, line, field);
}
