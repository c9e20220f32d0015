/**
 * Byte-level fuzzing of the structure readers, shared by test/io/fuzz.test.ts (a few hundred seeded cases per format)
 * and bench/fuzz.bench.ts (thousands, with outcome counts).
 *
 * A case: a valid file of the format (written by our writers, plus hand-made variants) is mutated at the byte
 * level — bit flips, random bytes, inserted bytes from a list of troublemakers (NUL, CR, quotes, '=', a BOM, invalid
 * UTF-8), deleted and duplicated ranges, truncation, token replacement — 1 to 4 times, written to a file and read
 * (a) by the whole-file reader and (b) for XYZ by the streaming reader with a random chunk size (1 byte … 1 MB, so
 * frames and UTF-8 sequences straddle chunk borders). The outcome must be parsed structures or a FarfieldError, the
 * two readers must agree exactly (same frames, or the same error message), and each case must finish within a time
 * limit. Anything else is a failure, reported with the mutated text.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FarfieldError, Rng, makeStructure, type Structure } from '../../src/core/index.js';
import { formatExtxyzFrame, formatMlab, formatPlainXyzFrame, formatPoscar } from '../../src/io/index.js';
import { readStructures, streamXyz } from '../../src/host/index.js';
import { REPO_ROOT } from '../helpers/paths.js';

export type FuzzFormat = 'extxyz' | 'xyz' | 'poscar' | 'ml_ab';
export const FUZZ_FORMATS: readonly FuzzFormat[] = ['extxyz', 'xyz', 'poscar', 'ml_ab'];

function labelled(rng: Rng, n: number): Structure {
  const stress = new Float64Array(9);
  for (let i = 0; i < 3; i++) for (let j = i; j < 3; j++) stress[3 * i + j] = stress[3 * j + i] = rng.normal() * 0.01;
  return makeStructure({
    symbols: Array.from({ length: n }, (_, i) => ['Na', 'Cl', 'O', 'H', 'X'][i % 5]),
    positions: Array.from({ length: 3 * n }, () => rng.range(0, 5)),
    cell: [5, 0, 0, 0.3, 5, 0, 0, 0.2, 5],
    pbc: [true, true, n % 2 === 0],
    info: { name: 'a "b" c', step: n, on: true, v: [1, 2, 3], code: '007', ok: 'T', x: 42.5 },
    arrays: {
      tag: { type: 'I', width: 1, data: Int32Array.from({ length: n }, (_, i) => i) },
      m: { type: 'L', width: 2, data: new Uint8Array(2 * n) },
      selective_dynamics: { type: 'L', width: 3, data: Uint8Array.from({ length: 3 * n }, (_, i) => i % 2) },
    },
    labels: { energyEv: rng.normal(), forcesEvPerA: Float64Array.from({ length: 3 * n }, () => rng.normal()), stressEvPerA3: stress },
  });
}

/** The valid files every case starts from (several per format). */
export function baseTexts(format: FuzzFormat): string[] {
  const rng = new Rng(9);
  switch (format) {
    case 'extxyz':
      return [
        [3, 4, 2].map((n) => formatExtxyzFrame(labelled(rng, n))).join(''),
        '1\nenergy=-3.5 config_type=bulk\nNa 0 0 0\n2\n\nCl 1 2 3\nNa 0 0 1\n',
        '2\nComment line\nC 0 0 0\nO 1 0 0\nVEC1 5 0 0\nVEC2 0 5 0\nVEC3 0 0 5\n0\nProperties=species:R:1:pos:R:3 pbc="F F F"\n',
        '2\nLattice="5 0 0 0 5 0 0 0 5" Properties=species:S:1:pos:R:3:move_mask:L:1 pbc="1 1 0" id=12345678901234567890 e=42.0\nNa 0 0 0 T\nCl 2.5 2.5 2.5 F\n',
      ];
    case 'xyz':
      return [
        [2, 3].map((n) => formatPlainXyzFrame(labelled(rng, n))).join(''),
        '3\nwater\nO 0 0 0\nH 0.96 0 0 extra\nH -0.24 0.93 0\n1\nenergy=-1.25\nAr 0 0 0\n',
      ];
    case 'poscar':
      return [
        formatPoscar(labelled(rng, 5)) + '\n',
        'NaCl\n5.64\n0 0.5 0.5\n0.5 0 0.5\n0.5 0.5 0\n1 1\nDirect\n0 0 0\n0.5 0.5 0.5\n',
        'rocksalt\n-125\n1 0 0\n0 1 0\n0 0 1\nNa_pv Cl/a1b2\n1 1\nSelective dynamics\nCartesian\n0 0 0 T F T\n2.5 2.5 2.5 F F F\n',
      ];
    case 'ml_ab':
      return [formatMlab([labelled(rng, 4), labelled(rng, 5)]), readFileSync(join(REPO_ROOT, 'test', 'fixtures-own', 'ML_AB_nacl'), 'utf8')];
  }
}

