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
