/**
 * The charge-model file (sr+q) and the model loader that picks the model kind from the file's metadata.
 *
 *   { "format": "farfield-charge-model", "version": 1, "checksum": "sha256:<hex>", "body": {
 *       "kind": "sr+q" | "sr+qeq" (then also "hardness": [J per species]), "energy": <a complete kernel-model file document (modelFile.ts) for the ε part>,
 *       "charges": [{ species, count, offsetE, features, weights }], "electrostatics": { sigmaA, accuracy, parameters? },
 *       "totalChargeKeys": [...], "chargeTraining": {...} } }
 *
 * Arrays are stored as in modelFile.ts (float64le base64, bit-exact round trip); the checksum is SHA-256 of
 * JSON.stringify(body); newer versions, wrong checksums and missing fields are refused with FarfieldError('MODEL').
 * `parseAnyModel` dispatches on `format` (kernel model or charge model); no kind strings elsewhere.
 */
import { FarfieldError } from '../core/index.js';
import { base64ToFloat64, float64ToBase64, sha256 } from './encoding.js';
import { ChargeModel, type ChargeElectrostatics, type ChargeModelParams, type ChargeSpeciesModel, type ChargeTrainingMetadata } from './chargeModel.js';
import { MODEL_FORMAT, parseModel, serializeModel } from './modelFile.js';
import type { KernelModel } from './kernelModel.js';
import { QeqModel, type QeqModelParams } from './qeqModel.js';

export const CHARGE_MODEL_FORMAT = 'farfield-charge-model';
export const CHARGE_MODEL_VERSION = 1;

function fail(where: string, msg: string): never {
  throw new FarfieldError('MODEL', `charge model file${where ? ` (${where})` : ''}: ${msg}`);
}

function enc(a: Float64Array, shape: number[]): { dtype: 'float64le'; shape: number[]; base64: string } {
  return { dtype: 'float64le', shape, base64: float64ToBase64(a) };
}

function dec(v: unknown, field: string, where: string): Float64Array {
  const o = v as { dtype?: unknown; base64?: unknown; shape?: unknown } | null;
  if (!o || typeof o !== 'object' || o.dtype !== 'float64le' || typeof o.base64 !== 'string' || !Array.isArray(o.shape))
    fail(where, `field '${field}' must be {dtype: 'float64le', shape, base64}`);
  const a = base64ToFloat64(o.base64 as string);
  if (!a) fail(where, `field '${field}' is not valid base64 float64 data`);
  const size = (o.shape as number[]).reduce((p, x) => p * x, 1);
  if (a.length !== size) fail(where, `field '${field}' has ${a.length} values, shape ${JSON.stringify(o.shape)} needs ${size}`);
  return a;
}

/** Serialise a charge model to the JSON text of its file. */
export function serializeChargeModel(model: ChargeModel | ChargeModelParams): string {
  const p = model instanceof ChargeModel ? model.params : model;
  const hardness = model instanceof QeqModel ? Array.from(model.hardness) : (p as Partial<QeqModelParams>).hardness;
  const body = {
    kind: hardness ? 'sr+qeq' : 'sr+q',
    ...(hardness ? { hardness } : {}),
    energy: JSON.parse(serializeModel(p.energy)) as unknown,
    charges: p.charges.map((c) => ({
      species: c.species,
      count: c.weights.length,
      offsetE: c.offsetE,
      features: enc(c.features, [c.weights.length, c.weights.length > 0 ? c.features.length / c.weights.length : 0]),
      weights: enc(c.weights, [c.weights.length]),
    })),
    electrostatics: p.electrostatics,
    totalChargeKeys: p.totalChargeKeys ?? ['charge'],
    ...(p.fragments ? { fragments: p.fragments } : {}),
    chargeTraining: p.chargeTraining ?? null,
  };
  const text = JSON.stringify(body);
  return `{"format":${JSON.stringify(CHARGE_MODEL_FORMAT)},"version":${CHARGE_MODEL_VERSION},"checksum":"sha256:${sha256(text)}","body":${text}}\n`;
}

