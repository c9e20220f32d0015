/**
 * The charge-transfer reference potential and benchmark (issue 18 item 3), made here as the toy set was.
 *
 * Potential (`QeqPotential`): charge equilibration with known per-species electronegativity χ_s (eV/e) and hardness
 * J_s (eV/e²), Gaussian charges of width s (electrostatics/qeq.ts: charges minimise Σχq + ½ΣJq² + E_es(q) at Σq = Q),
 * plus a Born–Mayer repulsion A e^{−r/ρ} between all pairs (cutoff 6 Å). Energy, forces, stress (forces from the
 * stationarity of q) and the equilibrated charges. Q from info `charge` (default 0).
 *
 * Benchmark (`chargeTransferDataset`): two NaCl-like clusters in vacuum (open boundaries, direct sums), the probe
 * cluster around the origin and the far cluster centred `separationA` (16 Å) away along z, each with atoms placed at
 * random in a sphere of radius 5 Å (minimum separation 2.4 Å; half Na, half Cl), so no atom of one cluster is within
 * 6 Å of the other. Every geometry appears twice: undoped, and with one Na of the far cluster replaced by a donor
 * 'Al' of low electronegativity. Charge equilibration transfers charge between the clusters (the chemical potential
 * is shared), so the probe cluster's charges and energy change although nothing within any cutoff of it did —
 * non-local by construction (after the Au₂/MgO test of Ko et al., Nat. Commun. 12, 398 (2021); in a dense
 * periodic solid the same donor is screened locally and the effect is ~10⁻⁴ e, which is why the clusters).
 * Frames carry info `pair` (geometry index) and `doped` (0/1); the far-dopant energy difference of a pair is
 * E(doped) − E(undoped).
 * Parameters (ours, chosen to keep the QEq matrix positive definite at 2.4 Å): χ Na −2, Cl +2, Al −5 eV/e;
 * J Na 10, Cl 12, Al 10 eV/e²; s = 1 Å; A = 1500 eV, ρ = 0.3 Å.
 */
import { FarfieldError, Rng, makeStructure, type CalculateOptions, type CalculationResult, type Calculator, type ProgressCallback, type Structure } from '../core/index.js';
import { ElectrostaticsWorkspace, gaussianKernel, solveQeq, tuneElectrostatics, type Kernel, type SolverParameters, type TuneOptions } from '../electrostatics/index.js';
import { RigidIonCalculator, type BornPairParameters } from './rigidIon.js';

export interface QeqPotentialOptions {
  chi: Readonly<Record<string, number>>;
  hardness: Readonly<Record<string, number>>;
  /** Gaussian charge width s, Å. */
  sigmaA: number;
  pairs: readonly BornPairParameters[];
  cutoffA: number;
  electrostatics?: TuneOptions;
  /** Fixed solver parameters (skip tuning). */
  electrostaticsParameters?: SolverParameters;
}

export const CHARGE_TRANSFER_CHI: Readonly<Record<string, number>> = { Na: -2, Cl: 2, Al: -5 };
export const CHARGE_TRANSFER_HARDNESS: Readonly<Record<string, number>> = { Na: 10, Cl: 12, Al: 10 };

function repulsion(): BornPairParameters[] {
  const sp = ['Na', 'Cl', 'Al'];
  const out: BornPairParameters[] = [];
  for (let a = 0; a < sp.length; a++)
    for (let b = a; b < sp.length; b++) out.push({ a: sp[a], b: sp[b], aEv: 1500, rhoA: 0.3, sigmaA: 0, cEvA6: 0, dEvA8: 0 });
  return out;
}

export class QeqPotential implements Calculator {
  readonly name = 'qeq-reference';
  readonly kernel: Kernel;
  private readonly short: RigidIonCalculator;
  private readonly workspace = new ElectrostaticsWorkspace();

  constructor(readonly options: QeqPotentialOptions) {
    if (!(options.sigmaA > 0)) throw new FarfieldError('INVALID_INPUT', `qeq potential: sigmaA must be > 0 Å, got ${options.sigmaA}`);
    this.kernel = gaussianKernel({ sigmaA: Math.SQRT2 * options.sigmaA });
    this.short = new RigidIonCalculator({ name: 'qeq-repulsion', pairs: options.pairs, cutoffA: options.cutoffA, charges: {}, coulomb: false });
  }

  private perAtom(s: Structure, table: Readonly<Record<string, number>>, what: string): Float64Array {
    return Float64Array.from(s.species, (k) => {
      const v = table[s.symbols[k]];
      if (v === undefined) throw new FarfieldError('INVALID_INPUT', `qeq potential: no ${what} for species '${s.symbols[k]}' (have: ${Object.keys(table).join(', ')})`);
      return v;
    });
  }

