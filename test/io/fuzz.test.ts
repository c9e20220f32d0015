/** Property-based robustness: mutate valid files (delete/duplicate lines, replace tokens, truncate; and at the byte
 *  level: bit flips, random and inserted bytes, deleted/duplicated ranges — see fuzzing.ts) and check that every
 *  parser either succeeds or throws a FarfieldError — never a TypeError, RangeError or a hang — and that the
 *  streaming XYZ reader agrees exactly with the whole-file reader on every mutant. bench/fuzz.bench.ts runs the
 *  byte-level cases by the thousand and prints the outcome counts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { FarfieldError, Rng, makeStructure } from '../../src/core/index.js';
import { formatExtxyzFrame, formatMlab, formatPoscar, parseMlab, parsePoscar, parseXyzText } from '../../src/io/index.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { FUZZ_FORMATS, fuzzFormat } from './fuzzing.js';

const rng = new Rng(9);
function labelled(n: number) {
  const stress = new Float64Array(9);
  for (let i = 0; i < 3; i++) for (let j = i; j < 3; j++) stress[3 * i + j] = stress[3 * j + i] = rng.normal() * 0.01;
  return makeStructure({
    symbols: Array.from({ length: n }, (_, i) => ['Na', 'Cl', 'O', 'H'][i % 4]),
    positions: Array.from({ length: 3 * n }, () => rng.range(0, 5)),
    cell: [5, 0, 0, 0.3, 5, 0, 0, 0.2, 5],
    pbc: [true, true, n % 2 === 0],
    info: { name: 'a "b" c', step: n, on: true, v: [1, 2, 3] },
    arrays: { tag: { type: 'I', width: 1, data: Int32Array.from({ length: n }, (_, i) => i) }, m: { type: 'L', width: 2, data: new Uint8Array(2 * n) } },
    labels: { energyEv: rng.normal(), forcesEvPerA: Float64Array.from({ length: 3 * n }, () => rng.normal()), stressEvPerA3: stress },
  });
}

const XYZ = [3, 4].map((n) => formatExtxyzFrame(labelled(n))).join('');
const POSCAR = formatPoscar(labelled(5)) + '\n';
const MLAB = readFileSync(join(REPO_ROOT, 'test', 'fixtures-own', 'ML_AB_nacl'), 'utf8');
const MLAB_FULL = formatMlab([labelled(4), labelled(5)]);

const REPLACEMENTS = ['', 'x', 'NaN', 'inf', '-1', '0', '1e999', '"', '{', '=', 'T', 'F', '3', '999999999999', ':', '-0', '1.5', 'Properties=a:R', '\\'];

/** A mutation of a text: delete/duplicate a line, replace a token, truncate, or swap two lines. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), to: fc.nat() }),
  fc.record({ kind: fc.constant('token' as const), at: fc.nat(), tok: fc.nat(), by: fc.constantFrom(...REPLACEMENTS) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function apply(text: string, muts: Mutation[]): string {
  let lines = text.split('\n');
  for (const m of muts) {
    if (lines.length === 0) break;
    const i = m.at % lines.length;
    switch (m.kind) {
      case 'delete': lines.splice(i, 1); break;
      case 'duplicate': lines.splice(i, 0, lines[i]); break;
      case 'swap': { const j = m.to % lines.length; [lines[i], lines[j]] = [lines[j], lines[i]]; break; }
      case 'token': {
        const t = lines[i].split(/(\s+)/);
        const words = t.map((x, k) => [x, k] as const).filter(([x]) => x.trim() !== '');
        if (words.length) t[words[m.tok % words.length][1]] = m.by;
        lines[i] = t.join('');
        break;
      }
      case 'truncate': {
        const s = lines.join('\n');
        lines = s.slice(0, m.at % (s.length + 1)).split('\n');
        break;
      }
    }
  }
  return lines.join('\n');
}

function onlyFarfieldErrors(parse: (text: string) => unknown, base: string): void {
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (muts) => {
      const text = apply(base, muts);
      try {
        parse(text);
      } catch (e) {
        if (!(e instanceof FarfieldError)) throw new Error(`non-FarfieldError escaped: ${String(e)}\n--- input ---\n${text.slice(0, 2000)}`);
        assert.ok(e.location?.file, `error without a file: ${e.message}`);
      }
    }),
    { numRuns: 300, seed: 20240601 },
  );
}

test('mutated extended XYZ files: only FarfieldError escapes', () => {
  parseXyzText(XYZ, 'f.xyz'); // the unmutated text is valid
  onlyFarfieldErrors((t) => parseXyzText(t, 'f.xyz'), XYZ);
  onlyFarfieldErrors((t) => parseXyzText(t, 'f.xyz', true), XYZ);
});

test('mutated POSCAR files: only FarfieldError escapes', () => {
  parsePoscar(POSCAR, 'POSCAR');
  onlyFarfieldErrors((t) => parsePoscar(t, 'POSCAR'), POSCAR);
});

test('mutated ML_AB files: only FarfieldError escapes', () => {
  parseMlab(MLAB_FULL, 'ML_AB');
  onlyFarfieldErrors((t) => parseMlab(t, 'ML_AB'), MLAB_FULL);
  onlyFarfieldErrors((t) => parseMlab(t, 'ML_AB'), MLAB);
});

// ---------------------------------------------------------------- byte-level mutations (fuzzing.ts)

const CASES = 250; // per format; the bench runs thousands
const LIMIT_MS = 2000; // per case, generous for a loaded CI machine: the cases take about a millisecond

for (const format of FUZZ_FORMATS) {
  test(`byte-level mutants of ${format}: parsed or FarfieldError, streaming = whole-file, each within ${LIMIT_MS} ms`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ff-fuzz-'));
    try {
      const { counts } = await fuzzFormat(format, CASES, 20261205, dir, LIMIT_MS);
      // the mutants must exercise both outcomes, or the fuzzing proves nothing
      assert.ok((counts.get('parsed') ?? 0) > 0 && (counts.get('error:PARSE') ?? 0) > 0, JSON.stringify([...counts]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