const TROUBLE: readonly number[][] = [
  [0], [10], [13], [13, 10], [32], [9], [34], [39], [61], [123], [125], [92], [58], [0xef, 0xbb, 0xbf], [0xff], [0xc3],
  [0xe2, 0x82], [0x80], [0x7f], [0x1b], [45], [48], [57], [46], [101], [84], [70],
];
const TOKENS = [
  '', 'x', 'NaN', 'inf', '-1', '0', '1e999', '"', '{', '=', 'T', 'F', '3', '999999999999', '1000000', ':', '-0', '1.5',
  'Properties=a:R', 'Properties=species:S:1:pos:R:3:q:R:1000000', '\\', 'Xx', 'Cl7', 'VEC1', 'VEC2 1 2 3', '_JSON [1,', 'pbc="1 1 0"',
  'S', 'Selective', 'Direct', '2147483648', '9007199254740993', '\u00e9', '\ufeff',
];

/** One to four byte-level mutations of `base`. */
export function mutate(base: Uint8Array, rng: Rng): Uint8Array {
  let b = Buffer.from(base);
  const steps = 1 + rng.int(4);
  for (let s = 0; s < steps; s++) {
    const n = b.length;
    const at = rng.int(n + 1);
    switch (rng.int(8)) {
      case 0: // bit flips
        if (n > 0) for (let k = 1 + rng.int(3); k > 0; k--) { const i = rng.int(n); b[i] ^= 1 << rng.int(8); }
        break;
      case 1: // random bytes overwritten
        for (let k = 1 + rng.int(4); k > 0 && n > 0; k--) b[rng.int(n)] = rng.int(256);
        break;
      case 2: { // troublemaker bytes inserted
        const ins = Buffer.from(TROUBLE[rng.int(TROUBLE.length)]);
        b = Buffer.concat([b.subarray(0, at), ins, b.subarray(at)]);
        break;
      }
      case 3: { // a range deleted
        const len = 1 + rng.int(rng.uniform() < 0.2 ? 200 : 16);
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(n, at + len))]);
        break;
      }
      case 4: // truncation
        b = b.subarray(0, at);
        break;
      case 5: { // a range duplicated elsewhere
        if (n === 0) break;
        const from = rng.int(n), len = 1 + rng.int(Math.min(120, n - from));
        const to = rng.int(n + 1);
        b = Buffer.concat([b.subarray(0, to), b.subarray(from, from + len), b.subarray(to)]);
        break;
      }
      case 6: { // a whitespace-delimited token replaced
        const text = b.toString('latin1');
        const spans: [number, number][] = [];
        for (const m of text.matchAll(/[^\s]+/g)) spans.push([m.index, m.index + m[0].length]);
        if (spans.length === 0) break;
        const [a, e] = spans[rng.int(spans.length)];
        b = Buffer.concat([b.subarray(0, a), Buffer.from(TOKENS[rng.int(TOKENS.length)], 'utf8'), b.subarray(e)]);
        break;
      }
      default: { // a line deleted or duplicated
        const lines: number[] = [0];
        for (let i = 0; i < n; i++) if (b[i] === 10) lines.push(i + 1);
        const k = rng.int(lines.length);
        const a = lines[k], e = k + 1 < lines.length ? lines[k + 1] : n;
        b = rng.uniform() < 0.5 ? Buffer.concat([b.subarray(0, a), b.subarray(e)]) : Buffer.concat([b.subarray(0, e), b.subarray(a, e), b.subarray(e)]);
      }
    }
  }
  return b;
}

/** Outcome of one case: 'parsed' (frames read) or 'error:<FarfieldError code>'; failures throw. */
export type FuzzOutcome = 'parsed' | `error:${string}`;

