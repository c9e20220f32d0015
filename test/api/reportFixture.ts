/** Synthetic comparison results (seeded) for the report tests and the browser smoke test. */
import { Rng } from '../../src/core/index.js';
import { RESULTS_FORMAT, RESULTS_VERSION, type CompareResults, type ParityData, type RunResult } from '../../src/api/report.js';

export function syntheticResults(seed = 1): CompareResults {
  const rng = new Rng(seed);
  const models = ['sr', 'sr+lr', 'sr+lode'];
  const trainSizes = [25, 50, 100, 200];
  const runs: RunResult[] = [];
  const base = { sr: 3, 'sr+lr': 1.2, 'sr+lode': 1.0 } as Record<string, number>;
  for (const m of models)
    for (const n of trainSizes) {
      const f = base[m] * (25 / n) ** 0.45;
      const st = (rmse: number, std: number, count: number) => ({ rmse, mae: 0.8 * rmse, rmspePercent: (100 * rmse) / std, count });
      const e = st(f, 40, 50), fo = st(60 * f, 900, 50 * 64 * 3), s = st(0.4 * f, 5, 450);
      runs.push({
        model: m, trainSize: n, fitTimeS: 0.05 * n * (m === 'sr' ? 1 : 1.6), predictTimeS: 0.3,
        energy: { ...e, rmseMevPerAtom: e.rmse, maeMevPerAtom: e.mae },
        forces: { ...fo, rmseMevPerA: fo.rmse, maeMevPerA: fo.mae },
        stress: { ...s, rmseMevPerA3: s.rmse, maeMevPerA3: s.mae },
        references: { Na: Math.min(n * 32, 1000), Cl: Math.min(n * 32, 1000) },
      });
    }
  const parity: ParityData[] = models.map((m) => {
    const eRef = Array.from({ length: 50 }, () => -3.5 + 0.04 * rng.normal());
    const fRef = Array.from({ length: 600 }, () => 0.9 * rng.normal());
    const s = base[m];
    const errs: Record<string, number[]> = { Na: [], Cl: [] };
    const fPred = fRef.map((x, i) => {
      const e = 0.06 * s * rng.normal() * (i % 2 ? 1.3 : 1);
      errs[i % 2 ? 'Cl' : 'Na'].push(1000 * e);
      return x + e;
    });
    return {
      model: m, trainSize: 200,
      energy: { ref: eRef, pred: eRef.map((x) => x + 0.001 * s * rng.normal()), total: 50 },
      forces: { ref: fRef, pred: fPred, total: 9600 },
      forceErrorsBySpecies: errs,
    };
  });
  return {
    format: RESULTS_FORMAT, version: RESULTS_VERSION,
    title: 'Synthetic comparison (test fixture)', createdAt: '2025-01-01T00:00:00.000Z', createdBy: 'farfield test',
    command: 'farfield compare synthetic.xyz --models sr,sr+lr,sr+lode',
    dataset: {
      train: { file: 'synthetic.xyz', structures: 250, atoms: 16000, species: ['Na', 'Cl'], labels: { energy: 250, forces: 250, stress: 250 } },
      test: { file: 'synthetic.xyz', structures: 50, atoms: 3200, species: ['Na', 'Cl'], labels: { energy: 50, forces: 50, stress: 50 } },
      split: { seed: 1, testFromTrain: true, validationSize: 20 },
    },
    models, trainSizes, runs, parity,
    hyperparameters: {
      common: { kernel: { kind: 'polynomial', hypers: { zeta: 4 } }, solver: { kind: 'bayes' } },
      perModel: Object.fromEntries(models.map((m) => [m, { preset: m }])),
      tuned: [{ model: 'sr+lode', parameter: 'lode.weight', tried: [0.1, 0.3, 1, 3].map((v, k) => ({ value: v, score: 50 - k * 3 + (k === 3 ? 10 : 0) })), chosen: 1, metric: 'force RMSE (meV/Å)', trainSize: 200, validationSize: 20 }],
    },
    notes: ['synthetic data: numbers mean nothing'],
  };
}
