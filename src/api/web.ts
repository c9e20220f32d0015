/**
 * Library verbs for hosts without a file system (the web page, its worker): parse structure files from text,
 * write structures and models to text, a generated toy dataset, learning-curve subsets and stepwise MD.
 *
 * Browser threads: the wasm linear algebra runs a helper thread over shared memory when the page is cross-origin
 * isolated; in a browser the host supplies the thread (`useBrowserLinalgThreads`, a Web Worker from a Blob).
 *
 * Nothing here touches `node:*`; the numerics are the same functions the CLI calls (io parsers, fitModel,
 * evaluateModel, md integrators). Units as everywhere: Å, eV, eV/Å, fs, K.
 */
import { FarfieldError, Rng, makeStructure, type Calculator, type Structure } from '../core/index.js';
import { ElectrostaticsCalculator } from '../electrostatics/index.js';
import { detectFormatName, formatExtxyzFrame, parseMlab, parseOutcar, parsePoscar, parseVasprun, parseXdatcar, parseXyzText, type MlabHeader } from '../io/index.js';
import { blowUpGuard, createIntegrator, stateToStructure, thermoRecord, type Integrator, type MdState, type ThermoRecord } from '../md/index.js';
import { linalgThreadsReady, setHelperSpawner, wasmLinalgAvailable } from '../math/index.js';
import { KernelModel, serializeModel, serializeAnyModel, type FittedModel } from '../model/index.js';
import { integratorConfig, type Thermostat } from './mdConfig.js';

/** Formats `parseStructuresFromText` understands. */
export const TEXT_FORMATS = ['extxyz', 'xyz', 'poscar', 'ml_ab', 'xdatcar', 'outcar', 'vasprun'] as const;
export type TextFormat = (typeof TEXT_FORMATS)[number];

/** Guess the format from the file name, then from the content (io's detection rules, the same the CLI uses). */
export function detectTextFormat(fileName: string, text: string): TextFormat {
  return detectFormatName(fileName, () => text);
}

export interface ParsedText {
  structures: Structure[];
  format: TextFormat;
  /** ML_AB header, when the input was ML_AB. */
  mlab?: MlabHeader;
}

/** Parse a structure file held in memory (text or UTF-8 bytes). `fileName` is used for format detection and errors. */
export function parseStructuresFromText(input: string | ArrayBuffer | Uint8Array, fileName: string, format?: TextFormat): ParsedText {
  const text = typeof input === 'string' ? input : new TextDecoder('utf-8').decode(input);
  const f = format ?? detectTextFormat(fileName, text);
  switch (f) {
    case 'extxyz': return { structures: parseXyzText(text, fileName), format: f };
    case 'xyz': return { structures: parseXyzText(text, fileName, true), format: f };
    case 'poscar': return { structures: [parsePoscar(text, fileName)], format: f };
    case 'ml_ab': {
      const r = parseMlab(text, fileName);
      return { structures: r.structures, format: f, mlab: r.header };
    }
    case 'xdatcar': return { structures: parseXdatcar(text, fileName), format: f };
    case 'outcar': return { structures: parseOutcar(text, fileName), format: f };
    case 'vasprun': return { structures: parseVasprun(text, fileName), format: f };
    default: throw new FarfieldError('FORMAT', `unknown text format '${f as string}' (known: ${TEXT_FORMATS.join(', ')})`);
  }
}

/** Structures as extended XYZ text (what `saveStructures` writes to a .xyz file). */
export function structuresToExtxyz(structures: readonly Structure[]): string {
  return structures.map((s) => formatExtxyzFrame(s)).join('');
}

/** The model file's text (same bytes as `saveModel` writes). */
export function modelToText(model: FittedModel): string {
  return serializeAnyModel(model);
}

export interface ToyDatasetOptions {
  /** Number of structures (default 24). */
  frames?: number;
  /** Rock-salt repetitions per axis of the conventional 8-ion cell (default 1: 8 ions; 2: 64 ions). */
  repeat?: number;
  /** Lattice constant, Å (default 5.64). */
  latticeA?: number;
  /** Largest random displacement per Cartesian component, Å (default 0.3). */
  displacementA?: number;
  /** Largest relative random strain per cell component (default 0.04). */
  strain?: number;
  seed?: number;
}

/**
 * Toy dataset: rock-salt NaCl with seeded random displacements and strains, labelled (energy, forces, stress) by
 * bare point charges Na +1, Cl −1 summed by Ewald at 1e-8 accuracy. A purely electrostatic target, so a long-range
 * descriptor has something to learn that a short-range one cannot.
 */
