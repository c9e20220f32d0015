/**
 * A small, dependency-free SVG plotting kit for the HTML reports: line plots (learning curves, RDFs; linear or
 * logarithmic axes, optional markers), scatter plots with a y = x line (parity plots) and step histograms.
 * Output is a standalone `<svg>` string (inline in the report, no scripts, no fonts to fetch).
 *
 * Conventions: a plot is `width × height` CSS pixels; the data area is inset by fixed margins; every plot has a
 * title, axis labels, ticks with labels and, with more than one series, a legend. Series are drawn in the
 * Okabe–Ito colour-blind-safe palette unless a colour is given. Non-finite points are skipped (a log axis skips
 * values ≤ 0), never clamped. Elements carry classes (`series`, `pt`, `bar`, `diagonal`) that the browser smoke
 * test counts.
 */

/** Okabe–Ito palette (Wong, Nat. Methods 8, 441 (2011)), black last. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000'];

export interface Series {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  color?: string;
  /** Draw connecting lines (default true for line plots). */
  line?: boolean;
  /** Draw point markers (default: true when the series has ≤ 40 points). */
  markers?: boolean;
  dash?: string;
}

export interface AxisOptions {
  label: string;
  log?: boolean;
  /** Fixed range; default: the data range (padded on linear axes). */
  min?: number;
  max?: number;
  /** Explicit tick positions (e.g. the training sizes of a learning curve). */
  ticks?: number[];
}

export interface PlotOptions {
  title: string;
  x: AxisOptions;
  y: AxisOptions;
  width?: number;
  height?: number;
  /** `data-kind` attribute on the <svg> (what the plot shows). */
  kind?: string;
  /** Optional note under the title (e.g. "200 of 12 288 points"). */
  subtitle?: string;
}

interface Margins {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Margins around the data area: the top holds the title, an optional subtitle and the legend row. */
function margins(o: PlotOptions, legendEntries: number): Margins {
  return { left: 64, right: 16, top: 30 + (o.subtitle ? 14 : 0) + (legendEntries > 1 ? 18 : 0), bottom: 46 };
}

/** XML-escape text content and attribute values. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Short tick label: up to 4 significant digits, no trailing zeros, exponent form outside [1e-3, 1e5). */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) {
    const e = Math.floor(Math.log10(a));
    const m = v / 10 ** e;
    const ms = Number(m.toPrecision(3)).toString();
    return ms === '1' ? `1e${e}` : ms === '-1' ? `-1e${e}` : `${ms}e${e}`;
  }
  return Number(v.toPrecision(4)).toString();
}

/** About `n` "nice" linear ticks (1, 2, 2.5, 5 × 10^k steps) covering [min, max]. */
export function linearTicks(min: number, max: number, n = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / Math.max(1, n);
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const out: number[] = [];
  const first = Math.ceil(min / step - 1e-9) * step;
  for (let t = first; t <= max + step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : Number(t.toPrecision(12)));
  return out;
}

/** Log ticks: decades; when the range spans less than ~2 decades, also 2× and 5× (and 3× below one decade). */
export function logTicks(min: number, max: number, multipliers?: number[]): number[] {
  const lo = Math.floor(Math.log10(min)), hi = Math.ceil(Math.log10(max));
  const mult = multipliers ?? logMultipliers(min, max);
  const out: number[] = [];
  for (let e = lo; e <= hi; e++)
    for (const m of mult) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) out.push(v);
    }
  // A log axis narrower than a factor of 2 may contain no tick at all: fall back to linear ticks.
  return out.length >= 2 ? out : linearTicks(min, max, 4).filter((t) => t > 0);
}

/** Mantissas of the log ticks for a range: more of them when the range spans fewer decades. */
function logMultipliers(min: number, max: number): number[] {
  const span = Math.log10(max / min);
  return span < 1 ? [1, 2, 3, 5] : span < 2.2 ? [1, 2, 5] : [1];
}

interface Scale {
  map: (v: number) => number;
  ticks: number[];
  min: number;
  max: number;
  log: boolean;
}

