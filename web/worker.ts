/**
 * The page's compute worker: holds the dataset and the fitted models and runs every numeric job (parsing,
 * descriptors, fitting, evaluation, MD, serialisation) through the library's `api` verbs — the same code as the
 * CLI. The UI thread never computes. Long jobs are synchronous here; the page cancels by terminating the worker.
 */
import {
  compareStructures, describeStructure, modelToText, parseStructuresFromText, predictStructures, sortSpecies, startMdSession,
  structuresToExtxyz, toyNaClDataset, useBrowserLinalgThreads, LearnSession, builtinLabeller,
  type FittedModel, type KernelModel, type LearnLogRow, type LearnRunSpec, type LearnSink, type Structure,
} from '../src/api/browser.js';
import type { DatasetView, LearnRowView, MdThermo, Reply, Request, ResultTypes } from './protocol.js';

interface WorkerScope {
  postMessage(message: Reply, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<Request>) => void) | null;
}
const scope = self as unknown as WorkerScope;

let dataset: { name: string; structures: Structure[] } | null = null;
const models = new Map<string, FittedModel>();
let stopRequested = false;
const threads = useBrowserLinalgThreads().catch(() => 1 as const);

function view(name: string, format: string, structures: Structure[]): DatasetView {
  return {
    name,
    format,
    species: sortSpecies(structures.flatMap((s) => s.symbols)),
    labels: {
      energy: structures.filter((s) => s.labels.energyEv !== undefined).length,
      forces: structures.filter((s) => s.labels.forcesEvPerA !== undefined).length,
      stress: structures.filter((s) => s.labels.stressEvPerA3 !== undefined).length,
    },
    frames: structures.map((s) => ({
      symbols: Array.from(s.species, (k) => s.symbols[k]),
      positions: s.positions,
      cell: s.cell,
      pbc: [s.pbc[0], s.pbc[1], s.pbc[2]],
      ...(s.labels.energyEv !== undefined ? { energyEv: s.labels.energyEv } : {}),
    })),
  };
}

function setDataset(name: string, format: string, structures: Structure[]): DatasetView {
  if (structures.length === 0) throw new Error(`${name}: no structures in file`);
  dataset = { name, structures };
  models.clear();
  return view(name, format, structures);
}

function need<T>(x: T | null | undefined, what: string): T {
  if (x === null || x === undefined) throw new Error(what);
  return x;
}

