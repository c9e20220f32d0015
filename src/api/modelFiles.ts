/**
 * Model files on disk: `saveModel` writes the binary format (version 2, model/modelFile.ts) — or version-1 JSON text
 * when the name ends in `.json` — atomically (temporary file + rename, host/atomic.ts); `loadModel` reads either, with
 * Node's SHA-256 for the checksums, and can stop before the covariance factor when no uncertainty is wanted (it is
 * the largest part of a model: rank × unknowns doubles, e.g. 33 MB of a 1010-reference sr+lr model's 42 MB). The
 * arrays of a binary file are views of the one buffer the file was read into (no second copy at the peak).
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { FarfieldError } from '../core/index.js';
import { writeFileAtomic } from '../host/index.js';
import { KernelModel, isBinaryModel, modelFileLayout, parseAnyModel, parseModel, serializeAnyModel, serializeModelBinary, type FittedModel } from '../model/index.js';

/** SHA-256 hex of bytes with Node's crypto (the model layer's own is platform-neutral JS, ~15× slower). */
export const nodeDigest = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Write a model file atomically: a kernel model as binary (version 2) unless the name ends in `.json` (version-1 JSON
 * text); a learned-charge model (sr+q, sr+qeq) as its JSON document (model/chargeModelFile.ts) whatever the name.
 */
export function saveModel(model: FittedModel, path: string): void {
  const binary = model instanceof KernelModel && !/\.json$/i.test(path);
  writeFileAtomic(path, binary ? serializeModelBinary(model, { digest: nodeDigest }) : serializeAnyModel(model));
}

export interface LoadModelOptions {
  /**
   * Read the covariance factor (default true). false skips it — for a binary file the bytes after its start are not
   * even read — and the model then has no uncertainty.
   */
  covariance?: boolean;
}

/**
 * Read and verify a model file of any kind (FarfieldError 'MODEL' for corrupted/newer files, 'IO' if unreadable): binary
 * kernel models by their magic bytes, JSON documents by their `format` (kernel or learned-charge model).
 */
export function loadModel(path: string, options: LoadModelOptions = {}): FittedModel {
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
      let layout = modelFileLayout(bytes, path, nodeDigest);
      if (!('payloadStart' in layout)) {
        bytes = read(0, Math.min(size, layout.headerBytes));
        layout = modelFileLayout(bytes, path, nodeDigest);
      }
      const n = 'payloadStart' in layout ? Math.min(size, layout.bytesWithoutCovariance) : size;
      if (n > bytes.length) bytes = read(0, n);
      else bytes = bytes.subarray(0, n);
    } else if (size > bytes.length) bytes = read(0, size);
    // the arrays are views of the file buffer (read here, owned by the model from now on): the file once in memory, not twice
    if (isBinaryModel(bytes)) return parseModel(bytes, path, { digest: nodeDigest, covariance: wantCov, views: true });
    return parseAnyModel(new TextDecoder().decode(bytes), path);
  } catch (e) {
    if (e instanceof FarfieldError) throw e;
    throw new FarfieldError('IO', `cannot read model: ${(e as Error).message}`, { file: path }, { cause: e });
  } finally {
    closeSync(fd);
  }
}
