/**
 * The report of a `farfield learn` run: DIR/index.html (self-contained, atomic write) from DIR/log.csv — the largest
 * Bayesian force error and the threshold vs step with the reference calls marked, cumulative calls, temperature —
 * and, with held-out labelled frames (`--test FILE`), parity plots of the final model's energies and forces with
 * their errors (evaluate.ts). Reuses the SVG plots of report/svg.ts.
 */
import { readFileSync } from 'node:fs';
import type { Structure } from '../core/index.js';
import type { FittedModel } from '../model/index.js';
import { evaluateModel, type EvalSummary } from './evaluate.js';
import { PALETTE, linePlot, page, parityPlot, type Series } from '../report/index.js';
import { writeTextAtomic } from './report.js';
import { pathIn } from './learnState.js';

export interface LearnLogTable {
  step: number[];
  temperatureK: number[];
  sigma: number[];
  threshold: number[];
  called: boolean[];
  refit: boolean[];
}

/** Parse DIR/log.csv (the columns written by learn.ts). */
export function readLearnLog(path: string): LearnLogTable {
  const t: LearnLogTable = { step: [], temperatureK: [], sigma: [], threshold: [], called: [], refit: [] };
  const lines = readFileSync(path, 'utf8').split('\n').slice(1);
  for (const line of lines) {
    if (!line.trim()) continue;
    const c = line.split(',');
    t.step.push(Number(c[0]));
    t.temperatureK.push(Number(c[2]));
    t.sigma.push(c[4] === 'NaN' ? NaN : Number(c[4]));
    t.threshold.push(Number(c[5]));
    t.called.push(c[6] === '1');
    t.refit.push(c[7] === '1');
  }
  return t;
}

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** Write DIR/index.html; returns the held-out errors when test frames were given. */
export function writeLearnReport(dir: string, test: readonly Structure[], model: FittedModel): EvalSummary | null {
  const log = readLearnLog(pathIn(dir, 'log'));
  const finite = log.step.map((s, i) => [s, log.sigma[i]] as const).filter(([, v]) => Number.isFinite(v) && v > 0);
  const calls = log.step.filter((_, i) => log.called[i]);
  const callSigma = calls.map((s) => {
    const i = log.step.indexOf(s);
    return Number.isFinite(log.sigma[i]) && log.sigma[i] > 0 ? log.sigma[i] : log.threshold[i];
  });
  const cum: number[] = [];
  let c = 0;
  for (const k of log.called) cum.push((c += k ? 1 : 0));
  const errSeries: Series[] = [
    { name: 'max Bayesian force error', x: finite.map(([s]) => s), y: finite.map(([, v]) => v), color: PALETTE[0], markers: false },
    { name: 'threshold', x: log.step, y: log.threshold, color: PALETTE[1], markers: false },
    { name: 'reference calls', x: calls, y: callSigma, color: PALETTE[3], line: false, markers: true },
  ];
  const parts: string[] = [
    `<h1>farfield learn — ${esc(dir)}</h1>`,
    `<p>${log.step.length} steps logged, ${calls.length} reference calls, ${log.refit.filter((x) => x).length} refits; final threshold ${(log.threshold.at(-1) ?? NaN).toPrecision(3)} eV/Å.</p>`,
    linePlot({ title: 'Bayesian force error and threshold', kind: 'learn-error', x: { label: 'MD step' }, y: { label: 'eV/Å', log: true }, series: errSeries }),
    linePlot({ title: 'Cumulative reference calls', kind: 'learn-calls', x: { label: 'MD step' }, y: { label: 'calls' }, series: [{ name: 'calls', x: log.step, y: cum, color: PALETTE[2], markers: false }] }),
    linePlot({ title: 'Temperature', kind: 'learn-temperature', x: { label: 'MD step' }, y: { label: 'K' }, series: [{ name: 'T', x: log.step, y: log.temperatureK, color: PALETTE[4], markers: false }] }),
  ];
  let summary: EvalSummary | null = null;
  if (test.length > 0) {
    const ev = evaluateModel(model, test);
    summary = ev.summary;
    const eRef: number[] = [], ePred: number[] = [], fRef: number[] = [], fPred: number[] = [];
    test.forEach((s, k) => {
      const p = ev.predictions[k], n = s.species.length;
      if (s.labels.energyEv !== undefined && p.energyEv !== undefined) {
        eRef.push(s.labels.energyEv / n);
        ePred.push(p.energyEv / n);
      }
      if (s.labels.forcesEvPerA && p.forcesEvPerA) for (let q = 0; q < 3 * n; q++) {
        fRef.push(s.labels.forcesEvPerA[q]);
        fPred.push(p.forcesEvPerA[q]);
      }
    });
    parts.push(`<h2>Final model on ${test.length} held-out frames</h2>`,
      `<p>energy RMSE ${summary.energy?.rmse_meV_per_atom.toPrecision(3) ?? '–'} meV/atom, force RMSE ${summary.forces?.rmse_meV_per_A.toPrecision(3) ?? '–'} meV/Å</p>`);
    if (eRef.length) parts.push(parityPlot({ title: 'Energy per atom', kind: 'parity-energy', xLabel: 'reference, eV/atom', yLabel: 'model, eV/atom', ref: eRef, pred: ePred }));
    if (fRef.length) parts.push(parityPlot({ title: 'Force components', kind: 'parity-forces', xLabel: 'reference, eV/Å', yLabel: 'model, eV/Å', ref: fRef, pred: fPred }));
  }
  writeTextAtomic(pathIn(dir, 'report'), page(`farfield learn — ${dir}`, parts.join('\n')));
  return summary;
}
