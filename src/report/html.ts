/**
 * HTML rendering of the reports: the model comparison (`renderCompareHtml`) and radial distribution functions
 * (`renderRdfHtml`). Each page is one self-contained file: inline CSS, inline SVG from ./svg.ts, no scripts, no
 * network. Pure functions from results objects to strings; writing files is ../report.ts's job.
 */
import { errorValue, type CompareResults, type ErrorStats, type RunResult } from './types.js';
import { PALETTE, esc, histogramPlot, linePlot, parityPlot, parityRange, type Series } from './svg.js';

const CSS = `
:root { --fg: #1b1b1b; --muted: #666; --line: #ddd; --accent: #0072B2; }
* { box-sizing: border-box; }
body { font: 14px/1.45 -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Helvetica, Arial, sans-serif; color: var(--fg);
  margin: 0 auto; padding: 20px 28px 48px; max-width: 1320px; background: #fafafa; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 14px; margin: 14px 0 6px; }
p.meta, .note { color: var(--muted); margin: 2px 0; }
table { border-collapse: collapse; margin: 6px 0 10px; background: #fff; }
th, td { border: 1px solid var(--line); padding: 3px 9px; text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f0f3f6; font-weight: 600; }
td.l, th.l { text-align: left; }
td.best { font-weight: 700; color: var(--accent); }
tr.group td { border-top: 2px solid #bbb; }
.plots { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
.plots figure { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 4px; padding: 4px; }
svg.plot { display: block; font-size: 11px; }
svg.plot .grid { stroke: #ececec; stroke-width: 1; }
svg.plot .tick { stroke: #333; stroke-width: 1; }
svg.plot .axes { stroke: #333; stroke-width: 1; }
svg.plot .title { font-size: 13px; font-weight: 600; }
svg.plot .subtitle { font-size: 10.5px; fill: #666; }
svg.plot .axislabel { font-size: 12px; }
svg.plot .legend text { font-size: 11px; }
pre { background: #fff; border: 1px solid var(--line); padding: 8px; overflow-x: auto; font-size: 12px; }
details summary { cursor: pointer; color: var(--accent); }
ul.notes li { color: #8a4b00; }
`;

/** A complete HTML document around `body`. */
export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

function fmt(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(2);
  return Number(v.toPrecision(digits)).toString();
}

function fmtTime(s: number): string {
  return s < 10 ? s.toFixed(2) : s < 100 ? s.toFixed(1) : s.toFixed(0);
}

type Metric = { key: 'energy' | 'forces' | 'stress'; stat: 'rmse' | 'mae' | 'rmspePercent'; head: string };

/** Columns of the results table; stress columns only when some run has stress errors. */
function metricColumns(runs: RunResult[]): Metric[] {
  const cols: Metric[] = [
    { key: 'energy', stat: 'rmse', head: 'E RMSE<br>meV/atom' },
    { key: 'energy', stat: 'mae', head: 'E MAE<br>meV/atom' },
    { key: 'energy', stat: 'rmspePercent', head: 'E RMSPE<br>%' },
    { key: 'forces', stat: 'rmse', head: 'F RMSE<br>meV/Å' },
    { key: 'forces', stat: 'mae', head: 'F MAE<br>meV/Å' },
    { key: 'forces', stat: 'rmspePercent', head: 'F RMSPE<br>%' },
  ];
  if (runs.some((r) => r.stress))
    cols.push(
      { key: 'stress', stat: 'rmse', head: 'S RMSE<br>meV/Å³' },
      { key: 'stress', stat: 'rmspePercent', head: 'S RMSPE<br>%' },
    );
  return cols.filter((c) => runs.some((r) => r[c.key] !== null));
}

function value(r: RunResult, m: Metric): number | null {
  const s: ErrorStats | null = r[m.key];
  return s ? (m.stat === 'rmspePercent' ? s.rmspePercent : errorValue(s, m.key, m.stat)) : null;
}