  calculate(s: Structure, options: CalculateOptions = {}): CalculationResult {
    const periodic = s.pbc[0] && s.pbc[1] && s.pbc[2];
    const wantF = options.forces ?? true, wantS = (options.stress ?? periodic) && periodic;
    const chi = this.perAtom(s, this.options.chi, 'electronegativity');
    const hardness = this.perAtom(s, this.options.hardness, 'hardness');
    const Q = typeof s.info.charge === 'number' ? s.info.charge : 0;
    const params = this.options.electrostaticsParameters
      ?? tuneElectrostatics(s, new Float64Array(s.species.length).fill(1), { accuracy: 1e-8, ...(this.options.electrostatics ?? {}) });
    const q = solveQeq(s, this.kernel, params, { chi, hardness, totalCharge: Q, forces: wantF || wantS, stress: wantS }, this.workspace);
    const sr = this.short.calculate(s, { forces: wantF, stress: wantS });
    const out: CalculationResult = { energyEv: q.energyEv + sr.energyEv, charges: q.charges };
    if (wantF) out.forcesEvPerA = Float64Array.from(q.forcesEvPerA!, (f, k) => f + sr.forcesEvPerA![k]);
    if (wantS) out.stressEvPerA3 = Float64Array.from(q.stressEvPerA3!, (x, k) => x + sr.stressEvPerA3![k]);
    return out;
  }
}

/** The benchmark's potential (parameters in the module header). */
export function chargeTransferPotential(options: { electrostaticsParameters?: SolverParameters } = {}): QeqPotential {
  return new QeqPotential({
    chi: CHARGE_TRANSFER_CHI, hardness: CHARGE_TRANSFER_HARDNESS, sigmaA: 1, pairs: repulsion(), cutoffA: 6, ...options,
  });
}

export interface ChargeTransferOptions {
  /** Geometries (each written undoped and doped: 2·n frames). */
  n: number;
  /** Atoms per cluster (even; default 16). */
  atoms?: number;
  seed: number;
  /** Distance between the cluster centres, Å (default 16). */
  separationA?: number;
  /** Cluster radius, Å (default 5). */
  radiusA?: number;
  /** Minimum separation, Å (default 2.4). */
  minSeparationA?: number;
  onProgress?: ProgressCallback;
}

/** Generate the labelled benchmark frames (energy, forces, charges; info pair, doped). */
export function chargeTransferDataset(o: ChargeTransferOptions): Structure[] {
  const atoms = o.atoms ?? 16;
  if (!Number.isInteger(o.n) || o.n < 1) throw new FarfieldError('INVALID_INPUT', `charge-transfer dataset: n must be a positive integer, got ${o.n}`);
  if (!Number.isInteger(atoms) || atoms < 2 || atoms % 2 !== 0) throw new FarfieldError('INVALID_INPUT', `charge-transfer dataset: atoms per cluster must be an even integer ≥ 2, got ${atoms}`);
  const sep = o.separationA ?? 16, R = o.radiusA ?? 5, dmin = o.minSeparationA ?? 2.4;
  const rng = new Rng(o.seed);
  const pot = chargeTransferPotential({ electrostaticsParameters: { method: 'direct' } });
  const out: Structure[] = [];
  for (let g = 0; g < o.n; g++) {
    const a = cluster(rng, atoms, R, dmin), b = cluster(rng, atoms, R, dmin);
    const pos = new Float64Array(6 * atoms);
    pos.set(a, 0);
    for (let i = 0; i < atoms; i++) pos.set([b[3 * i], b[3 * i + 1], b[3 * i + 2] + sep], 3 * (atoms + i));
    const symbols: string[] = Array.from({ length: 2 * atoms }, (_, i) => (i % 2 === 0 ? 'Na' : 'Cl'));
    const donor = atoms + (atoms % 2 === 0 ? 0 : 1); // the first Na of the far cluster
    for (const doped of [0, 1]) {
      const sym = symbols.slice();
      if (doped) sym[donor] = 'Al';
      const s = makeStructure({ symbols: sym, positions: Array.from(pos), pbc: [false, false, false], info: { config_type: 'charge-transfer', pair: g, doped, seed: o.seed } });
      const r = pot.calculate(s, { forces: true, stress: false });
      s.labels = { energyEv: r.energyEv, forcesEvPerA: r.forcesEvPerA, charges: r.charges };
      out.push(s);
    }
    o.onProgress?.({ phase: 'charge-transfer', done: g + 1, total: o.n });
  }
  return out;
}

/** n atoms at random in a sphere of radius R with minimum separation dmin (random sequential addition). */
function cluster(rng: Rng, n: number, R: number, dmin: number): Float64Array {
  for (let attempt = 0; attempt < 100; attempt++) {
    const pos = new Float64Array(3 * n);
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      let placed = false;
      for (let t = 0; t < 10000 && !placed; t++) {
        const p = [rng.range(-R, R), rng.range(-R, R), rng.range(-R, R)];
        if (p[0] * p[0] + p[1] * p[1] + p[2] * p[2] > R * R) continue;
        placed = true;
        for (let j = 0; j < i && placed; j++) {
          const dx = p[0] - pos[3 * j], dy = p[1] - pos[3 * j + 1], dz = p[2] - pos[3 * j + 2];
          if (dx * dx + dy * dy + dz * dz < dmin * dmin) placed = false;
        }
        if (placed) pos.set(p, 3 * i);
      }
      if (!placed) ok = false;
    }
    if (ok) return pos;
  }
  throw new FarfieldError('INVALID_INPUT', `charge-transfer dataset: cannot place ${n} atoms ${dmin} Å apart in a sphere of radius ${R} Å`);
}
