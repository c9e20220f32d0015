/**
 * Error metrics of predictions against reference labels (what `farfield eval` prints).
 *
 *   RMSE  = √(Σ_k (p_k − r_k)² / n),   MAE = Σ_k |p_k − r_k| / n,
 *   RMSPE = RMSE / std(r) · 100 %,     std = population standard deviation of the reference values.
 * Energies are compared per atom (E/N, eV/atom), forces per Cartesian component (eV/Å), stress per component of the
 * symmetric tensor (Voigt xx yy zz yz xz xy, eV/Å³). Per-species force errors use the species of the atom.
 * Sums are compensated (Neumaier), so millions of components do not lose digits.
 */
import type { Structure } from '../core/index.js';

export interface ErrorStats {
  n: number;
  rmse: number;
  mae: number;
  /** RMSE / std(reference) · 100 (NaN when the reference has no spread). */
  rmspe: number;
  /** Population standard deviation of the reference values. */
  stdReference: number;
}

/** Accumulates (prediction, reference) pairs; O(1) memory. */
export class ErrorAccumulator {
  private n = 0;
  private se = [0, 0];
  private ae = [0, 0];
  private sr = [0, 0];
  private sr2 = [0, 0];

  private static add(acc: number[], x: number): void {
    const t = acc[0] + x;
    acc[1] += Math.abs(acc[0]) >= Math.abs(x) ? acc[0] - t + x : x - t + acc[0];
    acc[0] = t;
  }

  push(prediction: number, reference: number): void {
    const d = prediction - reference;
    this.n++;
    ErrorAccumulator.add(this.se, d * d);
    ErrorAccumulator.add(this.ae, Math.abs(d));
    ErrorAccumulator.add(this.sr, reference);
    ErrorAccumulator.add(this.sr2, reference * reference);
  }

  pushAll(prediction: ArrayLike<number>, reference: ArrayLike<number>): void {
    for (let k = 0; k < reference.length; k++) this.push(prediction[k], reference[k]);
  }

  stats(): ErrorStats {
    const n = this.n;
    if (n === 0) return { n: 0, rmse: NaN, mae: NaN, rmspe: NaN, stdReference: NaN };
    const rmse = Math.sqrt((this.se[0] + this.se[1]) / n);
    const mean = (this.sr[0] + this.sr[1]) / n;
    const variance = Math.max(0, (this.sr2[0] + this.sr2[1]) / n - mean * mean);
    const std = Math.sqrt(variance);
    return { n, rmse, mae: (this.ae[0] + this.ae[1]) / n, rmspe: std > 0 ? (rmse / std) * 100 : NaN, stdReference: std };
  }
}

/** Plain statistics of two equal-length arrays. */
export function errorStats(prediction: ArrayLike<number>, reference: ArrayLike<number>): ErrorStats {
  const acc = new ErrorAccumulator();
  acc.pushAll(prediction, reference);
  return acc.stats();
}

/** Predicted labels of one structure (what a Calculator returns). */
export interface PredictedLabels {
  energyEv?: number;
  forcesEvPerA?: Float64Array;
  stressEvPerA3?: Float64Array;
}

export interface DatasetErrors {
  structures: number;
  /** Energy per atom, eV/atom (null when no structure has both). */
  energy: ErrorStats | null;
  /** Force components, eV/Å. */
  forces: ErrorStats | null;
  /** Stress components (Voigt), eV/Å³. */
  stress: ErrorStats | null;
  /** Force components per species symbol. */
  forcesBySpecies: Record<string, ErrorStats>;
  /** Parity data: energy per atom (reference, predicted). */
  parityEnergy: { reference: number[]; predicted: number[] };
}

const VOIGT: [number, number][] = [[0, 0], [1, 1], [2, 2], [1, 2], [0, 2], [0, 1]];

/** Accumulates the dataset errors structure by structure (O(species + structures) memory: the parity data keep
 * two numbers per structure), so a file can be evaluated while it is streamed. */
export class DatasetErrorAccumulator {
  private readonly e = new ErrorAccumulator();
  private readonly f = new ErrorAccumulator();
  private readonly s = new ErrorAccumulator();
  private readonly bySpecies = new Map<string, ErrorAccumulator>();
  private readonly parity = { reference: [] as number[], predicted: [] as number[] };
  private anyE = false;
  private anyF = false;
  private anyS = false;
  private count = 0;

  /** Add one structure and its prediction (only labels present on both sides count). */
  add(st: Structure, p: PredictedLabels): void {
    this.count++;
    const n = st.species.length;
    if (st.labels.energyEv !== undefined && p.energyEv !== undefined) {
      this.anyE = true;
      this.e.push(p.energyEv / n, st.labels.energyEv / n);
      this.parity.reference.push(st.labels.energyEv / n);
      this.parity.predicted.push(p.energyEv / n);
    }
    const rf = st.labels.forcesEvPerA, pf = p.forcesEvPerA;
    if (rf && pf) {
      this.anyF = true;
      for (let i = 0; i < n; i++) {
        const sym = st.symbols[st.species[i]];
        let acc = this.bySpecies.get(sym);
        if (!acc) this.bySpecies.set(sym, (acc = new ErrorAccumulator()));
        for (let a = 0; a < 3; a++) {
          this.f.push(pf[3 * i + a], rf[3 * i + a]);
          acc.push(pf[3 * i + a], rf[3 * i + a]);
        }
      }
    }
    const rs = st.labels.stressEvPerA3, ps = p.stressEvPerA3;
    if (rs && ps) {
      this.anyS = true;
      for (const [a, b] of VOIGT) this.s.push(0.5 * (ps[3 * a + b] + ps[3 * b + a]), 0.5 * (rs[3 * a + b] + rs[3 * b + a]));
    }
  }

  result(): DatasetErrors {
    const forcesBySpecies: Record<string, ErrorStats> = {};
    for (const [sym, acc] of this.bySpecies) forcesBySpecies[sym] = acc.stats();
    return {
      structures: this.count,
      energy: this.anyE ? this.e.stats() : null,
      forces: this.anyF ? this.f.stats() : null,
      stress: this.anyS ? this.s.stats() : null,
      forcesBySpecies,
      parityEnergy: { reference: [...this.parity.reference], predicted: [...this.parity.predicted] },
    };
  }
}

/** Errors of predictions[k] against structures[k].labels (only labels present on both sides count). */
export function datasetErrors(structures: readonly Structure[], predictions: readonly PredictedLabels[]): DatasetErrors {
  if (structures.length !== predictions.length) throw new Error(`datasetErrors: ${structures.length} structures, ${predictions.length} predictions`);
  const acc = new DatasetErrorAccumulator();
  structures.forEach((st, k) => acc.add(st, predictions[k]));
  return acc.result();
}