/** The results table: one group of rows per training size, one row per model; the best value per group in bold. */
export function resultsTable(res: Pick<CompareResults, 'runs' | 'trainSizes' | 'models'>): string {
  const cols = metricColumns(res.runs);
  const out = ['<table class="results">', '<thead><tr><th class="l">train size</th><th class="l">model</th>'];
  for (const c of cols) out.push(`<th>${c.head}</th>`);
  out.push('<th>fit time<br>s</th></tr></thead><tbody>');
  for (const n of res.trainSizes) {
    const group = res.models.map((m) => res.runs.find((r) => r.model === m && r.trainSize === n)).filter((r): r is RunResult => r !== undefined);
    group.forEach((r, k) => {
      out.push(`<tr${k === 0 ? ' class="group"' : ''}><td class="l">${k === 0 ? n : ''}</td><td class="l">${esc(r.model)}</td>`);
      for (const c of cols) {
        const v = value(r, c);
        const vals = group.map((g) => value(g, c)).filter((x): x is number => x !== null && Number.isFinite(x));
        const best = v !== null && vals.length > 1 && v === Math.min(...vals);
        out.push(`<td${best ? ' class="best"' : ''}>${fmt(v)}</td>`);
      }
      out.push(`<td>${fmtTime(r.fitTimeS)}</td></tr>`);
    });
  }
  out.push('</tbody></table>');
  return out.join('');
}

/** Plain-text version of the results table (for the terminal). */
export function resultsTableText(res: Pick<CompareResults, 'runs' | 'trainSizes' | 'models'>): string {
  const cols = metricColumns(res.runs);
  const heads = ['train', 'model', ...cols.map((c) => c.head.replace('<br>', ' [') + ']'), 'fit [s]'];
  const rows: string[][] = [];
  for (const n of res.trainSizes)
    for (const m of res.models) {
      const r = res.runs.find((x) => x.model === m && x.trainSize === n);
      if (r) rows.push([String(n), m, ...cols.map((c) => fmt(value(r, c))), fmtTime(r.fitTimeS)]);
    }
  const w = heads.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]) => cells.map((c, k) => (k < 2 ? c.padEnd(w[k]) : c.padStart(w[k]))).join('  ');
  return [line(heads), w.map((x) => '-'.repeat(x)).join('  '), ...rows.map(line)].join('\n');
}

function modelColor(models: string[], m: string): string {
  return PALETTE[Math.max(0, models.indexOf(m)) % PALETTE.length];
}

function learningCurves(res: CompareResults): string {
  const figs: string[] = [];
  const quantities: { key: 'energy' | 'forces' | 'stress'; title: string; unit: string }[] = [
    { key: 'energy', title: 'Energy RMSE', unit: 'meV/atom' },
    { key: 'forces', title: 'Force RMSE', unit: 'meV/Å' },
    { key: 'stress', title: 'Stress RMSE', unit: 'meV/Å³' },
  ];
  for (const q of quantities) {
    if (!res.runs.some((r) => r[q.key])) continue;
    const series: Series[] = res.models.map((m) => {
      const rs = res.runs.filter((r) => r.model === m && r[q.key]).sort((a, b) => a.trainSize - b.trainSize);
      return { name: m, x: rs.map((r) => r.trainSize), y: rs.map((r) => errorValue(r[q.key]!, q.key, 'rmse')), color: modelColor(res.models, m), markers: true };
    });
    figs.push(linePlot({ title: `${q.title} vs training-set size`, kind: 'learning-curve', x: { label: 'training structures', log: true, ticks: res.trainSizes }, y: { label: `${q.title} (${q.unit})`, log: true }, series }));
  }
  figs.push(linePlot({
    title: 'Fit time', kind: 'learning-curve',
    x: { label: 'training structures', log: true, ticks: res.trainSizes },
    y: { label: 'wall time (s)', log: true },
    series: res.models.map((m) => {
      const rs = res.runs.filter((r) => r.model === m).sort((a, b) => a.trainSize - b.trainSize);
      return { name: m, x: rs.map((r) => r.trainSize), y: rs.map((r) => r.fitTimeS), color: modelColor(res.models, m), markers: true };
    }),
  }));
  return `<div class="plots">${figs.map((f) => `<figure>${f}</figure>`).join('')}</div>`;
}

function rmsOf(ref: number[], pred: number[], scale: number): number {
  let s = 0;
  for (let i = 0; i < ref.length; i++) s += (pred[i] - ref[i]) ** 2;
  return Math.sqrt(s / Math.max(1, ref.length)) * scale;
}