function extent(values: number[], log: boolean): [number, number] {
  const v = values.filter((x) => Number.isFinite(x) && (!log || x > 0));
  if (v.length === 0) return log ? [1, 10] : [0, 1];
  let lo = Math.min(...v), hi = Math.max(...v);
  if (lo === hi) {
    if (log) return [lo / 2, hi * 2];
    const d = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return [lo - d, hi + d];
  }
  if (log) {
    const f = (hi / lo) ** 0.06;
    return [lo / f, hi * f];
  }
  const pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  return [lo, hi];
}

function makeScale(axis: AxisOptions, values: number[], p0: number, p1: number): Scale {
  const log = axis.log ?? false;
  let [lo, hi] = extent(values, log);
  if (log && !axis.ticks) {
    // Snap a log axis outwards to the tick grid, so the smallest and largest data points have labelled ticks near them.
    const grid = logTicks(lo / 10, hi * 10, logMultipliers(lo, hi));
    lo = Math.max(...grid.filter((t) => t <= lo * (1 + 1e-9)), lo / 10);
    hi = Math.min(...grid.filter((t) => t >= hi * (1 - 1e-9)), hi * 10);
  }
  if (axis.min !== undefined) lo = axis.min;
  if (axis.max !== undefined) hi = axis.max;
  const tf = log ? Math.log10 : (v: number) => v;
  const a = tf(lo), b = tf(hi);
  const map = (v: number) => p0 + ((tf(v) - a) / (b - a)) * (p1 - p0);
  const ticks = (axis.ticks ?? (log ? logTicks(lo, hi) : linearTicks(lo, hi))).filter((t) => t >= lo - 1e-12 * Math.abs(lo) && t <= hi + 1e-12 * Math.abs(hi));
  return { map, ticks, min: lo, max: hi, log };
}

function num(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}

function frame(o: PlotOptions, sx: Scale, sy: Scale, w: number, h: number, M: Margins): string[] {
  const x0 = M.left, x1 = w - M.right, y0 = h - M.bottom, y1 = M.top;
  const out: string[] = [];
  out.push(`<rect class="area" x="${x0}" y="${y1}" width="${x1 - x0}" height="${y0 - y1}" fill="#fff" stroke="none"/>`);
  for (const t of sx.ticks) {
    const px = num(sx.map(t));
    out.push(`<line class="grid" x1="${px}" y1="${y1}" x2="${px}" y2="${y0}"/>`);
    out.push(`<line class="tick" x1="${px}" y1="${y0}" x2="${px}" y2="${y0 + 5}"/>`);
    out.push(`<text class="ticklabel" x="${px}" y="${y0 + 17}" text-anchor="middle">${esc(formatTick(t))}</text>`);
  }
  for (const t of sy.ticks) {
    const py = num(sy.map(t));
    out.push(`<line class="grid" x1="${x0}" y1="${py}" x2="${x1}" y2="${py}"/>`);
    out.push(`<line class="tick" x1="${x0 - 5}" y1="${py}" x2="${x0}" y2="${py}"/>`);
    out.push(`<text class="ticklabel" x="${x0 - 8}" y="${py}" dy="0.32em" text-anchor="end">${esc(formatTick(t))}</text>`);
  }
  out.push(`<rect class="axes" x="${x0}" y="${y1}" width="${x1 - x0}" height="${y0 - y1}" fill="none"/>`);
  out.push(`<text class="title" x="${(x0 + x1) / 2}" y="17" text-anchor="middle">${esc(o.title)}</text>`);
  if (o.subtitle) out.push(`<text class="subtitle" x="${(x0 + x1) / 2}" y="31" text-anchor="middle">${esc(o.subtitle)}</text>`);
  out.push(`<text class="axislabel" x="${(x0 + x1) / 2}" y="${h - 8}" text-anchor="middle">${esc(o.x.label)}</text>`);
  out.push(`<text class="axislabel" transform="translate(15 ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle">${esc(o.y.label)}</text>`);
  return out;
}