async function handle(req: Request): Promise<ResultTypes[keyof ResultTypes]> {
  const progress = (phase: string, done: number, total: number, message?: string) =>
    scope.postMessage({ id: req.id, type: 'progress', phase, done, total, ...(message ? { message } : {}) });
  switch (req.type) {
    case 'load': {
      const r = parseStructuresFromText(new Uint8Array(req.data), req.name);
      return setDataset(req.name, r.format, r.structures);
    }
    case 'toy': {
      progress('labelling (Ewald)', 0, req.frames);
      const s = toyNaClDataset({ frames: req.frames, repeat: req.repeat });
      return setDataset(`toy NaCl point charges (${s[0].species.length} ions × ${req.frames})`, 'generated', s);
    }
    case 'describe': {
      const d = need(dataset, 'load a dataset first');
      const s = need(d.structures[req.frame], `frame ${req.frame} does not exist`);
      const species = sortSpecies(d.structures.flatMap((x) => x.symbols));
      const r = describeStructure(s, { kind: req.kind, species });
      return { kind: req.kind, rows: r.features.rows, cols: r.features.cols, labels: [...r.features.labels], data: r.features.data };
    }
    case 'fit': {
      const d = need(dataset, 'load a dataset first');
      const q = req.request;
      const labelled = d.structures.filter((s) => s.labels.energyEv !== undefined);
      if (labelled.length < 2) throw new Error('fitting needs at least 2 structures with energies');
      const nTrain = Math.min(q.nTrain, labelled.length - 1);
      const nTest = Math.max(1, Math.min(q.nTest, labelled.length - nTrain));
      // compareStructures holds out ceil(f·n) test structures of a seeded permutation: take a subset of n = train + test.
      const subset = labelled.slice(0, nTrain + nTest);
      const sizes = Array.from({ length: q.curvePoints }, (_, k) => Math.max(1, Math.round(nTrain / 2 ** k)));
      const largest = new Map<string, { n: number; model: FittedModel }>();
      const out = await compareStructures({
        data: subset,
        dataName: d.name,
        models: q.models,
        trainSizes: [...new Set(sizes)],
        seed: q.seed,
        testFraction: nTest / (nTrain + nTest) - 1e-9,
        fit: { selection: { count: q.references } },
        title: `Learning curves on ${d.name}`,
        onProgress: (e) => progress(e.phase, e.done, e.total, e.message),
        onStage: (label) => scope.postMessage({ id: req.id, type: 'stage', label }),
        onModel: (m, n, model) => {
          if ((largest.get(m)?.n ?? 0) < n) largest.set(m, { n, model });
        },
      });
      models.clear();
      for (const [m, x] of largest) models.set(m, x.model);
      return { results: out.results, models: [...models.keys()], threads: await threads };
    }
    case 'md': {
      const d = need(dataset, 'load a dataset first');
      const q = req.request;
      const model = need(models.get(q.model), `no fitted model '${q.model}'`);
      const start = need(d.structures[q.frame], `frame ${q.frame} does not exist`);
      const t0 = performance.now();
      const session = startMdSession(model, start, { timestepFs: q.timestepFs, temperatureK: q.temperatureK, thermostat: q.thermostat, seed: 1 });
      const thermo: MdThermo[] = [];
      const emit = () => {
        const r = session.thermo();
        const t: MdThermo = { step: r.step, timeFs: r.timeFs, temperatureK: r.temperatureK, potentialEv: r.potentialEv, conservedEv: r.conservedEv };
        thermo.push(t);
        scope.postMessage({ id: req.id, type: 'frame', positions: Float64Array.from(session.state.positions), cell: Float64Array.from(session.state.cell), thermo: t });
      };
      emit();
      stopRequested = false;
      let done = 0;
      while (done < q.steps && !stopRequested) {
        const k = Math.min(q.every, q.steps - done);
        session.advance(k);
        done += k;
        emit();
        progress('md', done, q.steps);
        await new Promise((r) => setTimeout(r, 0)); // let a 'stop' message in
      }
      return { steps: done, thermo, wallS: (performance.now() - t0) / 1000, stopped: done < q.steps };
    }
    case 'learn': {
      const d = need(dataset, 'load a dataset first');
      const q = req.request;
      const start = need(d.structures[q.frame], `frame ${q.frame} does not exist`);
      const t0 = performance.now();
      let rows: LearnRowView[] = [];
      const toView = (r: LearnLogRow): LearnRowView => ({
        step: r.step, temperatureK: r.temperatureK, sigmaEvPerA: r.maxForceSigmaEvPerA, thresholdEvPerA: r.thresholdEvPerA, called: r.called, refit: r.refit,
      });
      const sink: LearnSink = { training: () => {}, log: (r) => { rows.push(toView(r)); }, frame: () => {}, model: () => {}, checkpoint: () => {} };
      const spec: LearnRunSpec = {
        reference: { engine: q.engine }, steps: q.steps, timestepFs: q.timestepFs, temperatureK: q.temperatureK, thermostat: 'bussi',
        tauFs: 100, frictionPerFs: 0.01, seed: 1, descriptors: 'sr', seedFrames: 0,
        config: { threshold: { batch: q.batch, minInterval: q.minInterval, historyLength: 5 }, fit: { maxNewReferences: 4 } },
      };
      stopRequested = false;
      const session = await LearnSession.start(spec, start, [], builtinLabeller(q.engine), sink);
      const flush = () => {
        scope.postMessage({ id: req.id, type: 'learn-rows', rows, calls: session.counters.calls, refits: session.counters.refits });
        rows = [];
      };
      flush();
      while (!session.done && !stopRequested) {
        const row = await session.step();
        if (row.step % q.every === 0 || session.done) {
          flush();
          progress('learn', row.step, q.steps, `calls ${session.counters.calls}`);
        }
        await new Promise((r) => setTimeout(r, 0)); // let a 'stop' message in (a step takes tens of ms)
      }
      flush();
      const counts = session.fit?.referenceCounts() ?? [];
      return {
        steps: session.st.step, calls: session.counters.calls, refits: session.counters.refits,
        references: Object.fromEntries((session.fit?.species ?? []).map((s, t) => [s, counts[t]])),
        wallS: (performance.now() - t0) / 1000, stopped: !session.done,
      };
    }
    case 'stop':
      stopRequested = true;
      return null;
    case 'download': {
      const model = need(models.get(req.model), `no fitted model '${req.model}'`);
      const tag = req.model.replace(/[^a-z0-9]+/gi, '-');
      if (req.what === 'model') return { fileName: `farfield-model-${tag}.json`, text: modelToText(model) };
      const pred = predictStructures(model, need(dataset, 'load a dataset first').structures, {
        onProgress: (e) => progress(e.phase, e.done, e.total),
      });
      return { fileName: `farfield-predictions-${tag}.xyz`, text: structuresToExtxyz(pred) };
    }
  }
}

scope.onmessage = (e: MessageEvent<Request>) => {
  const req = e.data;
  handle(req).then(
    (value) => scope.postMessage({ id: req.id, type: 'result', value }),
    (err: unknown) => scope.postMessage({ id: req.id, type: 'error', message: err instanceof Error ? err.message : String(err) }),
  );
};
