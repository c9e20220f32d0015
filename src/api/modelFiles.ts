/** Model files: reading (verified: version, checksums) and atomic writing of the one-JSON model format (model/). */
import { readFileSync } from 'node:fs';
import { FarfieldError } from '../core/index.js';
import { parseModel, serializeModel, type KernelModel } from '../model/index.js';
import { writeFileAtomic } from '../host/index.js';

/** Read and verify a model file (FarfieldError 'MODEL' for corrupted/newer files, 'IO' if unreadable). */
export function loadModel(path: string): KernelModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new FarfieldError('IO', `cannot read model: ${(e as Error).message}`, { file: path }, { cause: e });
  }
  return parseModel(text, path);
}

/** Write a model file atomically (host/atomic.ts: full writes, fsync, rename; the previous file survives any failure). */
export function saveModel(model: KernelModel, path: string): void {
  writeFileAtomic(path, serializeModel(model));
}
