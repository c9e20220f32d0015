/**
 * The kernel-model file (DESIGN.md "Model file"), in two encodings that carry the same content:
 *
 * - **version 2, binary** (`serializeModelBinary`, what `saveModel` writes unless the name ends in `.json`):
 *   magic `\x89FFM\r\n\x1a\n` (PNG-style: catches text-mode transfers), uint32 LE header length H, uint32 0, H bytes
 *   of UTF-8 JSON `{ "format", "version": 2, "checksum": "sha256:<hex of JSON.stringify(body)>", "body" }`, zero padding
 *   to a multiple of 8, then the float64 little-endian arrays back to back. In `body` each array is
 *   `{ "dtype": "float64le", "shape", "offset", "bytes", "sha256" }` (offset from the payload start; its own SHA-256),
 *   and the covariance factor comes last, so a reader that does not need the uncertainty can stop before it
 *   (`modelFileLayout`, `parseModel(…, { covariance: false })`). Measured on a 1010-reference sr+lr model
 *   (bench/modelFile.bench.ts): load 10× faster and the file 25 % smaller than version 1.
 * - **version 1, JSON text** (`serializeModel`, for names ending in `.json` and the browser page's download):
 *
 *   { "format": "farfield-kernel-model", "version": 1, "checksum": "sha256:<hex>", "body": { … } }
 *
 * `body` holds the descriptor spec (Descriptor.toJSON()), the kernel spec, per species the reference environments,
 * weights and reference energy, the optional `tables`, the optional covariance factor, and the training metadata.
 * `tables.gaussianProjection` (written since issue 17's model-load goal; optional, older files have none) lists the
 * descriptor's Gaussian-projection tabulations — key (R, σ, nmax, lmax, tolerance), table `version`, `intervals`,
 * `splineError` and the node array (3 × (intervals+1) × functions) — so a load builds the descriptor without the
 * quadratures (about 0.3–0.4 s of a default sr+lr load). They are a cache: a table of another version is ignored and
 * tabulated afresh (descriptors/radial/gaussianProjection.ts), and the features are bit for bit those of a fresh
 * tabulation; the arrays are covered by the checksums like every other array. Float64 arrays are
 * stored as `{ "dtype": "float64le", "shape": [...], "base64": "…" }` (little-endian IEEE-754 bytes), so a
 * save → load round trip is bit-exact. The checksum is SHA-256 of JSON.stringify(body) (compact, key order as
 * written); JSON.stringify(JSON.parse(x)) reproduces it exactly, so whitespace changes do not matter but any change
 * of content does. Files with a newer `version` are refused before anything else is read; a wrong checksum, a
 * missing field or a malformed array is refused with FarfieldError('MODEL'). No file-system access here (the api
 * layer writes atomically: temporary file + rename).
 */
import { FarfieldError } from '../core/index.js';
import { createDescriptor, descriptorProjections, pinLegacyFkkPlanner, recordGaussianProjections, withGaussianProjectionTables, type DescriptorSpec, type GaussianProjectionTable } from '../descriptors/index.js';
import { base64ToFloat64, float64ToBase64, sha256, sha256Bytes } from './encoding.js';
import type { KernelSpec } from './kernels.js';
import { KernelModel, type KernelModelParams, type SpeciesModel, type TrainingMetadata } from './kernelModel.js';

export const MODEL_FORMAT = 'farfield-kernel-model';
/** Newest format version this build reads and the one `serializeModelBinary` writes (`serializeModel` writes 1). */
export const MODEL_VERSION = 2;
/** First eight bytes of a version-2 (binary) model file. */
export const MODEL_MAGIC = Uint8Array.from([0x89, 0x46, 0x46, 0x4d, 0x0d, 0x0a, 0x1a, 0x0a]);

/** SHA-256 of bytes as lowercase hex; the default is the platform-neutral one in encoding.ts, Node passes its own. */
export type Digest = (bytes: Uint8Array) => string;

