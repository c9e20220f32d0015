/**
 * The Calculator contract (ASE's best idea): anything that gives energy, forces and stress for a Structure.
 * Models, reference potentials and the electrostatics engine implement it; MD and the CLI use nothing else.
 */
import type { Structure } from './structure.js';

export interface CalculateOptions {
  /** Compute forces (default true). */
  forces?: boolean;
  /** Compute the stress tensor (default true for fully periodic structures). */
  stress?: boolean;
  /** Compute the model's uncertainty estimate, where the calculator has one. */
  uncertainty?: boolean;
  /** With `uncertainty`: also the per-atom force uncertainty (default true; false keeps only the cheap energy σ). */
  forceUncertainty?: boolean;
}

export interface CalculationResult {
  /** Total energy, eV. */
  energyEv: number;
  /** Forces, eV/Å, Float64Array(3N). */
  forcesEvPerA?: Float64Array;
  /** Stress, eV/Å³, 3×3 row-major, ASE sign (positive = tensile) = (1/V) ∂E/∂ε. */
  stressEvPerA3?: Float64Array;
  /** Per-atom energies, eV, where the calculator defines them. */
  energiesEv?: Float64Array;
  /** Per-atom charges, e, where the calculator predicts them (learned-charge models). */
  charges?: Float64Array;
  /** Uncertainty estimates (standard deviations). */
  uncertainty?: {
    /** σ of the total energy, eV. */
    energyEv?: number;
    /** σ of each per-atom energy, eV (the point estimate when `energiesBoundsEv` is given). */
    energiesEv?: Float64Array;
    /**
     * Rigorous lower and upper bounds on each per-atom energy σ and on the total's, eV, when the calculator
     * approximates the energy σ (kernel model with `energyUncertaintyOptions.directions`, model/energyBounds.ts).
     */
    energiesBoundsEv?: { lower: Float64Array; upper: Float64Array; totalLower: number; totalUpper: number };
    /** σ of each Cartesian force component, eV/Å, Float64Array(3N). */
    forcesEvPerA?: Float64Array;
    /** Largest per-atom norm of the force σ vector, max_i √(σ²_ix + σ²_iy + σ²_iz), eV/Å ("Bayesian error" of the step). */
    maxForceEvPerA?: number;
  };
}

export interface Calculator {
  readonly name: string;
  calculate(structure: Structure, options?: CalculateOptions): CalculationResult;
}