const CHUNKS = [13, 97, 1000, undefined]; // bytes per read of the streaming reader (undefined: its 1 MB default)

function describe(e: unknown): string {
  return e instanceof FarfieldError ? `FarfieldError ${e.code}: ${e.message}` : `${(e as Error)?.name}: ${String((e as Error)?.message ?? e)}`;
}

/**
 * Run one mutant through the readers of `format` (file `path` is overwritten). Throws an AssertionError with the
 * input when an exception other than FarfieldError escapes, when the streaming and whole-file readers disagree, or
 * when an error lacks a file name.
 */
export async function runCase(format: FuzzFormat, bytes: Uint8Array, path: string, rng: Rng): Promise<{ outcome: FuzzOutcome; ms: number }> {
  writeFileSync(path, bytes);
  const show = () => `\n--- input (${bytes.length} bytes, as JSON) ---\n${JSON.stringify(Buffer.from(bytes).toString('latin1')).slice(0, 3000)}`;
  const t0 = performance.now();
  let whole: Structure[] | null = null;
  let wholeErr: FarfieldError | null = null;
  try {
    whole = readStructures(path, { format });
  } catch (e) {
    if (!(e instanceof FarfieldError)) assert.fail(`whole-file ${format} reader: non-FarfieldError escaped: ${describe(e)}${show()}`);
    assert.ok(e.location?.file, `error without a file name: ${e.message}${show()}`);
    assert.ok(!/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(e.message), `raw control character in the message: ${JSON.stringify(e.message)}`);
    wholeErr = e;
  }
  if (format === 'extxyz' || format === 'xyz') {
    const chunkBytes = CHUNKS[rng.int(CHUNKS.length)];
    const streamed: Structure[] = [];
    let streamErr: FarfieldError | null = null;
    try {
      for await (const s of streamXyz(path, format === 'xyz', { chunkBytes })) streamed.push(s);
    } catch (e) {
      if (!(e instanceof FarfieldError)) assert.fail(`streaming ${format} reader (chunk ${chunkBytes ?? '1 MB'}): non-FarfieldError escaped: ${describe(e)}${show()}`);
      streamErr = e;
    }
    if (wholeErr) {
      assert.ok(streamErr, `whole-file reader failed (${wholeErr.message}) but the streaming reader read ${streamed.length} frames${show()}`);
      assert.equal(streamErr.message, wholeErr.message, `readers disagree (chunk ${chunkBytes ?? '1 MB'})${show()}`);
    } else {
      assert.ok(!streamErr, `streaming reader failed (${streamErr?.message}, chunk ${chunkBytes ?? '1 MB'}) but the whole-file reader read ${whole?.length} frames${show()}`);
      assert.deepStrictEqual(streamed, whole, `readers give different frames (chunk ${chunkBytes ?? '1 MB'})${show()}`);
    }
  }
  const ms = performance.now() - t0;
  return { outcome: wholeErr ? `error:${wholeErr.code}` : 'parsed', ms };
}

/** Run `cases` seeded mutants of every base text of `format`; returns outcome counts and the slowest case. */
export async function fuzzFormat(format: FuzzFormat, cases: number, seed: number, dir: string, limitMs: number): Promise<{ counts: Map<string, number>; maxMs: number }> {
  const rng = new Rng(seed);
  const bases = baseTexts(format).map((t) => Buffer.from(t, 'utf8'));
  const path = join(dir, format === 'poscar' ? 'POSCAR' : format === 'ml_ab' ? 'ML_AB' : `fuzz.${format}`);
  for (const b of bases) {
    const r = await runCase(format, b, path, rng);
    assert.equal(r.outcome, 'parsed', `an unmutated ${format} base file must parse`);
  }
  const counts = new Map<string, number>();
  let maxMs = 0;
  for (let c = 0; c < cases; c++) {
    const bytes = mutate(bases[c % bases.length], rng);
    const { outcome, ms } = await runCase(format, bytes, path, rng);
    assert.ok(ms < limitMs, `case ${c} took ${ms.toFixed(0)} ms (limit ${limitMs} ms)\n${JSON.stringify(Buffer.from(bytes).toString('latin1')).slice(0, 2000)}`);
    maxMs = Math.max(maxMs, ms);
    counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  }
  return { counts, maxMs };
}