/** A horizontal legend row in the top margin (right-aligned above the data area), so it never covers data. */
function legend(entries: { name: string; color: string; dash?: string; marker: boolean }[], w: number, M: Margins): string {
  if (entries.length < 2) return '';
  const widths = entries.map((e) => 30 + e.name.length * 6.4);
  const total = widths.reduce((a, b) => a + b, 0);
  let x = Math.max(M.left, w - M.right - total);
  const cy = M.top - 10;
  const out = ['<g class="legend">'];
  entries.forEach((e, k) => {
    out.push(`<line x1="${num(x)}" y1="${cy}" x2="${num(x + 18)}" y2="${cy}" stroke="${e.color}" stroke-width="2"${e.dash ? ` stroke-dasharray="${e.dash}"` : ''}/>`);
    if (e.marker) out.push(`<circle cx="${num(x + 9)}" cy="${cy}" r="3" fill="${e.color}"/>`);
    out.push(`<text x="${num(x + 23)}" y="${cy}" dy="0.32em">${esc(e.name)}</text>`);
    x += widths[k];
  });
  out.push('</g>');
  return out.join('');
}

function open(o: PlotOptions, w: number, h: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" class="plot" data-kind="${esc(o.kind ?? 'plot')}" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(o.title)}">`;
}

function clipDef(id: string, w: number, h: number, M: Margins): string {
  return `<defs><clipPath id="${id}"><rect x="${M.left}" y="${M.top}" width="${w - M.left - M.right}" height="${h - M.top - M.bottom}"/></clipPath></defs>`;
}

let clipCounter = 0;
function nextClip(): string {
  clipCounter = (clipCounter + 1) % 1e9;
  return `clip${clipCounter}`;
}

function ok(v: number, log: boolean): boolean {
  return Number.isFinite(v) && (!log || v > 0);
}

/** Line plot with optional markers: learning curves (log–log), RDFs. */
export function linePlot(o: PlotOptions & { series: Series[] }): string {
  const w = o.width ?? 420, h = o.height ?? 300;
  const M = margins(o, o.series.length);
  const xs = o.series.flatMap((s) => Array.from(s.x));
  const ys = o.series.flatMap((s) => Array.from(s.y));
  const sx = makeScale(o.x, xs, M.left, w - M.right);
  const sy = makeScale(o.y, ys, h - M.bottom, M.top);
  const clip = nextClip();
  const out = [open(o, w, h), clipDef(clip, w, h, M), ...frame(o, sx, sy, w, h, M), `<g clip-path="url(#${clip})">`];
  const entries: { name: string; color: string; dash?: string; marker: boolean }[] = [];
  o.series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length];
    const n = Math.min(s.x.length, s.y.length);
    const markers = s.markers ?? n <= 40;
    const segs: string[] = [];
    let pen = false;
    const pts: string[] = [];
    for (let i = 0; i < n; i++) {
      const x = s.x[i], y = s.y[i];
      if (!ok(x, sx.log) || !ok(y, sy.log)) {
        pen = false;
        continue;
      }
      const px = num(sx.map(x)), py = num(sy.map(y));
      segs.push(`${pen ? 'L' : 'M'}${px} ${py}`);
      pen = true;
      if (markers) pts.push(`<circle class="pt" cx="${px}" cy="${py}" r="3.2" fill="${color}"/>`);
    }
    if ((s.line ?? true) && segs.length > 0)
      out.push(`<path class="series" data-name="${esc(s.name)}" d="${segs.join('')}" fill="none" stroke="${color}" stroke-width="1.8"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    out.push(...pts);
    entries.push({ name: s.name, color, dash: s.dash, marker: markers });
  });
  out.push('</g>', legend(entries, w, M), '</svg>');
  return out.join('\n');
}

/** Scatter plot of predicted vs reference with the y = x line and equal ranges on both axes (parity plot). */
export function parityPlot(o: Omit<PlotOptions, 'x' | 'y'> & { xLabel: string; yLabel: string; ref: ArrayLike<number>; pred: ArrayLike<number>; color?: string; range?: [number, number] }): string {
  const w = o.width ?? 300, h = o.height ?? 300;
  const [lo, hi] = o.range ?? parityRange([o.ref, o.pred]);
  const x: AxisOptions = { label: o.xLabel, min: lo, max: hi };
  const y: AxisOptions = { label: o.yLabel, min: lo, max: hi };
  const po: PlotOptions = { ...o, x, y, kind: o.kind ?? 'parity' };
  const M = margins(po, 0);
  const sx = makeScale(x, [], M.left, w - M.right);
  const sy = makeScale(y, [], h - M.bottom, M.top);
  const color = o.color ?? PALETTE[0];
  const clip = nextClip();
  const out = [open(po, w, h), clipDef(clip, w, h, M), ...frame(po, sx, sy, w, h, M), `<g clip-path="url(#${clip})">`];
  out.push(`<line class="diagonal" x1="${num(sx.map(lo))}" y1="${num(sy.map(lo))}" x2="${num(sx.map(hi))}" y2="${num(sy.map(hi))}" stroke="#555" stroke-width="1" stroke-dasharray="4 3"/>`);
  const n = Math.min(o.ref.length, o.pred.length);
  const r = n > 400 ? 1.6 : 2.4;
  for (let i = 0; i < n; i++) {
    const a = o.ref[i], b = o.pred[i];
    if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
    out.push(`<circle class="pt" cx="${num(sx.map(a))}" cy="${num(sy.map(b))}" r="${r}" fill="${color}" fill-opacity="0.55"/>`);
  }
  out.push('</g>', '</svg>');
  return out.join('\n');
}

