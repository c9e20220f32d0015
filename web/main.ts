/**
 * The page's UI thread: wires the DOM to the compute worker (client.ts) and draws results with the report's SVG
 * kit (src/api/report). No numerics here: every number shown comes from the worker, i.e. from the library's api.
 *
 * Build-time constants (scripts/build-web.mjs): __WORKER_SOURCE__ (the bundled worker, started from a Blob so the
 * page also works from file://) and __DATASETS__ (the bundled dataset files, loaded as data/<id>.js scripts).
 */
import { errorValue, linePlot, parityPlot, PALETTE, resultsTable, type CompareResults } from '../src/report/index.js';
import { CancelledError, WorkerClient } from './client.js';
import type { DatasetView, DescribeView, FitView, LearnRowView, MdThermo } from './protocol.js';
import { StructureViewer } from './viewer.js';

declare const __WORKER_SOURCE__: string;
declare const __DATASETS__: { id: string; label: string; bytes: number }[];

declare global {
  interface Window {
    /** Called by data/<id>.js with the dataset file's text. */
    __farfieldDataset?: (id: string, text: string) => void;
    /** State the end-to-end test reads. */
    farfield?: { ready: boolean; dataset: DatasetView | null; fit: FitView | null; md: MdThermo[]; learn: LearnRowView[] };
  }
}

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page is missing #${id}`);
  return el as T;
};
const num = (id: string): number => Number($<HTMLInputElement>(id).value);

const client = new WorkerClient(__WORKER_SOURCE__);
const viewer = new StructureViewer($('viewer'));
const state: NonNullable<Window['farfield']> = { ready: false, dataset: null, fit: null, md: [], learn: [] };
window.farfield = state;
let selectedAtom: number | null = null;
let lastDescribe: DescribeView | null = null;

function setStatus(id: string, text: string, error = false): void {
  const el = $(id);
  el.textContent = text;
  el.classList.toggle('error', error);
}

function enableSections(): void {
  for (const s of document.querySelectorAll('section.needs-data')) s.classList.toggle('disabled', !state.dataset);
  for (const s of document.querySelectorAll('section.needs-model')) s.classList.toggle('disabled', !state.fit);
}

// ---------- 1 · data ----------

const TOY = [
  { id: 'toy-8', label: 'Toy NaCl point charges, 8 ions × 24 frames (generated, Ewald labels)', frames: 24, repeat: 1 },
  { id: 'toy-64', label: 'Toy NaCl point charges, 64 ions × 24 frames (generated, Ewald labels)', frames: 24, repeat: 2 },
];

function fillDatasets(): void {
  const sel = $<HTMLSelectElement>('dataset');
  for (const t of TOY) sel.add(new Option(t.label, t.id));
  for (const d of __DATASETS__) sel.add(new Option(`${d.label} (${(d.bytes / 1024).toFixed(0)} kB)`, d.id));
}

function loadScriptDataset(id: string): Promise<string> {
  return new Promise((resolve, reject) => {
    window.__farfieldDataset = (got, text) => {
      if (got === id) resolve(text);
    };
    const s = document.createElement('script');
    s.src = `data/${id}.js`;
    s.onerror = () => reject(new Error(`cannot load data/${id}.js`));
    document.head.appendChild(s);
  });
}

async function loadDataset(): Promise<void> {
  const id = $<HTMLSelectElement>('dataset').value;
  const toy = TOY.find((t) => t.id === id);
  setStatus('data-status', 'loading …');
  try {
    let d: DatasetView;
    if (toy) d = await client.request('toy', { frames: toy.frames, repeat: toy.repeat });
    else {
      const text = await loadScriptDataset(id);
      const meta = __DATASETS__.find((x) => x.id === id);
      d = await client.request('load', { name: meta?.label ?? `${id}.xyz`, data: new TextEncoder().encode(text).buffer as ArrayBuffer });
    }
    datasetLoaded(d);
  } catch (e) {
    setStatus('data-status', (e as Error).message, true);
  }
}

