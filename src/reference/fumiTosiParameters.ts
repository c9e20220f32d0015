/**
 * Born–Mayer–Huggins ("Fumi–Tosi") parameters for NaCl, in LAMMPS `pair_style born` form
 *   E(r) = A·exp((σ − r)/ρ) − C/r⁶ + D/r⁸,   A eV, ρ Å, σ Å, C eV·Å⁶, D eV·Å⁸,
 * with formal charges Na +1, Cl −1 (Coulomb added separately, Ewald).
 *
 * This is the parameter set common in LAMMPS inputs (and used by the shared fixture nacl-melt-64.xyz). It derives
 * from F. G. Fumi, M. P. Tosi, J. Phys. Chem. Solids 25, 31 (1964) and M. P. Tosi, F. G. Fumi, ibid. 25, 45 (1964);
 * its Cl–Cl C and D are about 3.7 % larger than the 1964 standard values (a 2.5 meV/ion difference in the crystal
 * energy). Short-range cutoff 6.0 Å, truncated without shift — as in the fixture.
 */
export interface BornPair {
  /** Species pair, alphabetical (e.g. 'Cl-Na'). */
  a: string;
  b: string;
  aEv: number;
  rhoA: number;
  sigmaA: number;
  cEvA6: number;
  dEvA8: number;
}

export const FUMI_TOSI_NACL_LAMMPS: readonly BornPair[] = [
  { a: 'Na', b: 'Na', aEv: 0.2637, rhoA: 0.317, sigmaA: 2.34, cEvA6: 1.0486, dEvA8: -0.4993 },
  { a: 'Na', b: 'Cl', aEv: 0.211, rhoA: 0.317, sigmaA: 2.755, cEvA6: 6.9906, dEvA8: -8.6758 },
  { a: 'Cl', b: 'Cl', aEv: 0.1582, rhoA: 0.317, sigmaA: 3.17, cEvA6: 75.054, dEvA8: -150.7325 },
];

export const FUMI_TOSI_NACL_CHARGES: Readonly<Record<string, number>> = { Na: 1, Cl: -1 };

/** Short-range cutoff of the LAMMPS set, Å (energy truncated, not shifted). */
export const FUMI_TOSI_NACL_CUTOFF_A = 6.0;
