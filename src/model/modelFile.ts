/**
 * The kernel-model file: one versioned JSON document (DESIGN.md "Model file").
 *
 *   { "format": "farfield-kernel-model", "version": 1, "checksum": "sha256:<hex>", "body": { … } }
 *
 * `body` holds the descriptor spec (Descriptor.toJSON()), the kernel spec, per species the reference environments,
 * weights and reference energy, the optional covariance factor, and the training metadata. Float64 arrays are
 * stored as `{ "dtype": "float64le", "shape": [...], "base64": "…" }` (little-endian IEEE-754 bytes), so a
 * save → load round trip is bit-exact. The checksum is SHA-256 of JSON.stringify(body) (compact, key order as
 * written); JSON.stringify(JSON.parse(x)) reproduces it exactly, so whitespace changes do not matter but any change
 * of content does. Files with a newer `version` are refused before anything else is read; a wrong checksum, a
 * missing field or a malformed array is refused with FarfieldError('MODEL'). No file-system access here (the api
 * layer writes atomically: temporary file + rename).
 */
import { FarfieldError } from '../core/index.js';
import type { DescriptorSpec } from '../descriptors/index.js';
import { base64ToFloat64, float64ToBase64, sha256 } from './encoding.js';
import type { KernelSpec } from './kernels.js';
import { KernelModel, type KernelModelParams, type SpeciesModel, type TrainingMetadata } from './kernelModel.js';

export const MODEL_FORMAT = 'farfield-kernel-model';
export const MODEL_VERSION = 1;

interface EncodedArray {
  dtype: 'float64le';
  shape: number[];
  base64: string;
}

function enc(a: Float64Array, shape: number[]): EncodedArray {
  return { dtype: 'float64le', shape, base64: float64ToBase64(a) };
}

function fail(where: string, msg: string): never {
  throw new FarfieldError('MODEL', `model file${where ? ` (${where})` : ''}: ${msg}`);
}

function dec(v: unknown, field: string, where: string): Float64Array {
  const o = v as Partial<EncodedArray> | null;
  if (!o || typeof o !== 'object' || o.dtype !== 'float64le' || typeof o.base64 !== 'string' || !Array.isArray(o.shape))
    fail(where, `field '${field}' must be {dtype: 'float64le', shape, base64}`);
  const a = base64ToFloat64(o.base64!);
  if (!a) fail(where, `field '${field}' is not valid base64 float64 data`);
  const size = o.shape!.reduce((p: number, x: number) => p * x, 1);
  if (a!.length !== size) fail(where, `field '${field}' has ${a!.length} values, shape ${JSON.stringify(o.shape)} needs ${size}`);
  return a!;
}

/** Serialise a model to the JSON text of a model file. */
export function serializeModel(model: KernelModel | KernelModelParams): string {
  const p = model instanceof KernelModel ? model.params : model;
  const d = (p.species[0]?.features.length ?? 0) / Math.max(1, p.species[0]?.weights.length ?? 1);
  const body = {
    descriptor: p.descriptor,
    kernel: p.kernel,
    species: p.species.map((s) => ({
      species: s.species,
      count: s.weights.length,
      referenceEnergyEv: s.referenceEnergyEv,
      features: enc(s.features, [s.weights.length, s.weights.length > 0 ? s.features.length / s.weights.length : d]),
      weights: enc(s.weights, [s.weights.length]),
    })),
    covarianceFactor: p.covarianceFactor
      ? { rank: p.covarianceFactor.rank, data: enc(p.covarianceFactor.data, [p.covarianceFactor.data.length / Math.max(1, p.covarianceFactor.rank), p.covarianceFactor.rank]) }
      : null,
    training: p.training ?? null,
  };
  const text = JSON.stringify(body);
  return `{"format":${JSON.stringify(MODEL_FORMAT)},"version":${MODEL_VERSION},"checksum":"sha256:${sha256(text)}","body":${text}}\n`;
}

/** Parse and verify model-file text; `where` (e.g. the path) prefixes error messages. */
export function parseModel(text: string, where = ''): KernelModel {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    fail(where, `not valid JSON (${e instanceof Error ? e.message : String(e)}); the file is corrupted or not a model`);
  }
  const o = doc as { format?: unknown; version?: unknown; checksum?: unknown; body?: unknown };
  if (!o || typeof o !== 'object' || o.format !== MODEL_FORMAT)
    fail(where, `not a farfield kernel model (format is ${JSON.stringify(o?.format)}, expected '${MODEL_FORMAT}')`);
  if (typeof o.version !== 'number' || !Number.isInteger(o.version) || o.version < 1)
    fail(where, `invalid format version ${JSON.stringify(o.version)}`);
  if ((o.version as number) > MODEL_VERSION)
    fail(where, `written by a newer farfield (format version ${o.version as number}; this version reads ≤ ${MODEL_VERSION}); upgrade farfield`);
  if (typeof o.checksum !== 'string' || !o.checksum.startsWith('sha256:')) fail(where, 'missing checksum');
  const body = o.body as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') fail(where, "missing 'body'");
  const actual = sha256(JSON.stringify(body));
  if ((o.checksum as string).slice(7) !== actual)
    fail(where, `checksum mismatch (stored ${(o.checksum as string).slice(7, 19)}…, computed ${actual.slice(0, 12)}…): the file is corrupted or was edited`);
  const b = body!;
  const descriptor = b.descriptor as DescriptorSpec;
  const kernel = b.kernel as KernelSpec;
  if (!descriptor || typeof descriptor.kind !== 'string') fail(where, "missing 'descriptor'");
  if (!kernel || typeof kernel.kind !== 'string') fail(where, "missing 'kernel'");
  if (!Array.isArray(b.species)) fail(where, "missing 'species'");
  const species: SpeciesModel[] = (b.species as Record<string, unknown>[]).map((s, k) => {
    if (typeof s.species !== 'string' || typeof s.referenceEnergyEv !== 'number') fail(where, `species[${k}] needs 'species' and 'referenceEnergyEv'`);
    return {
      species: s.species as string,
      referenceEnergyEv: s.referenceEnergyEv as number,
      features: dec(s.features, `species[${k}].features`, where),
      weights: dec(s.weights, `species[${k}].weights`, where),
    };
  });
  const params: KernelModelParams = { descriptor, kernel, species };
  const cf = b.covarianceFactor as { rank?: unknown; data?: unknown } | null | undefined;
  if (cf) {
    if (typeof cf.rank !== 'number') fail(where, "covarianceFactor needs 'rank'");
    params.covarianceFactor = { rank: cf.rank as number, data: dec(cf.data, 'covarianceFactor.data', where) };
  }
  if (b.training) params.training = b.training as TrainingMetadata;
  try {
    return new KernelModel(params);
  } catch (e) {
    if (e instanceof FarfieldError && e.code === 'MODEL') throw e;
    throw new FarfieldError('MODEL', `model file${where ? ` (${where})` : ''}: cannot build the model: ${e instanceof Error ? e.message : String(e)}`, undefined, { cause: e });
  }
}
