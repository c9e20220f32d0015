/**
 * Library verbs for descriptor files (what `farfield describe` calls on a file): features of one frame of a structure
 * file, writing feature matrices (.json or .bin) and reading .bin back. describe.ts holds the presets and the
 * in-memory verb.
 *
 * `.bin` layout (little-endian): 4 bytes ASCII "FFDX", uint32 version (1), uint32 rows, uint32 cols, then rows·cols
 * float64 values row-major (row = atom in file order). Column labels are only in the JSON forms.
 */
import { FarfieldError } from '../core/index.js';
import { writeFileAtomic } from '../host/index.js';
import { describeStructure, featuresToJSON, sortSpecies, type DescribeOptions, type DescribeResult } from './describe.js';
import { readFrameAt } from './io.js';

export interface DescribeFileOptions extends DescribeOptions {
  /** File format name (default: from the file name / content). */
  format?: string;
  /** Frame index (default 0; negative counts from the end). */
  frame?: number;
}

export interface DescribeFileResult extends DescribeResult {
  frame: number;
  frames: number;
}

/** Per-atom features of one frame of a structure file; species universe = all species in the file. The file is
 * streamed (one pass; memory holds the chosen frame), so files larger than a JavaScript string work. */
export async function describeFile(path: string, options: DescribeFileOptions = {}): Promise<DescribeFileResult> {
  const f = await readFrameAt(path, options.frame ?? 0, { format: options.format, wholeFile: true });
  const species = options.species ?? sortSpecies(f.symbols);
  const r = describeStructure(f.structure, { ...options, species });
  return { ...r, frame: f.index, frames: f.frames ?? 0 };
}

/** Write features to `.json` (featuresToJSON plus the descriptor spec) or `.bin` (see header); atomic. */
export function writeFeatures(path: string, result: DescribeResult): void {
  const f = result.features;
  let payload: Buffer;
  if (path.endsWith('.json')) payload = Buffer.from(JSON.stringify({ ...featuresToJSON(f), descriptor: result.spec }) + '\n');
  else if (path.endsWith('.bin')) {
    payload = Buffer.alloc(16 + 8 * f.rows * f.cols);
    payload.write('FFDX', 0, 'ascii');
    payload.writeUInt32LE(1, 4);
    payload.writeUInt32LE(f.rows, 8);
    payload.writeUInt32LE(f.cols, 12);
    for (let k = 0; k < f.data.length; k++) payload.writeDoubleLE(f.data[k], 16 + 8 * k);
  } else throw new FarfieldError('INVALID_INPUT', `${path}: feature output must end in .json or .bin`);
  writeFileAtomic(path, payload);
}

/** Read a `.bin` feature file written by writeFeatures. */
export function readFeaturesBin(buffer: Uint8Array): { rows: number; cols: number; data: Float64Array } {
  const b = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (b.length < 16 || b.toString('ascii', 0, 4) !== 'FFDX' || b.readUInt32LE(4) !== 1)
    throw new FarfieldError('PARSE', 'not a farfield feature file (expected FFDX version 1 header)');
  const rows = b.readUInt32LE(8), cols = b.readUInt32LE(12);
  if (b.length !== 16 + 8 * rows * cols) throw new FarfieldError('PARSE', `feature file has ${b.length} bytes, expected ${16 + 8 * rows * cols}`);
  const data = new Float64Array(rows * cols);
  for (let k = 0; k < data.length; k++) data[k] = b.readDoubleLE(16 + 8 * k);
  return { rows, cols, data };
}
