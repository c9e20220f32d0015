/**
 * Units and physical constants — the single source for every conversion in farfield.
 *
 * Internal units (ASE's): energy eV, length Å, force eV/Å, stress eV/Å³ (positive = tensile),
 * time fs, mass amu, temperature K, charge e.
 * Values: CODATA 2018 as used by ASE (`ase.units`, CODATA 2014/2018 differ below 1e-8 relative here).
 */

/** Coulomb constant k_e = e²/(4π ε₀) in eV·Å/e². */
export const COULOMB_EV_A = 14.3996454784;
/** Boltzmann constant in eV/K. */
export const BOLTZMANN_EV_PER_K = 8.617333262e-5;
/** 1 Hartree in eV. */
export const HARTREE_EV = 27.211386245988;
/** 1 Bohr in Å. */
export const BOHR_A = 0.529177210903;
/** 1 eV/Å³ in kbar (VASP prints stress in kbar). */
export const EV_PER_A3_IN_KBAR = 1602.1766208;
/** 1 eV/Å³ in GPa. */
export const EV_PER_A3_IN_GPA = 160.21766208;
/** 1 amu in eV·fs²/Å² (so that F/m with F in eV/Å and m in amu gives Å/fs²). */
export const AMU_EV_FS2_PER_A2 = 103.642696562;
/** Avogadro's number, 1/mol. */
export const AVOGADRO = 6.02214076e23;
/** 1 amu in grams. */
export const AMU_G = 1.66053906660e-24;
/** 1 Å³ in cm³. */
export const A3_IN_CM3 = 1e-24;

/** Standard atomic masses (amu) for the elements farfield meets; extend as needed. IUPAC 2013 values as in ASE. */
export const ATOMIC_MASSES_AMU: Readonly<Record<string, number>> = {
  H: 1.008, He: 4.002602, Li: 6.94, Be: 9.0121831, B: 10.81, C: 12.011, N: 14.007, O: 15.999, F: 18.998403163,
  Ne: 20.1797, Na: 22.98976928, Mg: 24.305, Al: 26.9815385, Si: 28.085, P: 30.973761998, S: 32.06, Cl: 35.45,
  Ar: 39.948, K: 39.0983, Ca: 40.078, Sc: 44.955908, Ti: 47.867, V: 50.9415, Cr: 51.9961, Mn: 54.938044,
  Fe: 55.845, Co: 58.933194, Ni: 58.6934, Cu: 63.546, Zn: 65.38, Ga: 69.723, Ge: 72.63, As: 74.921595,
  Se: 78.971, Br: 79.904, Kr: 83.798, Rb: 85.4678, Sr: 87.62, Y: 88.90584, Zr: 91.224, Nb: 92.90637, Mo: 95.95,
  Ru: 101.07, Rh: 102.9055, Pd: 106.42, Ag: 107.8682, Cd: 112.414, In: 114.818, Sn: 118.71, Sb: 121.76,
  Te: 127.6, I: 126.90447, Xe: 131.293, Cs: 132.90545196, Ba: 137.327, La: 138.90547, Ce: 140.116, Hf: 178.49,
  Ta: 180.94788, W: 183.84, Pt: 195.084, Au: 196.966569, Hg: 200.592, Pb: 207.2, Bi: 208.9804, X: 1.0,
};

/** Atomic numbers by symbol (Z). */
export const ATOMIC_NUMBERS: Readonly<Record<string, number>> = (() => {
  const symbols = ['X', 'H', 'He', 'Li', 'Be', 'B', 'C', 'N', 'O', 'F', 'Ne', 'Na', 'Mg', 'Al', 'Si', 'P', 'S', 'Cl',
    'Ar', 'K', 'Ca', 'Sc', 'Ti', 'V', 'Cr', 'Mn', 'Fe', 'Co', 'Ni', 'Cu', 'Zn', 'Ga', 'Ge', 'As', 'Se', 'Br', 'Kr',
    'Rb', 'Sr', 'Y', 'Zr', 'Nb', 'Mo', 'Tc', 'Ru', 'Rh', 'Pd', 'Ag', 'Cd', 'In', 'Sn', 'Sb', 'Te', 'I', 'Xe', 'Cs',
    'Ba', 'La', 'Ce', 'Pr', 'Nd', 'Pm', 'Sm', 'Eu', 'Gd', 'Tb', 'Dy', 'Ho', 'Er', 'Tm', 'Yb', 'Lu', 'Hf', 'Ta', 'W',
    'Re', 'Os', 'Ir', 'Pt', 'Au', 'Hg', 'Tl', 'Pb', 'Bi'];
  const out: Record<string, number> = {};
  symbols.forEach((s, z) => { out[s] = z; });
  return out;
})();

/** Mass of an element in amu; throws a plain Error for an unknown symbol (callers wrap it with context). */
export function atomicMassAmu(symbol: string): number {
  const m = ATOMIC_MASSES_AMU[symbol];
  if (m === undefined) throw new Error(`no standard atomic mass for element '${symbol}'`);
  return m;
}