async function loadFile(file: File): Promise<void> {
  setStatus('data-status', `reading ${file.name} …`);
  try {
    datasetLoaded(await client.request('load', { name: file.name, data: await file.arrayBuffer() }));
  } catch (e) {
    setStatus('data-status', `${file.name}: ${(e as Error).message}`, true);
  }
}

function datasetLoaded(d: DatasetView): void {
  state.dataset = d;
  state.fit = null;
  const atoms = d.frames.reduce((s, f) => s + f.symbols.length, 0);
  setStatus('data-status', `${d.name} · ${d.format} · ${d.frames.length} structures, ${atoms} atoms · species ${d.species.join(' ')} · labels: energy ${d.labels.energy}, forces ${d.labels.forces}, stress ${d.labels.stress}`);
  const n = d.frames.length;
  for (const id of ['frame', 'frame-slider']) $<HTMLInputElement>(id).max = String(n - 1);
  $('frame-count').textContent = `of 0 … ${n - 1}`;
  const labelled = d.labels.energy;
  $<HTMLInputElement>('n-train').value = String(Math.max(1, Math.min(16, labelled - Math.max(1, Math.floor(labelled / 3)))));
  $<HTMLInputElement>('n-test').value = String(Math.max(1, Math.min(8, Math.floor(labelled / 3))));
  $('fit-results').hidden = true;
  $('md-plots').innerHTML = '';
  showFrame(0);
  enableSections();
}

// ---------- 2 · structure ----------

function currentFrame(): number {
  return Number($<HTMLInputElement>('frame').value) || 0;
}

function showFrame(k: number): void {
  const d = state.dataset;
  if (!d) return;
  k = Math.max(0, Math.min(d.frames.length - 1, k));
  $<HTMLInputElement>('frame').value = String(k);
  $<HTMLInputElement>('frame-slider').value = String(k);
  const f = d.frames[k];
  selectedAtom = null;
  lastDescribe = null;
  viewer.show(f);
  const c = f.cell, len = (i: number) => Math.hypot(c[3 * i], c[3 * i + 1], c[3 * i + 2]);
  const counts = new Map<string, number>();
  for (const s of f.symbols) counts.set(s, (counts.get(s) ?? 0) + 1);
  $('frame-info').textContent = [
    `atoms   ${f.symbols.length} (${[...counts].map(([s, n]) => `${s}${n}`).join(' ')})`,
    `cell    ${[0, 1, 2].map((i) => len(i).toFixed(3)).join(' × ')} Å`,
    `pbc     ${f.pbc.map((p) => (p ? 'T' : 'F')).join(' ')}`,
    `energy  ${f.energyEv !== undefined ? `${f.energyEv.toFixed(6)} eV` : '—'}`,
  ].join('\n');
  $('atom-plot').innerHTML = '';
  const ctx = $<HTMLCanvasElement>('heatmap').getContext('2d');
  ctx?.clearRect(0, 0, 9999, 9999);
  $('heatmap-caption').textContent = '';
}

viewer.setPickHandler((atom) => {
  selectedAtom = atom;
  viewer.style(atom);
  if (lastDescribe) drawDescriptor(lastDescribe);
});

// ---------- 3 · descriptors ----------