export interface ModelCodecOptions {
  /** Hash function for the checksums (default: encoding.ts sha256Bytes; same result, Node's crypto is ~15× faster). */
  digest?: Digest;
  /** Write the descriptor's Gaussian-projection tables (default true; false writes a file as before they existed). */
  tables?: boolean;
}

export interface ParseModelOptions extends ModelCodecOptions {
  /** Read the covariance factor (default true); false skips it, and the bytes may end where it starts. */
  covariance?: boolean;
  /**
   * Binary files: return the arrays as views of `input` instead of copies (default false), so the peak memory of a
   * load is the file once rather than twice. Only for a caller that owns `input` and never modifies it afterwards
   * (api loadModel); falls back to a copy when an array is not 8-byte aligned in memory or on a big-endian host.
   */
  views?: boolean;
}

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

function decBase64(v: unknown, field: string, where: string): Float64Array {
  const o = v as Partial<EncodedArray> | null;
  if (!o || typeof o !== 'object' || o.dtype !== 'float64le' || typeof o.base64 !== 'string' || !Array.isArray(o.shape))
    fail(where, `field '${field}' must be {dtype: 'float64le', shape, base64}`);
  const a = base64ToFloat64(o.base64!);
  if (!a) fail(where, `field '${field}' is not valid base64 float64 data`);
  const size = o.shape!.reduce((p: number, x: number) => p * x, 1);
  if (a!.length !== size) fail(where, `field '${field}' has ${a!.length} values, shape ${JSON.stringify(o.shape)} needs ${size}`);
  return a!;
}

/**
 * The Gaussian-projection tables the model's descriptor uses: those noted when its descriptor was created, or (params
 * only) those of a descriptor built from the spec (from the memo: no quadrature when the model was just fitted or
 * loaded); none when the spec does not build.
 */
function projectionTables(model: KernelModel | KernelModelParams): GaussianProjectionTable[] {
  const noted = model instanceof KernelModel ? descriptorProjections(model.descriptor) : undefined;
  if (noted) return noted.map((g) => g.table());
  try {
    const spec = model instanceof KernelModel ? model.params.descriptor : model.descriptor;
    return recordGaussianProjections(() => createDescriptor(spec)).projections.map((g) => g.table());
  } catch {
    return [];
  }
}

/** The body of a model file with every array passed through `put` (base64 for version 1, payload slots for version 2). */
function modelBody<A>(model: KernelModel | KernelModelParams, put: (a: Float64Array, shape: number[]) => A, withTables = true): Record<string, unknown> {
  const p = model instanceof KernelModel ? model.params : model;
  const d = (p.species[0]?.features.length ?? 0) / Math.max(1, p.species[0]?.weights.length ?? 1);
  const tables = withTables ? projectionTables(model) : [];
  return {
    descriptor: p.descriptor,
    kernel: p.kernel,
    species: p.species.map((s) => ({
      species: s.species,
      count: s.weights.length,
      referenceEnergyEv: s.referenceEnergyEv,
      features: put(s.features, [s.weights.length, s.weights.length > 0 ? s.features.length / s.weights.length : d]),
      weights: put(s.weights, [s.weights.length]),
    })),
    // before the covariance: a reader that skips it still reads these
    ...(tables.length > 0
      ? {
          tables: {
            gaussianProjection: tables.map((t) => ({
              version: t.version, cutoffA: t.cutoffA, smearingA: t.smearingA, nmax: t.nmax, lmax: t.lmax, tolerance: t.tolerance,
              intervals: t.intervals, splineError: t.splineError, nodes: put(t.nodes, [3, t.intervals + 1, (t.lmax + 1) * t.nmax]),
            })),
          },
        }
      : {}),
    // last: a reader that skips the uncertainty stops before these bytes
    covarianceFactor: p.covarianceFactor
      ? { rank: p.covarianceFactor.rank, data: put(p.covarianceFactor.data, [p.covarianceFactor.data.length / Math.max(1, p.covarianceFactor.rank), p.covarianceFactor.rank]) }
      : null,
    training: p.training ?? null,
  };
}

