/**
 * Predict with a model: returns new structures (inputs are not mutated) whose labels are the predictions — energy
 * (eV), forces (eV/Å), stress (eV/Å³, periodic only) — with per-atom energies in `arrays.energies` (eV) and, when
 * asked and available, `info.energy_uncertainty` (eV, std of the total energy) and `arrays.energy_uncertainty`
 * (eV, per atom). Written as extended XYZ these are ASE-readable properties.
 */
import { FarfieldError, type Calculator, type ProgressCallback, type Structure } from '../core/index.js';
import { KernelModel } from '../model/index.js';
import { readFileSync } from 'node:fs';
import { checkOutputFile, formatForWriting } from '../io/index.js';
import { readInputFrames } from './inputs.js';

export interface PredictOptions {
  forces?: boolean;
  stress?: boolean;
  uncertainty?: boolean;
  onProgress?: ProgressCallback;
}

/** The prediction for one structure as a new structure (see the module header). */
export function predictStructure(model: Calculator, s: Structure, options: PredictOptions = {}): Structure {
  const periodic = s.pbc.every((p) => p);
  const r = model.calculate(s, { forces: options.forces ?? true, stress: (options.stress ?? true) && periodic, uncertainty: options.uncertainty ?? false });
  const out: Structure = { ...s, info: { ...s.info }, arrays: { ...s.arrays }, labels: { energyEv: r.energyEv } };
  if (r.forcesEvPerA) out.labels.forcesEvPerA = r.forcesEvPerA;
  if (r.stressEvPerA3) out.labels.stressEvPerA3 = r.stressEvPerA3;
  if (r.energiesEv) out.arrays.energies = { type: 'R', width: 1, data: r.energiesEv };
  if (r.uncertainty?.energyEv !== undefined) out.info.energy_uncertainty = r.uncertainty.energyEv;
  if (r.uncertainty?.energiesEv) out.arrays.energy_uncertainty = { type: 'R', width: 1, data: r.uncertainty.energiesEv };
  return out;
}

export function predictStructures(model: Calculator, structures: readonly Structure[], options: PredictOptions = {}): Structure[] {
  return structures.map((s, k) => {
    const out = predictStructure(model, s, options);
    options.onProgress?.({ phase: 'predict', done: k + 1, total: structures.length });
    return out;
  });
}

/** Let the event loop run (signal handlers, timers) between frames: frames parsed from the read buffer resolve as
 * microtasks only, so without this Ctrl-C would wait for the next 1 MB read. */
const turnEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

export interface PredictFileOptions extends PredictOptions {
  /** Input format (default: from the name / content). */
  format?: string;
}

/**
 * Predict every frame of `input` (a file, or several read one after the other) and write the results to `output`, streamed: frames are read, predicted and
 * appended one at a time through an atomic writer (temporary file renamed at the end; nothing is left on failure or
 * interrupt), so memory holds one frame whatever the file size. Output formats without a frame writer (POSCAR,
 * ML_AB) collect the predictions and write once. Returns the number of frames.
 */
export async function predictFile(model: Calculator, input: string | readonly string[], output: string, options: PredictFileOptions = {}): Promise<number> {
  checkOutputFile(output);
  const outF = formatForWriting(output);
  const frames = readInputFrames(typeof input === 'string' ? [input] : input, { format: options.format });
  let k = 0;
  const tick = () => options.onProgress?.({ phase: 'predict', done: ++k, total: 0 });
  if (!outF.openWriter) {
    const all: Structure[] = [];
    for await (const s of frames) {
      all.push(predictStructure(model, s, options));
      tick();
      await turnEventLoop();
    }
    outF.write(output, all);
    return all.length;
  }
  const w = outF.openWriter(output);
  try {
    for await (const s of frames) {
      w.write(predictStructure(model, s, options));
      tick();
      await turnEventLoop();
    }
  } catch (e) {
    w.abort();
    throw e;
  }
  w.close();
  return k;
}

export { loadModel } from './modelFiles.js';