async function describe(): Promise<void> {
  const kind = $<HTMLSelectElement>('desc-kind').value;
  setStatus('desc-status', `computing ${kind} …`);
  try {
    const t0 = performance.now();
    const r = await client.request('describe', { frame: currentFrame(), kind });
    lastDescribe = r;
    drawDescriptor(r);
    setStatus('desc-status', `${r.rows} atoms × ${r.cols} features in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  } catch (e) {
    setStatus('desc-status', (e as Error).message, true);
  }
}

/** Heat map (rows = atoms grouped by species, columns = features, each column scaled to its range) + line plot. */
function drawDescriptor(r: DescribeView): void {
  const f = state.dataset!.frames[currentFrame()];
  const order = f.symbols.map((s, i) => [s, i] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1])).map((x) => x[1]);
  const canvas = $<HTMLCanvasElement>('heatmap');
  const ctx = canvas.getContext('2d');
  if (ctx) {
    const W = canvas.width, H = canvas.height;
    ctx.clearRect(0, 0, W, H);
    const cw = W / r.cols, rh = H / r.rows;
    for (let j = 0; j < r.cols; j++) {
      let lo = Infinity, hi = -Infinity;
      for (let i = 0; i < r.rows; i++) {
        const v = r.data[i * r.cols + j];
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      order.forEach((atom, row) => {
        const t = hi > lo ? (r.data[atom * r.cols + j] - lo) / (hi - lo) : 0.5;
        ctx.fillStyle = viridis(t);
        ctx.fillRect(j * cw, row * rh, Math.ceil(cw), Math.ceil(rh));
      });
    }
    if (selectedAtom !== null) {
      ctx.strokeStyle = '#ff2d55';
      ctx.lineWidth = 2;
      ctx.strokeRect(1, order.indexOf(selectedAtom) * rh, W - 2, Math.max(rh, 2));
    }
  }
  const species = [...new Set(f.symbols)];
  $('heatmap-caption').textContent = `rows: atoms grouped by species (${species.join(', ')}); columns: ${r.cols} ${r.kind} features, each scaled to its own range (viridis)`;
  const x = Array.from({ length: r.cols }, (_, j) => j);
  // Blocks differ by orders of magnitude (sr ~1e-2, FKK ~1e2): plot each feature divided by its largest |value|.
  const scale = x.map((j) => {
    let m = 0;
    for (let i = 0; i < r.rows; i++) m = Math.max(m, Math.abs(r.data[i * r.cols + j]));
    return m > 0 ? m : 1;
  });
  const series = species.map((sym, k) => {
    const atoms = f.symbols.map((s, i) => (s === sym ? i : -1)).filter((i) => i >= 0);
    const y = x.map((j) => atoms.reduce((s, i) => s + r.data[i * r.cols + j], 0) / atoms.length / scale[j]);
    return { name: `mean ${sym}`, x, y, color: PALETTE[k % PALETTE.length], markers: false };
  });
  if (selectedAtom !== null) {
    const a = selectedAtom;
    series.push({ name: `atom ${a} (${f.symbols[a]})`, x, y: x.map((j) => r.data[a * r.cols + j] / scale[j]), color: '#000000', markers: false });
  }
  $('atom-plot').innerHTML = linePlot({ title: `${r.kind} descriptor per atom`, x: { label: 'feature index' }, y: { label: 'value / max |value| over atoms' }, series, width: 560, height: 300, kind: 'descriptor' });
}

function viridis(t: number): string {
  const stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  const u = Math.max(0, Math.min(1, t)) * (stops.length - 1), i = Math.min(stops.length - 2, Math.floor(u)), w = u - i;
  const c = stops[i].map((v, k) => Math.round(v + w * (stops[i + 1][k] - v)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

// ---------- 4 · fit ----------

async function fit(): Promise<void> {
  const models = [...document.querySelectorAll<HTMLInputElement>('input[name=model]:checked')].map((x) => x.value);
  if (models.length === 0) return setStatus('fit-status', 'choose at least one model', true);
  const fitBtn = $<HTMLButtonElement>('fit'), cancelBtn = $<HTMLButtonElement>('fit-cancel');
  fitBtn.disabled = true;
  cancelBtn.disabled = false;
  const bar = $<HTMLProgressElement>('fit-progress');
  let stage = '';
  const t0 = performance.now();
  setStatus('fit-status', 'starting …');
  try {
    const r = await client.request('fit', {
      request: { models, nTrain: num('n-train'), nTest: num('n-test'), references: num('n-refs'), curvePoints: num('n-points'), seed: 1 },
    }, {
      stage: (label) => {
        stage = label;
        setStatus('fit-status', label);
      },
      progress: (phase, done, total, message) => {
        bar.value = total > 0 ? done / total : 0;
        setStatus('fit-status', `${stage} · ${phase}${message ? ` (${message})` : ''} ${done}/${total}`);
      },
    });
    state.fit = r;
    bar.value = 1;
    setStatus('fit-status', `done in ${((performance.now() - t0) / 1000).toFixed(1)} s · linear algebra: ${r.threads === 0 ? 'TypeScript' : `WebAssembly SIMD, ${r.threads} thread${r.threads > 1 ? 's' : ''}`}${crossOriginIsolated ? '' : ' (page not cross-origin isolated: 1 thread)'}`);
    showFit(r);
  } catch (e) {
    setStatus('fit-status', e instanceof CancelledError ? 'cancelled (fitted models discarded)' : (e as Error).message, !(e instanceof CancelledError));
    bar.value = 0;
  } finally {
    fitBtn.disabled = false;
    cancelBtn.disabled = true;
    enableSections();
  }
}

function showFit(r: FitView): void {
  const res = r.results;
  $('fit-results').hidden = false;
  $('error-table').innerHTML = `<div class="muted small">Test set: ${res.dataset.test.structures} structures (held out); errors in meV/atom, meV/Å, meV/Å³; RMSPE = RMSE / std(reference).</div>` + resultsTable(res);
  $('curves').innerHTML = learningCurves(res);
  $('parity').innerHTML = parityPlots(res);
  for (const id of ['download-model', 'md-model']) {
    const sel = $<HTMLSelectElement>(id);
    sel.innerHTML = '';
    for (const m of r.models) sel.add(new Option(m, m));
    sel.value = r.models[r.models.length - 1];
  }
}

function learningCurves(res: CompareResults): string {
  const plots: string[] = [];
  for (const [key, label] of [['energy', 'energy RMSE (meV/atom)'], ['forces', 'force RMSE (meV/Å)']] as const) {
    const series = res.models.map((m, k) => {
      const runs = res.runs.filter((x) => x.model === m && x[key] !== null).sort((a, b) => a.trainSize - b.trainSize);
      return { name: m, x: runs.map((x) => x.trainSize), y: runs.map((x) => errorValue(x[key]!, key, 'rmse')), color: PALETTE[k % PALETTE.length] };
    }).filter((s) => s.x.length > 0);
    if (series.length > 0)
      plots.push(linePlot({ title: `Learning curve: ${key}`, x: { label: 'training structures', log: true, ticks: res.trainSizes }, y: { label, log: true }, series, width: 400, height: 290, kind: 'learning-curve' }));
  }
  return plots.join('');
}

function parityPlots(res: CompareResults): string {
  const out: string[] = [];
  res.parity.forEach((p) => {
    const k = res.models.indexOf(p.model);
    const color = PALETTE[k % PALETTE.length];
    if (p.energy.ref.length > 0)
      out.push(parityPlot({ title: `${p.model}: energy`, subtitle: `${p.energy.total} test structures`, xLabel: 'reference (eV/atom)', yLabel: 'predicted (eV/atom)', ref: p.energy.ref, pred: p.energy.pred, color, width: 272, height: 272 }));
    if (p.forces.ref.length > 0)
      out.push(parityPlot({ title: `${p.model}: forces`, subtitle: `${p.forces.ref.length} of ${p.forces.total} components`, xLabel: 'reference (eV/Å)', yLabel: 'predicted (eV/Å)', ref: p.forces.ref, pred: p.forces.pred, color, width: 272, height: 272 }));
  });
  return out.join('');
}

async function download(what: 'model' | 'predictions'): Promise<void> {
  const model = $<HTMLSelectElement>('download-model').value;
  setStatus('fit-status', `preparing ${what} …`);
  try {
    const r = await client.request('download', { what, model });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([r.text], { type: what === 'model' ? 'application/json' : 'chemical/x-xyz' }));
    a.download = r.fileName;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setStatus('fit-status', `downloaded ${r.fileName} (${(r.text.length / 1024).toFixed(0)} kB)`);
  } catch (e) {
    setStatus('fit-status', (e as Error).message, true);
  }
}

// ---------- 5 · MD ----------

async function runMd(): Promise<void> {
  const runBtn = $<HTMLButtonElement>('md-run'), stopBtn = $<HTMLButtonElement>('md-cancel');
  runBtn.disabled = true;
  stopBtn.disabled = false;
  const steps = num('md-steps');
  const thermo: MdThermo[] = [];
  state.md = thermo;
  const frame = currentFrame();
  viewer.show(state.dataset!.frames[frame], selectedAtom);
  let lastDraw = 0;
  setStatus('md-status', 'starting …');
  try {
    const r = await client.request('md', {
      request: {
        model: $<HTMLSelectElement>('md-model').value, frame, steps, timestepFs: num('md-dt'), temperatureK: num('md-temp'),
        thermostat: $<HTMLSelectElement>('md-thermostat').value as 'bussi', every: Math.max(1, Math.round(steps / 50)),
      },
    }, {
      frame: (f) => {
        thermo.push(f.thermo);
        viewer.update(f.positions);
        setStatus('md-status', `step ${f.thermo.step} / ${steps} · T ${f.thermo.temperatureK.toFixed(0)} K · E_pot ${f.thermo.potentialEv.toFixed(4)} eV`);
        if (performance.now() - lastDraw > 250) {
          lastDraw = performance.now();
          drawThermo(thermo);
        }
      },
    });
    drawThermo(thermo);
    const last = r.thermo[r.thermo.length - 1];
    setStatus('md-status', `${r.stopped ? 'stopped' : 'done'}: ${r.steps} steps in ${r.wallS.toFixed(1)} s · final T ${last.temperatureK.toFixed(0)} K · conserved-energy drift ${((last.conservedEv - r.thermo[0].conservedEv) / state.dataset!.frames[frame].symbols.length * 1000).toFixed(3)} meV/atom`);
  } catch (e) {
    if (e instanceof CancelledError) {
      setStatus('md-status', 'stopped (worker restarted: fit again to continue)');
      state.fit = null;
    } else setStatus('md-status', (e as Error).message, true);
  } finally {
    runBtn.disabled = false;
    stopBtn.disabled = true;
    enableSections();
  }
}

function drawThermo(t: MdThermo[]): void {
  const x = t.map((r) => r.timeFs);
  const u0 = t[0]?.potentialEv ?? 0, c0 = t[0]?.conservedEv ?? 0;
  $('md-plots').innerHTML =
    linePlot({ title: 'Temperature', x: { label: 'time (fs)' }, y: { label: 'T (K)' }, series: [{ name: 'T', x, y: t.map((r) => r.temperatureK) }], width: 400, height: 260, kind: 'md-temperature' }) +
    linePlot({ title: 'Energies relative to step 0', x: { label: 'time (fs)' }, y: { label: 'E − E(0) (eV)' }, series: [
      { name: 'potential', x, y: t.map((r) => r.potentialEv - u0), color: PALETTE[1] },
      { name: 'conserved', x, y: t.map((r) => r.conservedEv - c0), color: PALETTE[2] },
    ], width: 400, height: 260, kind: 'md-energy' });
}

// ---------- 6 · learn on the fly ----------

async function runLearnPanel(): Promise<void> {
  const runBtn = $<HTMLButtonElement>('learn-run'), stopBtn = $<HTMLButtonElement>('learn-cancel');
  runBtn.disabled = true;
  stopBtn.disabled = false;
  const steps = num('learn-steps');
  const rows: LearnRowView[] = [];
  state.learn = rows;
  let lastDraw = 0;
  setStatus('learn-status', 'labelling the first step …');
  try {
    const r = await client.request('learn', {
      request: {
        engine: $<HTMLSelectElement>('learn-engine').value as 'fumi-tosi', frame: currentFrame(), steps, timestepFs: num('learn-dt'),
        temperatureK: num('learn-temp'), batch: num('learn-batch'), minInterval: num('learn-interval'), every: Math.max(1, Math.round(steps / 50)),
      },
    }, {
      learnRows: (m) => {
        rows.push(...m.rows);
        const last = rows[rows.length - 1];
        if (last) setStatus('learn-status', `step ${last.step} / ${steps} · T ${last.temperatureK.toFixed(0)} K · σ_F ${Number.isFinite(last.sigmaEvPerA) ? last.sigmaEvPerA.toFixed(3) : '–'} / threshold ${last.thresholdEvPerA.toFixed(3)} eV/Å · ${m.calls} reference calls · ${m.refits} refits`);
        if (performance.now() - lastDraw > 250) {
          lastDraw = performance.now();
          drawLearn(rows);
        }
      },
    });
    drawLearn(rows);
    setStatus('learn-status', `${r.stopped ? 'stopped' : 'done'}: ${r.steps} steps in ${r.wallS.toFixed(1)} s · ${r.calls} reference calls (${(100 * r.calls / Math.max(1, r.steps)).toFixed(1)} % of the steps) · ${r.refits} refits · references ${Object.entries(r.references).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  } catch (e) {
    if (e instanceof CancelledError) {
      setStatus('learn-status', 'cancelled (worker restarted: fitted models were dropped)');
      state.fit = null;
    }
    else setStatus('learn-status', (e as Error).message, true);
  } finally {
    runBtn.disabled = false;
    stopBtn.disabled = true;
    enableSections();
  }
}

function drawLearn(rows: LearnRowView[]): void {
  const ok = rows.filter((r) => Number.isFinite(r.sigmaEvPerA) && r.sigmaEvPerA > 0);
  const calls = rows.filter((r) => r.called);
  let c = 0;
  const cum = rows.map((r) => (c += r.called ? 1 : 0));
  $('learn-plots').innerHTML =
    linePlot({ title: 'Bayesian force error and threshold', x: { label: 'MD step' }, y: { label: 'eV/Å', log: true }, series: [
      { name: 'max σ_F', x: ok.map((r) => r.step), y: ok.map((r) => r.sigmaEvPerA), color: PALETTE[0], markers: false },
      { name: 'threshold', x: rows.map((r) => r.step), y: rows.map((r) => r.thresholdEvPerA), color: PALETTE[1], markers: false },
      { name: 'reference calls', x: calls.map((r) => r.step), y: calls.map((r) => (Number.isFinite(r.sigmaEvPerA) && r.sigmaEvPerA > 0 ? r.sigmaEvPerA : r.thresholdEvPerA)), color: PALETTE[3], line: false, markers: true },
    ], width: 400, height: 260, kind: 'learn-threshold' }) +
    linePlot({ title: 'Cumulative reference calls', x: { label: 'MD step' }, y: { label: 'calls' }, series: [{ name: 'calls', x: rows.map((r) => r.step), y: cum, color: PALETTE[2], markers: false }], width: 400, height: 260, kind: 'learn-calls' });
}

// ---------- wiring ----------

function wire(): void {
  fillDatasets();
  $('load-dataset').addEventListener('click', () => void loadDataset());
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = e.dataTransfer?.files[0];
    if (f) void loadFile(f);
  });
  $<HTMLInputElement>('file').addEventListener('change', (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) void loadFile(f);
  });
  $('frame').addEventListener('change', () => showFrame(currentFrame()));
  $('frame-slider').addEventListener('input', (e) => showFrame(Number((e.target as HTMLInputElement).value)));
  $('describe').addEventListener('click', () => void describe());
  $('fit').addEventListener('click', () => void fit());
  $('fit-cancel').addEventListener('click', () => void client.cancel());
  $('download-model-btn').addEventListener('click', () => void download('model'));
  $('download-pred-btn').addEventListener('click', () => void download('predictions'));
  $('md-run').addEventListener('click', () => void runMd());
  $('md-cancel').addEventListener('click', () => client.stop());
  $('learn-run').addEventListener('click', () => void runLearnPanel());
  $('learn-cancel').addEventListener('click', () => client.stop());
  window.addEventListener('resize', () => viewer.resize());
  $('env').textContent = `${crossOriginIsolated ? 'cross-origin isolated (2-thread WebAssembly linear algebra)' : 'not cross-origin isolated: single-threaded linear algebra (serve with `farfield serve` for 2 threads)'} · ${location.protocol === 'file:' ? 'opened from disk' : location.host}`;
  enableSections();
  state.ready = true;
}

wire();