/** Serialise a model to the JSON text of a version-1 model file. */
export function serializeModel(model: KernelModel | KernelModelParams, options: Pick<ModelCodecOptions, 'tables'> = {}): string {
  const text = JSON.stringify(modelBody(model, enc, options.tables ?? true));
  return `{"format":${JSON.stringify(MODEL_FORMAT)},"version":1,"checksum":"sha256:${sha256(text)}","body":${text}}\n`;
}

interface BinaryArray {
  dtype: 'float64le';
  shape: number[];
  offset: number;
  bytes: number;
  sha256: string;
}

const LITTLE_ENDIAN = new Uint8Array(Float64Array.of(1).buffer)[7] === 0x3f;

/** Little-endian bytes of a Float64Array (a view when the platform is little-endian). */
function float64Bytes(a: Float64Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const out = new Uint8Array(a.length * 8);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < a.length; i++) dv.setFloat64(8 * i, a[i], true);
  return out;
}

/** Serialise a model to the bytes of a version-2 (binary) model file. */
export function serializeModelBinary(model: KernelModel | KernelModelParams, options: ModelCodecOptions = {}): Uint8Array {
  const digest = options.digest ?? sha256Bytes;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const body = modelBody<BinaryArray>(model, (a, shape) => {
    const b = float64Bytes(a);
    chunks.push(b);
    const slot = { dtype: 'float64le' as const, shape, offset, bytes: b.length, sha256: digest(b) };
    offset += b.length;
    return slot;
  }, options.tables ?? true);
  const text = JSON.stringify(body);
  const header = new TextEncoder().encode(`{"format":${JSON.stringify(MODEL_FORMAT)},"version":2,"checksum":"sha256:${sha256(text)}","body":${text}}`);
  const payloadStart = Math.ceil((16 + header.length) / 8) * 8;
  const out = new Uint8Array(payloadStart + offset);
  out.set(MODEL_MAGIC, 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(8, header.length, true);
  dv.setUint32(12, 0, true);
  out.set(header, 16);
  let at = payloadStart;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** True when the bytes start like a version-2 (binary) model file. */
export function isBinaryModel(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && MODEL_MAGIC.every((b, i) => bytes[i] === b);
}

export interface ModelFileLayout {
  /** Bytes needed to read the header (16 + header length); null when `prefix` is too short to tell. */
  headerBytes: number;
  /** Payload start (bytes from the file start). */
  payloadStart: number;
  /** Bytes up to the start of the covariance factor (the whole file when there is none). */
  bytesWithoutCovariance: number;
  /** Whole file size the header implies. */
  totalBytes: number;
}

/**
 * Where the parts of a binary model file lie, from a prefix of it (at least 16 bytes; returns the header size needed
 * when the prefix does not hold the whole header yet). For readers that skip the covariance (api loadModel).
 */
export function modelFileLayout(prefix: Uint8Array, where = '', digest: Digest = sha256Bytes): ModelFileLayout | { headerBytes: number } {
  if (!isBinaryModel(prefix)) fail(where, 'not a binary farfield model (magic bytes missing)');
  if (prefix.length < 16) return { headerBytes: 16 };
  const h = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength).getUint32(8, true);
  if (prefix.length < 16 + h) return { headerBytes: 16 + h };
  return layoutOf(binaryHeader(prefix, where, digest).body, h);
}

/** The layout of a binary file whose header (h bytes) holds `body`. */
function layoutOf(body: Record<string, unknown>, h: number): ModelFileLayout {
  const payloadStart = Math.ceil((16 + h) / 8) * 8;
  const arrays: BinaryArray[] = [];
  for (const s of (body.species as { features: BinaryArray; weights: BinaryArray }[]) ?? []) arrays.push(s.features, s.weights);
  for (const t of (body.tables as { gaussianProjection?: { nodes: BinaryArray }[] } | undefined)?.gaussianProjection ?? []) arrays.push(t.nodes);
  const cov = (body.covarianceFactor as { data?: BinaryArray } | null)?.data;
  const end = Math.max(0, ...arrays.map((a) => a.offset + a.bytes), cov ? cov.offset + cov.bytes : 0);
  return { headerBytes: 16 + h, payloadStart, bytesWithoutCovariance: payloadStart + (cov ? cov.offset : end), totalBytes: payloadStart + end };
}

function binaryHeader(bytes: Uint8Array, where: string, digest: Digest): { version: number; body: Record<string, unknown> } {
  const h = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (16 + h > bytes.length) fail(where, `truncated: the header needs ${16 + h} bytes, the file has ${bytes.length}`);
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(16, 16 + h)));
  } catch (e) {
    fail(where, `the header is not valid JSON (${e instanceof Error ? e.message : String(e)}); the file is corrupted`);
  }
  return checkEnvelope(doc, where, digest);
}

