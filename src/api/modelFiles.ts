/**
 * Model files on disk: `saveModel` writes the binary format (version 2, model/modelFile.ts) — or version-1 JSON text
 * when the name ends in `.json` — atomically (temporary file + rename, io/atomic.ts); `loadModel` reads either, with
 * Node's SHA-256 for the checksums, and can stop before the covariance factor when no uncertainty is wanted (it is
 * the largest part of a model: rank × unknowns doubles, e.g. 33 MB of a 1010-reference sr+lr model's 42 MB).
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { FarfieldError } from '../core/index.js';
import { writeFileAtomic } from '../io/index.js';
import { isBinaryModel, modelFileLayout, parseModel, serializeModel, serializeModelBinary, type KernelModel } from '../model/index.js';

/** SHA-256 hex of bytes with Node's crypto (the model layer's own is platform-neutral JS, ~15× slower). */
export const nodeDigest = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Write a model file atomically: binary (version 2) unless the name ends in `.json` (version-1 JSON text). */
export function saveModel(model: KernelModel, path: string): void {
  writeFileAtomic(path, /\.json$/i.test(path) ? serializeModel(model) : serializeModelBinary(model, { digest: nodeDigest }));
}

export interface LoadModelOptions {
  /**
   * Read the covariance factor (default true). false skips it — for a binary file the bytes after its start are not
   * even read — and the model then has no uncertainty.
   */
  covariance?: boolean;
}

/** Read and verify a model file (FarfieldError 'MODEL' for corrupted/newer files, 'IO' if unreadable). */
export function loadModel(path: string, options: LoadModelOptions = {}): KernelModel {
  const wantCov = options.covariance ?? true;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new FarfieldError('IO', `cannot read model: ${(e as Error).message}`, { file: path }, { cause: e });
  }
  try {
    const size = fstatSync(fd).size;
    const read = (from: number, n: number): Uint8Array => {
      const b = new Uint8Array(n);
      let got = 0;
      while (got < n) {
        const k = readSync(fd, b, got, n - got, from + got);
        if (k === 0) break;
        got += k;
      }
      return got === n ? b : b.subarray(0, got);
    };
    let bytes = read(0, Math.min(size, 65536));
    if (isBinaryModel(bytes) && !wantCov) {
      let layout = modelFileLayout(bytes, path);
      if (!('payloadStart' in layout)) {
        bytes = read(0, Math.min(size, layout.headerBytes));
        layout = modelFileLayout(bytes, path);
      }
      const n = 'payloadStart' in layout ? Math.min(size, layout.bytesWithoutCovariance) : size;
      if (n > bytes.length) bytes = read(0, n);
      else bytes = bytes.subarray(0, n);
    } else if (size > bytes.length) bytes = read(0, size);
    return parseModel(bytes, path, { digest: nodeDigest, covariance: wantCov });
  } catch (e) {
    if (e instanceof FarfieldError) throw e;
    throw new FarfieldError('IO', `cannot read model: ${(e as Error).message}`, { file: path }, { cause: e });
  } finally {
    closeSync(fd);
  }
}