function parityPlots(res: CompareResults): string {
  const out: string[] = [];
  const rows: { key: 'energy' | 'forces'; title: string; what: string; unit: string; ref: string; pred: string; scale: number }[] = [
    { key: 'energy', title: 'Energies', what: 'structures', unit: 'meV/atom', ref: 'reference E/N (eV/atom)', pred: 'predicted E/N (eV/atom)', scale: 1000 },
    { key: 'forces', title: 'Force components', what: 'components', unit: 'meV/Å', ref: 'reference F (eV/Å)', pred: 'predicted F (eV/Å)', scale: 1000 },
  ];
  for (const q of rows) {
    const ps = res.parity.filter((p) => p[q.key].ref.length > 0);
    if (ps.length === 0) continue;
    const range = parityRange(ps.flatMap((p) => [p[q.key].ref, p[q.key].pred]));
    const figs = ps.map((p) => {
      const d = p[q.key];
      const shown = d.ref.length < d.total ? `${d.ref.length} of ${d.total} ${q.what}` : `${d.total} ${q.what}`;
      return parityPlot({
        title: `${p.model} (${p.trainSize} train)`, subtitle: `${shown}; RMSE ${fmt(rmsOf(d.ref, d.pred, q.scale))} ${q.unit}`,
        xLabel: q.ref, yLabel: q.pred, ref: d.ref, pred: d.pred, color: modelColor(res.models, p.model), range,
      });
    });
    out.push(`<h3>${q.title}</h3><div class="plots">${figs.map((f) => `<figure>${f}</figure>`).join('')}</div>`);
  }
  return out.join('\n');
}

/** Quantile of |v| (q in [0, 1]) over all given arrays. */
function absQuantile(arrays: number[][], q: number): number {
  const all = arrays.flat().map(Math.abs).filter(Number.isFinite).sort((a, b) => a - b);
  if (all.length === 0) return 1;
  return all[Math.min(all.length - 1, Math.floor(q * (all.length - 1)))] || all[all.length - 1] || 1;
}

function forceErrorPlots(res: CompareResults): string {
  const species = [...new Set(res.parity.flatMap((p) => Object.keys(p.forceErrorsBySpecies)))];
  const figs: string[] = [];
  for (const sp of species) {
    const present = res.parity.filter((p) => p.forceErrorsBySpecies[sp]?.length);
    const arrays = present.map((p) => p.forceErrorsBySpecies[sp]);
    const q = absQuantile(arrays, 0.99);
    const outside = arrays.flat().filter((v) => Math.abs(v) > q).length;
    const total = arrays.flat().length;
    figs.push(histogramPlot({
      title: `Force errors on ${sp}`, kind: 'histogram',
      subtitle: `${total} components; ${outside} beyond ±${fmt(q)} meV/Å not shown`,
      x: { label: 'F(pred) − F(ref) (meV/Å)' }, y: { label: 'probability density (Å/meV)' },
      range: [-q, q], bins: 40,
      series: present.map((p) => ({ name: p.model, values: p.forceErrorsBySpecies[sp], color: modelColor(res.models, p.model) })),
    }));
  }
  return figs.length ? `<div class="plots">${figs.map((f) => `<figure>${f}</figure>`).join('')}</div>` : '<p class="note">No force labels in the test set.</p>';
}

function datasetTable(res: CompareResults): string {
  const rows = [
    ['training pool', res.dataset.train],
    ['test set', res.dataset.test],
  ] as const;
  const out = ['<table><thead><tr><th class="l">set</th><th class="l">file</th><th>structures</th><th>atoms</th><th class="l">species</th><th>with E / F / S</th></tr></thead><tbody>'];
  for (const [name, d] of rows)
    out.push(`<tr><td class="l">${name}</td><td class="l">${esc(d.file)}</td><td>${d.structures}</td><td>${d.atoms}</td><td class="l">${esc(d.species.join(', '))}</td><td>${d.labels.energy} / ${d.labels.forces} / ${d.labels.stress}</td></tr>`);
  out.push('</tbody></table>');
  const lb = res.dataset.labels;
  if (lb) {
    const used = lb.targets.map((t) => (t === 'energy' && lb.energyKey !== 'energy' ? `energy (from the info key <code>${esc(lb.energyKey)}</code>)` : t));
    const unused = ['energy', 'forces', 'stress'].filter((t) => !(lb.targets as string[]).includes(t));
    out.push(`<p class="note" data-kind="labels">Labels fitted and evaluated: ${used.join(', ')}${unused.length ? `; not used: ${unused.join(', ')}` : ''}.</p>`);
  }
  const sp = res.dataset.split;
  out.push(`<p class="note">Split seed ${sp.seed}; ${sp.testFromTrain ? 'test set held out from the data file' : 'separate test file'}; ${sp.validationSize > 0 ? `validation split of ${sp.validationSize} structures carved from the training pool (never from the test set)` : 'no validation split (nothing tuned)'}${sp.note ? '; ' + esc(sp.note) : ''}.</p>`);
  return out.join('');
}