/** Check format, version and body checksum of a parsed model document; returns its body. */
function checkEnvelope(doc: unknown, where: string, digest: Digest = sha256Bytes): { version: number; body: Record<string, unknown> } {
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
  const actual = digest(new TextEncoder().encode(JSON.stringify(body)));
  if ((o.checksum as string).slice(7) !== actual)
    fail(where, `checksum mismatch (stored ${(o.checksum as string).slice(7, 19)}…, computed ${actual.slice(0, 12)}…): the file is corrupted or was edited`);
  return { version: o.version as number, body: body! };
}

/** A float64 array of a binary model file, checked against its shape and SHA-256. */
function decBinary(v: unknown, field: string, where: string, payload: Uint8Array, digest: Digest, view = false): Float64Array {
  const o = v as Partial<BinaryArray> | null;
  if (!o || typeof o !== 'object' || o.dtype !== 'float64le' || !Array.isArray(o.shape) || typeof o.offset !== 'number' || typeof o.bytes !== 'number' || typeof o.sha256 !== 'string')
    fail(where, `field '${field}' must be {dtype: 'float64le', shape, offset, bytes, sha256}`);
  const size = o.shape!.reduce((p: number, x: number) => p * x, 1);
  if (o.bytes !== 8 * size || !Number.isInteger(o.offset) || o.offset! < 0) fail(where, `field '${field}': ${o.bytes} bytes at ${o.offset} do not hold shape ${JSON.stringify(o.shape)}`);
  if (o.offset! + o.bytes! > payload.length) fail(where, `truncated: field '${field}' needs bytes up to ${o.offset! + o.bytes!} of the payload, the file has ${payload.length}`);
  const b = payload.subarray(o.offset!, o.offset! + o.bytes!);
  if (digest(b) !== o.sha256) fail(where, `checksum mismatch in field '${field}': the file is corrupted`);
  if (LITTLE_ENDIAN && view && b.byteOffset % 8 === 0) return new Float64Array(b.buffer, b.byteOffset, size); // no copy
  if (LITTLE_ENDIAN) return new Float64Array(b.slice().buffer); // copy: aligned, and the file buffer can be dropped
  const out = new Float64Array(size);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < size; i++) out[i] = dv.getFloat64(8 * i, true);
  return out;
}

/**
 * Parse and verify a model file: version-1 text or version-2 bytes (told apart by the magic bytes); `where` (e.g. the
 * path) prefixes error messages.
 */
