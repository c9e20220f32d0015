/**
 * Checksummed binary files of the sharded (map–reduce) fit, and the fixed-order reduction of normal equations.
 *
 * Layout (little-endian, as Float64Array on every platform Node runs on):
 *   bytes 0–7     magic "FFSHARD1"
 *   bytes 8–11    uint32 length L of the UTF-8 JSON header
 *   12 … 12+L     header: { kind, plan, …, arrays: [lengths of the Float64 arrays] }
 *   zero padding to a multiple of 8, then the Float64 arrays back to back
 *   last 32 bytes SHA-256 of everything before them
 * The digest function is a parameter (default: encoding.ts's portable SHA-256, ~20–40 MB/s); the host passes
 * node:crypto's (≈ 400 MB/s here), which computes the same digest, so files are interchangeable.
 * A truncated, corrupted or foreign file (wrong kind, another plan's id) is refused with the file name.
 *
 * Reduction (science.md §1.9: ΦᵀΦ and Φᵀy are sums over structures): ΦᵀΦ = Σ_k ΦᵀΦ_k over the shards in shard order
 * 0, 1, …, K−1, the same additions in the same order on every run, so a sharded fit is reproducible bit for bit; it
 * differs from the in-process fit only by the grouping of the floating-point additions.
 */
import { FarfieldError } from '../core/index.js';
import { sha256Bytes } from './encoding.js';
import type { FitNormalEquations } from './fit.js';

const MAGIC = 'FFSHARD1';

/** SHA-256 digest (32 bytes) of a byte range. */
export type Sha256Digest = (bytes: Uint8Array) => Uint8Array;

export const portableSha256: Sha256Digest = (bytes) => hexBytes(sha256Bytes(bytes));

export interface ShardHeader {
  /** 'features' | 'normal' | 'references' (what the file holds). */
  kind: string;
  /** Id of the fit plan the file belongs to. */
  plan: string;
  [key: string]: unknown;
}

export function encodeShardFile(header: ShardHeader, arrays: readonly Float64Array[], digest: Sha256Digest = portableSha256): Uint8Array {
  const head = new TextEncoder().encode(JSON.stringify({ ...header, arrays: arrays.map((a) => a.length) }));
  const start = Math.ceil((12 + head.length) / 8) * 8;
  let total = start;
  for (const a of arrays) total += 8 * a.length;
  const out = new Uint8Array(total + 32);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, head.length, true);
  out.set(head, 12);
  let o = start;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, 8 * a.length), o);
    o += 8 * a.length;
  }
  out.set(digest(out.subarray(0, total)), total);
  return out;
}

export function decodeShardFile(bytes: Uint8Array, file: string, expect: { kind: string; plan: string }, digest: Sha256Digest = portableSha256): { header: ShardHeader; arrays: Float64Array[] } {
  const bad = (why: string): FarfieldError =>
    new FarfieldError('PARSE', `${file}: not a valid ${expect.kind} shard file (${why}); remove it and run again`, { file });
  if (bytes.length < 44 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) throw bad('no FFSHARD1 header');
  const body = bytes.subarray(0, bytes.length - 32);
  const sum = digest(body);
  const stored = bytes.subarray(bytes.length - 32);
  for (let k = 0; k < 32; k++) if (sum[k] !== stored[k]) throw bad('checksum mismatch: truncated or corrupted');
  const hl = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  let header: ShardHeader & { arrays: number[] };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + hl))) as ShardHeader & { arrays: number[] };
  } catch {
    throw bad('header is not JSON');
  }
  if (header.kind !== expect.kind) throw bad(`holds '${String(header.kind)}'`);
  if (header.plan !== expect.plan) throw bad(`belongs to plan ${String(header.plan)}, not ${expect.plan}`);
  let o = Math.ceil((12 + hl) / 8) * 8;
  const arrays: Float64Array[] = [];
  for (const n of header.arrays) {
    if (o + 8 * n > body.length) throw bad('arrays longer than the file');
    arrays.push(new Float64Array(body.slice(o, o + 8 * n).buffer));
    o += 8 * n;
  }
  if (o !== body.length) throw bad('trailing bytes');
  return { header, arrays };
}

function hexBytes(hex: string): Uint8Array {
  const b = new Uint8Array(hex.length / 2);
  for (let k = 0; k < b.length; k++) b[k] = Number.parseInt(hex.slice(2 * k, 2 * k + 2), 16);
  return b;
}

/** Normal equations of one shard as a file body (kind 'normal'). */
export function encodeNormalShard(plan: string, shard: number, ne: FitNormalEquations, digest: Sha256Digest = portableSha256): Uint8Array {
  return encodeShardFile({ kind: 'normal', plan, shard, yy: ne.yy, rows: ne.rows, rowCount: ne.rowCount }, [ne.ata, ne.atb], digest);
}

export function decodeNormalShard(bytes: Uint8Array, file: string, plan: string, shard: number, digest: Sha256Digest = portableSha256): FitNormalEquations {
  const { header, arrays } = decodeShardFile(bytes, file, { kind: 'normal', plan }, digest);
  if (header.shard !== shard) throw new FarfieldError('PARSE', `${file}: holds shard ${String(header.shard)}, expected ${shard}`, { file });
  const rc = header.rowCount as FitNormalEquations['rowCount'];
  return { ata: arrays[0], atb: arrays[1], yy: header.yy as number, rows: header.rows as number, rowCount: { ...rc } };
}

/** Σ over shards in the given (fixed) order: ΦᵀΦ, Φᵀy, yᵀy, row counts. */
export function reduceNormalShards(parts: readonly FitNormalEquations[]): FitNormalEquations {
  if (parts.length === 0) throw new FarfieldError('INVALID_INPUT', 'reduce: no shards');
  const m2 = parts[0].ata.length, m = parts[0].atb.length;
  const ata = new Float64Array(m2), atb = new Float64Array(m);
  let yy = 0, rows = 0;
  const rowCount = { energy: 0, forces: 0, stress: 0 };
  parts.forEach((p, k) => {
    if (p.ata.length !== m2 || p.atb.length !== m) throw new FarfieldError('INVALID_INPUT', `reduce: shard ${k} has ${p.atb.length} unknowns, shard 0 has ${m}`);
    for (let i = 0; i < m2; i++) ata[i] += p.ata[i];
    for (let i = 0; i < m; i++) atb[i] += p.atb[i];
    yy += p.yy;
    rows += p.rows;
    rowCount.energy += p.rowCount.energy;
    rowCount.forces += p.rowCount.forces;
    rowCount.stress += p.rowCount.stress;
  });
  return { ata, atb, yy, rows, rowCount };
}
