/** Library verb `predictFile`: a model's predictions for every frame of structure files, streamed into an output
 * file (predict.ts holds the in-memory verbs and what a prediction contains). */
import type { Calculator, Structure } from '../core/index.js';
import { checkOutputFile, formatForWriting } from '../host/index.js';
import { readInputFrames } from './inputs.js';
import { predictStructure, type PredictOptions } from './predict.js';

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