/** Common padded range of several value arrays (so parity plots of different models share their axes). */
export function parityRange(arrays: ArrayLike<number>[]): [number, number] {
  const all: number[] = [];
  for (const a of arrays) for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i])) all.push(a[i]);
  return extent(all, false);
}

export interface HistogramSeries {
  name: string;
  /** Raw samples; binned on common edges. */
  values: ArrayLike<number>;
  color?: string;
}

/** Common bin edges: `bins` equal bins over [min, max] of all finite samples (or the given range). */
export function binEdges(series: readonly HistogramSeries[], bins: number, range?: [number, number]): number[] {
  let lo = Infinity, hi = -Infinity;
  for (const s of series) for (let i = 0; i < s.values.length; i++) {
    const v = s.values[i];
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (range) [lo, hi] = range;
  if (!(hi > lo)) {
    lo = Number.isFinite(lo) ? lo - 0.5 : 0;
    hi = lo + 1;
  }
  return Array.from({ length: bins + 1 }, (_, k) => lo + ((hi - lo) * k) / bins);
}

/** Counts per bin, normalised to a probability density (∫ = 1 over the edges); samples outside are dropped. */
export function histogramDensity(values: ArrayLike<number>, edges: number[]): number[] {
  const bins = edges.length - 1, lo = edges[0], hi = edges[bins], wdt = (hi - lo) / bins;
  const c = new Array<number>(bins).fill(0);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= lo && v <= hi)) continue;
    c[Math.min(bins - 1, Math.floor((v - lo) / wdt))]++;
    n++;
  }
  return c.map((x) => (n > 0 ? x / (n * wdt) : 0));
}

/** Overlaid step histograms (probability density) on common bins. */
export function histogramPlot(o: PlotOptions & { series: HistogramSeries[]; bins?: number; range?: [number, number] }): string {
  const w = o.width ?? 420, h = o.height ?? 280;
  const edges = binEdges(o.series, o.bins ?? 40, o.range);
  const dens = o.series.map((s) => histogramDensity(s.values, edges));
  const ymax = Math.max(1e-300, ...dens.flat());
  const po: PlotOptions = { ...o, kind: o.kind ?? 'histogram' };
  const M = margins(po, o.series.length);
  const sx = makeScale({ ...o.x, min: edges[0], max: edges[edges.length - 1] }, [], M.left, w - M.right);
  const sy = makeScale({ ...o.y, min: 0, max: ymax * 1.08 }, [], h - M.bottom, M.top);
  const clip = nextClip();
  const out = [open(po, w, h), clipDef(clip, w, h, M), ...frame(po, sx, sy, w, h, M), `<g clip-path="url(#${clip})">`];
  const entries: { name: string; color: string; marker: boolean }[] = [];
  o.series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length];
    const d = dens[k];
    let path = `M${num(sx.map(edges[0]))} ${num(sy.map(0))}`;
    for (let b = 0; b < d.length; b++) path += `V${num(sy.map(d[b]))}H${num(sx.map(edges[b + 1]))}`;
    path += `V${num(sy.map(0))}`;
    out.push(`<path class="series bar" data-name="${esc(s.name)}" d="${path}" fill="${color}" fill-opacity="${o.series.length > 1 ? 0.12 : 0.25}" stroke="${color}" stroke-width="1.6"/>`);
    entries.push({ name: s.name, color, marker: false });
  });
  out.push('</g>', legend(entries, w, M), '</svg>');
  return out.join('\n');
}