/** Parse and verify the text of a charge-model file. */
export function parseChargeModel(text: string, where = ''): ChargeModel {
  let doc: { format?: unknown; version?: unknown; checksum?: unknown; body?: unknown };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch (e) {
    fail(where, `not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!doc || doc.format !== CHARGE_MODEL_FORMAT) fail(where, `not a charge model (format ${JSON.stringify(doc?.format)})`);
  if (typeof doc.version !== 'number' || !Number.isInteger(doc.version) || doc.version < 1) fail(where, `invalid format version ${JSON.stringify(doc.version)}`);
  if (doc.version > CHARGE_MODEL_VERSION) fail(where, `written by a newer farfield (format version ${doc.version}; this version reads ≤ ${CHARGE_MODEL_VERSION}); upgrade farfield`);
  const b = doc.body as Record<string, unknown> | undefined;
  if (!b || typeof b !== 'object') fail(where, "missing 'body'");
  if (typeof doc.checksum !== 'string' || doc.checksum.slice(7) !== sha256(JSON.stringify(b)))
    fail(where, 'checksum mismatch: the file is corrupted or was edited');
  if (b.kind !== 'sr+q' && b.kind !== 'sr+qeq') fail(where, `unknown charge-model kind ${JSON.stringify(b.kind)} (known: sr+q, sr+qeq)`);
  if (b.kind === 'sr+qeq' && (!Array.isArray(b.hardness) || b.hardness.some((x) => typeof x !== 'number')))
    fail(where, "an sr+qeq model needs 'hardness': one number per species (eV/e²)");
  if (!b.energy || typeof b.energy !== 'object') fail(where, "missing 'energy'");
  const energy = parseModel(JSON.stringify(b.energy), `${where}${where ? ': ' : ''}energy part`).params;
  if (!Array.isArray(b.charges)) fail(where, "missing 'charges'");
  const charges: ChargeSpeciesModel[] = (b.charges as Record<string, unknown>[]).map((c, k) => {
    if (typeof c.species !== 'string' || typeof c.offsetE !== 'number') fail(where, `charges[${k}] needs 'species' and 'offsetE'`);
    return { species: c.species, offsetE: c.offsetE, features: dec(c.features, `charges[${k}].features`, where), weights: dec(c.weights, `charges[${k}].weights`, where) };
  });
  const es = b.electrostatics as ChargeElectrostatics | undefined;
  if (!es || typeof es.sigmaA !== 'number') fail(where, "'electrostatics' needs a numeric 'sigmaA'");
  const keys = b.totalChargeKeys;
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) fail(where, "'totalChargeKeys' must be a list of info keys");
  const params: ChargeModelParams = { energy, charges, electrostatics: es, totalChargeKeys: keys as string[] };
  if (b.fragments !== undefined) {
    const fr = b.fragments as { startKeys?: unknown; chargeKeys?: unknown } | null;
    const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((k) => typeof k === 'string');
    if (!fr || !strings(fr.startKeys) || !strings(fr.chargeKeys)) fail(where, "'fragments' must be {startKeys: [info keys], chargeKeys: [info keys]}");
    params.fragments = { startKeys: fr.startKeys, chargeKeys: fr.chargeKeys };
  }
  if (b.chargeTraining) params.chargeTraining = b.chargeTraining as ChargeTrainingMetadata;
  try {
    return b.kind === 'sr+qeq' ? new QeqModel({ ...params, hardness: b.hardness as number[] }) : new ChargeModel(params);
  } catch (e) {
    if (e instanceof FarfieldError && e.code === 'MODEL') throw e;
    throw new FarfieldError('MODEL', `charge model file${where ? ` (${where})` : ''}: cannot build the model: ${e instanceof Error ? e.message : String(e)}`, undefined, { cause: e });
  }
}

/** Either fitted model kind (both are Calculators). */
export type FittedModel = KernelModel | ChargeModel;

/** Any farfield model file: the kind comes from its `format` field. */
export function parseAnyModel(text: string, where = ''): FittedModel {
  const head = /"format"\s*:\s*"([^"]*)"/.exec(text.slice(0, 200));
  if (head?.[1] === CHARGE_MODEL_FORMAT) return parseChargeModel(text, where);
  if (head?.[1] === MODEL_FORMAT || !head) return parseModel(text, where);
  throw new FarfieldError('MODEL', `model file${where ? ` (${where})` : ''}: unknown format '${head[1]}' (known: ${MODEL_FORMAT}, ${CHARGE_MODEL_FORMAT})`);
}

/** Serialise either model kind. */
export function serializeAnyModel(model: FittedModel): string {
  return model instanceof ChargeModel ? serializeChargeModel(model) : serializeModel(model);
}
