/**
 * ElectrostaticsCalculator: the core Calculator contract over the solvers — point (or Gaussian) charges given per
 * species or per atom; parameters tuned per structure from the accuracy unless fixed by the caller.
 * Energy eV, forces eV/Å, stress eV/Å³ (ASE sign); per-atom energies ½ q_i φ_i.
 * Each calculator owns an ElectrostaticsWorkspace (PME plan, influence function, meshes, real-space table) reused
 * from call to call, as along an MD trajectory; two calculators share nothing, and dropping one frees its state.
 * With `retune: 'cell'` the tuned parameters are also kept while the cell, periodicity, atom count and charges stay
 * the same (tuning reads the positions only through its charge-density probe, so they are then those of the first
 * structure of the run instead of the current one; the default 'always' re-tunes every call).
 */
import { FarfieldError, type CalculateOptions, type CalculationResult, type Calculator, type Structure } from '../core/index.js';
import { coulombKernel, type ElectrostaticKernel } from './kernels.js';
import { ElectrostaticsWorkspace, computeElectrostatics, type SolverParameters } from './solve.js';
import { tuneElectrostatics, type TuneOptions, type TunedParameters } from './tune.js';

export interface ElectrostaticsCalculatorOptions extends TuneOptions {
  /** Charges per species symbol (e), or 'labels' = structure.labels.charges, or the name of a per-atom real array. */
  charges: Record<string, number> | 'labels' | { array: string };
  kernel?: ElectrostaticKernel;
  /** Fixed solver parameters (skip tuning; needed for smooth finite differences under strain). */
  parameters?: SolverParameters;
  /** 'always' (default): tune on every call; 'cell': reuse the tuned parameters while cell, pbc, N and charges are unchanged. */
  retune?: 'always' | 'cell';
}

/** Per-atom charges of a structure from the calculator's charge specification. */
export function chargesOf(s: Structure, spec: ElectrostaticsCalculatorOptions['charges']): Float64Array {
  const n = s.species.length;
  if (spec === 'labels') {
    if (!s.labels.charges) throw new FarfieldError('INVALID_INPUT', 'charges: the structure carries no charges label (expected per-atom charges)');
    return s.labels.charges.slice();
  }
  if ('array' in spec && typeof spec.array === 'string') {
    const a = s.arrays[spec.array];
    if (!a || a.type !== 'R' || a.width !== 1)
      throw new FarfieldError('INVALID_INPUT', `charges: per-atom real column '${spec.array}' not found (have: ${Object.keys(s.arrays).join(', ') || 'none'})`);
    return Float64Array.from(a.data);
  }
  const table = spec as Record<string, number>;
  const q = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const sym = s.symbols[s.species[i]];
    const v = table[sym];
    if (v === undefined || !Number.isFinite(v))
      throw new FarfieldError('INVALID_INPUT', `charges: no charge given for species '${sym}' (given: ${Object.keys(table).join(', ')})`);
    q[i] = v;
  }
  return q;
}

export class ElectrostaticsCalculator implements Calculator {
  readonly name = 'electrostatics';
  readonly kernel: ElectrostaticKernel;
  /** Parameters of the last calculation. */
  lastParameters: TunedParameters | SolverParameters | undefined;

  /** Solver state reused between calls (this calculator's only). */
  readonly workspace = new ElectrostaticsWorkspace();
  private tuned: { cell: Float64Array; pbc: string; charges: Float64Array; params: TunedParameters } | null = null;

  constructor(readonly options: ElectrostaticsCalculatorOptions) {
    this.kernel = options.kernel ?? coulombKernel();
  }

  /** Tuned parameters for a structure (kept across calls with retune: 'cell' while cell, pbc, N and charges match). */
  private tune(structure: Structure, q: Float64Array): TunedParameters {
    if (this.options.retune !== 'cell') return tuneElectrostatics(structure, q, this.options);
    const t = this.tuned, pbc = structure.pbc.join(',');
    if (t && t.pbc === pbc && sameArray(t.cell, structure.cell) && sameArray(t.charges, q)) return t.params;
    const params = tuneElectrostatics(structure, q, this.options);
    this.tuned = { cell: structure.cell.slice(), pbc, charges: q.slice(), params };
    return params;
  }

  calculate(structure: Structure, options: CalculateOptions = {}): CalculationResult {
    const q = chargesOf(structure, this.options.charges);
    const params = this.options.parameters ?? this.tune(structure, q);
    this.lastParameters = params;
    const periodic = structure.pbc[0] && structure.pbc[1] && structure.pbc[2];
    const r = computeElectrostatics(structure, q, this.kernel, params, {
      forces: options.forces ?? true,
      stress: (options.stress ?? periodic) && periodic,
      potentials: true,
      workspace: this.workspace,
    });
    const energies = new Float64Array(q.length);
    for (let i = 0; i < q.length; i++) energies[i] = 0.5 * q[i] * r.potentials![i];
    const out: CalculationResult = { energyEv: r.energyEv, energiesEv: energies };
    if (r.forcesEvPerA) out.forcesEvPerA = r.forcesEvPerA;
    if (r.stressEvPerA3) out.stressEvPerA3 = r.stressEvPerA3;
    return out;
  }
}

function sameArray(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}