export function toyNaClDataset(options: ToyDatasetOptions = {}): Structure[] {
  const frames = options.frames ?? 24, rep = options.repeat ?? 1, a0 = options.latticeA ?? 5.64;
  const disp = options.displacementA ?? 0.3, strain = options.strain ?? 0.04;
  if (!Number.isInteger(frames) || frames < 1) throw new FarfieldError('INVALID_INPUT', `toy dataset: frames must be an integer ≥ 1, got ${frames}`);
  if (!Number.isInteger(rep) || rep < 1 || rep > 4) throw new FarfieldError('INVALID_INPUT', `toy dataset: repeat must be an integer in 1..4, got ${rep}`);
  const rng = new Rng(options.seed ?? 7);
  const calc = new ElectrostaticsCalculator({ charges: { Na: 1, Cl: -1 }, accuracy: 1e-8 });
  const m = 2 * rep;
  const out: Structure[] = [];
  for (let f = 0; f < frames; f++) {
    const cell = [0, 0, 0, 0, 0, 0, 0, 0, 0];
    for (let r = 0; r < 3; r++)
      for (let c = 0; c < 3; c++) {
        const e = strain * (2 * rng.uniform() - 1);
        cell[3 * r + c] = rep * a0 * ((r === c ? 1 : 0) + (r <= c ? e : 0));
      }
    const symbols: string[] = [], positions: number[][] = [];
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) for (let k = 0; k < m; k++) {
      symbols.push((i + j + k) % 2 === 0 ? 'Na' : 'Cl');
      const fr = [i / m, j / m, k / m];
      const p = [0, 1, 2].map((c) => fr[0] * cell[c] + fr[1] * cell[3 + c] + fr[2] * cell[6 + c] + disp * (2 * rng.uniform() - 1));
      positions.push(p);
    }
    const s = makeStructure({ symbols, positions, cell, info: { config_type: 'toy-nacl-point-charges', frame: f } });
    const r = calc.calculate(s, { forces: true, stress: true });
    s.labels.energyEv = r.energyEv;
    if (r.forcesEvPerA) s.labels.forcesEvPerA = r.forcesEvPerA;
    if (r.stressEvPerA3) s.labels.stressEvPerA3 = r.stressEvPerA3;
    out.push(s);
  }
  return out;
}

export interface MdSessionOptions {
  timestepFs: number;
  temperatureK: number;
  thermostat?: Thermostat;
  seed?: number;
}

/** Stepwise MD for interactive hosts: the caller advances in chunks and receives frames and thermo records. */
export interface MdSession {
  readonly integrator: Integrator;
  readonly state: MdState;
  /** Advance `steps` steps; returns the thermo record after the last one. */
  advance(steps: number): ThermoRecord;
  /** The current configuration as a Structure (positions as integrated, not wrapped). */
  frame(): Structure;
  thermo(): ThermoRecord;
}

/** Start MD (same integrators and defaults as `runMolecularDynamics`, default thermostat 'bussi'). */
export function startMdSession(calculator: Calculator, start: Structure, o: MdSessionOptions): MdSession {
  if (!(o.timestepFs > 0) || !(o.timestepFs <= 20)) throw new FarfieldError('INVALID_INPUT', `md: time step must be in (0, 20] fs, got ${o.timestepFs}`);
  if (!(o.temperatureK >= 0) || !Number.isFinite(o.temperatureK)) throw new FarfieldError('INVALID_INPUT', `md: temperature must be ≥ 0 K, got ${o.temperatureK}`);
  const integrator = createIntegrator(calculator, integratorConfig(o.thermostat ?? 'bussi', o.timestepFs, o.temperatureK));
  const state = integrator.init(start, { temperatureK: o.temperatureK, seed: o.seed ?? 1 });
  // The same blow-up guard as `farfield md`: an unstable run stops with an MdBlowUpError instead of running on.
  const guard = blowUpGuard(integrator, state);
  guard(state);
  return {
    integrator,
    state,
    advance(steps: number): ThermoRecord {
      if (!Number.isInteger(steps) || steps < 0) throw new FarfieldError('INVALID_INPUT', `md: steps must be an integer ≥ 0, got ${steps}`);
      for (let k = 0; k < steps; k++) {
        integrator.step(state);
        guard(state);
      }
      return thermoRecord(state);
    },
    frame: () => stateToStructure(state),
    thermo: () => thermoRecord(state),
  };
}

/**
 * Let the wasm linear algebra start its helper as a browser Web Worker (from a Blob, so no file is needed) and
 * wait until it runs. Resolves to the thread count the fits will use: 2 with the helper, 1 without (no
 * SharedArrayBuffer because the page is not cross-origin isolated, no wasm SIMD, or a timeout), 0 if the wasm
 * backend is unavailable (plain TypeScript kernels). Call it inside a worker: the main thread cannot block.
 */
export async function useBrowserLinalgThreads(timeoutMs = 5000): Promise<0 | 1 | 2> {
  if (!wasmLinalgAvailable()) return 0;
  setHelperSpawner((source, init) => {
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    const w = new Worker(url);
    w.postMessage(init);
    return { terminate: () => w.terminate() };
  });
  return (await linalgThreadsReady(timeoutMs)) ? 2 : 1;
}