export function parseModel(input: string | Uint8Array, where = '', options: ParseModelOptions = {}): KernelModel {
  const digest = options.digest ?? sha256Bytes;
  const wantCov = options.covariance ?? true;
  let body: Record<string, unknown>;
  let array: (v: unknown, field: string) => Float64Array;
  if (typeof input !== 'string' && isBinaryModel(input)) {
    const h = input.length >= 16 ? new DataView(input.buffer, input.byteOffset, input.byteLength).getUint32(8, true) : 0;
    if (input.length < 16 + h || input.length < 16) fail(where, `truncated: the header needs ${input.length < 16 ? 16 : 16 + h} bytes, the file has ${input.length}`);
    body = binaryHeader(input, where, digest).body; // parsed and checked once
    const layout = layoutOf(body, h);
    const payload = input.subarray(Math.min(input.length, layout.payloadStart));
    array = (v, field) => decBinary(v, field, where, payload, digest, options.views ?? false);
  } else {
    const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      fail(where, `not valid JSON (${e instanceof Error ? e.message : String(e)}); the file is corrupted or not a model`);
    }
    const env = checkEnvelope(doc, where, digest);
    if (env.version !== 1) fail(where, `format version ${env.version} is a binary format, but the file is JSON text; it was converted or corrupted`);
    body = env.body;
    array = (v, field) => decBase64(v, field, where);
  }
  const b = body;
  const descriptor = b.descriptor as DescriptorSpec;
  const kernel = b.kernel as KernelSpec;
  if (!descriptor || typeof descriptor.kind !== 'string') fail(where, "missing 'descriptor'");
  pinLegacyFkkPlanner(descriptor); // FKK written before planner version 2 plans as it was fitted (hypers.ts)
  if (!kernel || typeof kernel.kind !== 'string') fail(where, "missing 'kernel'");
  if (!Array.isArray(b.species)) fail(where, "missing 'species'");
  const species: SpeciesModel[] = (b.species as Record<string, unknown>[]).map((s, k) => {
    if (typeof s.species !== 'string' || typeof s.referenceEnergyEv !== 'number') fail(where, `species[${k}] needs 'species' and 'referenceEnergyEv'`);
    return {
      species: s.species as string,
      referenceEnergyEv: s.referenceEnergyEv as number,
      features: array(s.features, `species[${k}].features`),
      weights: array(s.weights, `species[${k}].weights`),
    };
  });
  const params: KernelModelParams = { descriptor, kernel, species };
  const cf = b.covarianceFactor as { rank?: unknown; data?: unknown } | null | undefined;
  if (cf && wantCov) {
    if (typeof cf.rank !== 'number') fail(where, "covarianceFactor needs 'rank'");
    params.covarianceFactor = { rank: cf.rank as number, data: array(cf.data, 'covarianceFactor.data') };
  }
  if (b.training) params.training = b.training as TrainingMetadata;
  const tables = readTables(b.tables, array, where);
  try {
    return withGaussianProjectionTables(tables, () => new KernelModel(params));
  } catch (e) {
    if (e instanceof FarfieldError && e.code === 'MODEL') throw e;
    throw new FarfieldError('MODEL', `model file${where ? ` (${where})` : ''}: cannot build the model: ${e instanceof Error ? e.message : String(e)}`, undefined, { cause: e });
  }
}

const TABLE_NUMBERS = ['version', 'cutoffA', 'smearingA', 'nmax', 'lmax', 'tolerance', 'intervals', 'splineError'] as const;

/** The stored Gaussian-projection tables of a body (none when absent); a malformed entry is refused. */
function readTables(v: unknown, array: (v: unknown, field: string) => Float64Array, where: string): GaussianProjectionTable[] {
  if (v === undefined || v === null) return [];
  const list = (v as { gaussianProjection?: unknown }).gaussianProjection;
  if (typeof v !== 'object' || !Array.isArray(list)) fail(where, "field 'tables' must be { gaussianProjection: [...] }");
  return (list as Record<string, unknown>[]).map((t, k) => {
    const field = `tables.gaussianProjection[${k}]`;
    if (!t || typeof t !== 'object') fail(where, `${field} must be an object`);
    for (const key of TABLE_NUMBERS) if (typeof t[key] !== 'number') fail(where, `${field} needs a number '${key}'`);
    const n = t as Record<(typeof TABLE_NUMBERS)[number], number>;
    return { version: n.version, cutoffA: n.cutoffA, smearingA: n.smearingA, nmax: n.nmax, lmax: n.lmax, tolerance: n.tolerance, intervals: n.intervals, splineError: n.splineError, nodes: array(t.nodes, `${field}.nodes`) };
  });
}
