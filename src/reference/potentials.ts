/**
 * The project's reference potentials (each a core Calculator with energy, forces and stress):
 *
 * - `pointCharges(charges)`: bare point charges, Ewald/PME with tin-foil boundary — the toy model of science.md §4.8.
 * - `fumiTosiNaCl()`: Born–Mayer–Huggins ("Fumi–Tosi") NaCl with formal charges ±1, exactly the LAMMPS parameter set of
 *   fumiTosiParameters.ts (the set of the shared fixture nacl-melt-64.xyz), short-range cutoff 6.0 Å, no shift.
 * - `buckinghamZrO2()`: Buckingham + Coulomb rigid-ion zirconia with formal charges Zr +4, O −2 and the short-range
 *   parameters of the classic zirconia shell model: Zr–O A = 985.869 eV, ρ = 0.3760 Å, C = 0 (Dwivedi & Cormack,
 *   Philos. Mag. A 61, 1 (1990)); O–O A = 22764.3 eV, ρ = 0.1490 Å, C = 27.89 eV·Å⁶ (Lewis & Catlow,
 *   J. Phys. C 18, 1149 (1985)); no Zr–Zr short-range term. Here the shells are dropped (rigid ions, formal charges), an
 *   approximation common in MD of zirconia; it is for MD tests, not for labels. Cutoff 10 Å, no shift.
 *   (Values as distributed with GULP inputs; the rigid-ion use is our choice, not the papers'.)
 *   Beware the Buckingham catastrophe: O–O φ → −∞ below ≈ 0.6 Å, irrelevant at ordinary temperatures.
 */
import type { Calculator } from '../core/index.js';
import { ElectrostaticsCalculator, type SolverParameters, type TuneOptions } from '../electrostatics/index.js';
import { FUMI_TOSI_NACL_CHARGES, FUMI_TOSI_NACL_CUTOFF_A, FUMI_TOSI_NACL_LAMMPS } from './fumiTosiParameters.js';
import { RigidIonCalculator, type BornPairParameters } from './rigidIon.js';

export interface ReferencePotentialOptions {
  /** Electrostatics accuracy / solver (default relative accuracy 1e-8, automatic method). */
  electrostatics?: TuneOptions;
  /** Fixed solver parameters (skip tuning). */
  electrostaticsParameters?: SolverParameters;
  /** Rigid-ion potentials: shift pair energies to zero at the cutoff (continuous energy for MD; default false). */
  shift?: boolean;
  /** Rigid-ion potentials: Coulomb parameters tuned on every call ('always', default) or once per cell ('cell': MD). */
  retune?: 'always' | 'cell';
}

/** Point charges per species (e), Coulomb only. */
export function pointCharges(charges: Readonly<Record<string, number>>, options: ReferencePotentialOptions = {}): Calculator {
  const calc = new ElectrostaticsCalculator({
    charges: { ...charges }, accuracy: 1e-8, ...(options.electrostatics ?? {}),
    ...(options.electrostaticsParameters ? { parameters: options.electrostaticsParameters } : {}),
  });
  return { name: 'point-charges', calculate: (s, o) => calc.calculate(s, o) };
}

export function fumiTosiNaCl(options: ReferencePotentialOptions = {}): RigidIonCalculator {
  return new RigidIonCalculator({
    name: 'fumi-tosi-nacl', pairs: FUMI_TOSI_NACL_LAMMPS, cutoffA: FUMI_TOSI_NACL_CUTOFF_A, charges: FUMI_TOSI_NACL_CHARGES, ...options,
  });
}

export const BUCKINGHAM_ZRO2: readonly BornPairParameters[] = [
  { a: 'Zr', b: 'O', aEv: 985.869, rhoA: 0.376, sigmaA: 0, cEvA6: 0, dEvA8: 0 },
  { a: 'O', b: 'O', aEv: 22764.3, rhoA: 0.149, sigmaA: 0, cEvA6: 27.89, dEvA8: 0 },
  { a: 'Zr', b: 'Zr', aEv: 0, rhoA: 1, sigmaA: 0, cEvA6: 0, dEvA8: 0 },
];
export const BUCKINGHAM_ZRO2_CHARGES: Readonly<Record<string, number>> = { Zr: 4, O: -2 };
export const BUCKINGHAM_ZRO2_CUTOFF_A = 10.0;

export function buckinghamZrO2(options: ReferencePotentialOptions = {}): RigidIonCalculator {
  return new RigidIonCalculator({
    name: 'buckingham-zro2', pairs: BUCKINGHAM_ZRO2, cutoffA: BUCKINGHAM_ZRO2_CUTOFF_A, charges: BUCKINGHAM_ZRO2_CHARGES, ...options,
  });
}