function tuningTable(res: CompareResults): string {
  const t = res.hyperparameters.tuned;
  if (t.length === 0) return '<p class="note">No hyperparameter was tuned.</p>';
  const out = ['<table><thead><tr><th class="l">model</th><th class="l">parameter</th><th class="l">tried (validation score)</th><th>chosen</th><th class="l">metric</th><th>train / validation</th></tr></thead><tbody>'];
  for (const r of t)
    out.push(`<tr><td class="l">${esc(r.model)}</td><td class="l">${esc(r.parameter)}</td><td class="l">${r.tried.map((x) => `${fmt(x.value)} (${fmt(x.score)})`).join(', ')}</td><td>${fmt(r.chosen)}</td><td class="l">${esc(r.metric)}</td><td>${r.trainSize} / ${r.validationSize}</td></tr>`);
  out.push('</tbody></table>');
  return out.join('');
}

/** The comparison report. */
export function renderCompareHtml(res: CompareResults): string {
  const body: string[] = [];
  body.push(`<h1>${esc(res.title)}</h1>`);
  body.push(`<p class="meta">${esc(res.createdBy)} · ${esc(res.createdAt)}${res.command ? ` · <code>${esc(res.command)}</code>` : ''}</p>`);
  if (res.notes.length) body.push(`<ul class="notes">${res.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  body.push('<h2>Data</h2>', datasetTable(res));
  body.push('<h2>Test-set errors</h2>', resultsTable(res));
  body.push('<p class="note">Energy errors per atom; force and stress errors per Cartesian component; RMSPE = RMSE / std(reference) × 100 %. Best value per training size in bold.</p>');
  body.push('<h2>Learning curves</h2>', learningCurves(res));
  body.push('<h2>Parity plots (test set, largest training size)</h2>', parityPlots(res), '<p class="note">RMSE in the subtitles is over the points shown.</p>');
  body.push('<h2>Force-error distributions per species</h2>', forceErrorPlots(res));
  body.push('<h2>Hyperparameters</h2>', '<h3>Tuned on the validation split</h3>', tuningTable(res));
  body.push('<h3>Shared by every model</h3>', `<pre>${esc(JSON.stringify(res.hyperparameters.common, null, 2))}</pre>`);
  body.push('<h3>Per model (descriptor)</h3>');
  for (const [m, spec] of Object.entries(res.hyperparameters.perModel))
    body.push(`<details><summary>${esc(m)}</summary><pre>${esc(JSON.stringify(spec, null, 2))}</pre></details>`);
  return page(res.title, body.join('\n'));
}

/** One set of RDF curves (e.g. from the model's trajectory or from the reference data). */
export interface RdfCurveSet {
  label: string;
  /** Bin centres, Å. */
  rA: number[];
  /** @deprecated pre-0.2 name of rA, kept one release in rdf.json and `analyze --json` (docs/conventions.md). */
  r?: number[];
  /** Pair 'A-B' → g(r). */
  curves: Record<string, number[]>;
  frames: number;
  file: string;
}

/** RDF report: one plot per species pair with every curve set in it (model and reference together). */
export function renderRdfHtml(title: string, sets: RdfCurveSet[], note = ''): string {
  const pairs = [...new Set(sets.flatMap((s) => Object.keys(s.curves)))];
  const dashes = [undefined, '5 3', '2 2', '8 3 2 3'];
  const figs = pairs.map((pair) =>
    linePlot({
      title: `g(r) ${pair}`, kind: 'rdf', width: 460, height: 300,
      x: { label: 'r (Å)', min: 0 }, y: { label: 'g(r)', min: 0 },
      series: sets.filter((s) => s.curves[pair]).map((s, k) => ({ name: s.label, x: s.rA, y: s.curves[pair], color: PALETTE[k % PALETTE.length], dash: dashes[k % dashes.length], markers: false })),
    }),
  );
  const rows = sets.map((s) => `<tr><td class="l">${esc(s.label)}</td><td class="l">${esc(s.file)}</td><td>${s.frames}</td></tr>`).join('');
  const body = [
    `<h1>${esc(title)}</h1>`,
    note ? `<p class="meta">${esc(note)}</p>` : '',
    `<table><thead><tr><th class="l">curve</th><th class="l">file</th><th>frames</th></tr></thead><tbody>${rows}</tbody></table>`,
    `<div class="plots">${figs.map((f) => `<figure>${f}</figure>`).join('')}</div>`,
  ];
  return page(title, body.join('\n'));
}
