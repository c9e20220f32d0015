/** Extended XYZ: ASE's key=value grammar (checked against ASE's own parser), special keys, streaming, round trips,
 *  exact float text, and error messages with file/line/field. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FarfieldError, Rng, makeStructure } from '../../src/core/index.js';
import { parseKeyValues, parseXyzText, formatExtxyzFrame, formatReal } from '../../src/io/index.js';
import { readFrames, readStructures, writeStructures } from '../../src/host/index.js';
import { runPython, skipWithoutAse } from './python.js';

const W = { file: 't.xyz', line: 2 };

const LINES = [
  'a=1 b=2.5 c=T d=F e="x y" f={1 2 3} g=[1.5,2,3e-3] h="T F T" flag',
  "q='single quoted' r=\"esc \\\"q\\\" \\\\ back\" s = spaced t=a=b",
  'Lattice="1 0 0 0 2 0 0 0 3" Properties=species:S:1:pos:R:3 n=-7 m=+3 big=12345678901 x=1e5 y=.5 z=5.',
  'mixed="1 a 2" neg=-0.0 uid=123 word=Hello key_with-dash=3 w="1, 2, 3"',
  'j="_JSON [1, 2, 3]" k="_JSON [\\"a\\", \\"b\\"]"',
];

test('key=value parsing matches ASE key_val_str_to_dict on tricky lines', { skip: skipWithoutAse() }, () => {
  const py = `
import sys, json, numpy as np
from ase.io.extxyz import key_val_str_to_dict
out = []
for line in json.loads(sys.argv[1]):
    d = key_val_str_to_dict(line)
    for k, v in d.items():
        if isinstance(v, np.ndarray): v = v.T.ravel().tolist() if v.ndim == 2 else v.tolist()
        elif isinstance(v, np.generic): v = v.item()
        d[k] = v
    out.append(d)
print(json.dumps(out))`;
  const theirs = JSON.parse(runPython(py, [JSON.stringify(LINES)])) as Record<string, unknown>[];
  LINES.forEach((line, i) => {
    const ours = Object.fromEntries(parseKeyValues(line, W));
    assert.deepEqual(Object.keys(ours), Object.keys(theirs[i]), line);
    for (const k of Object.keys(ours)) assert.deepEqual(ours[k], theirs[i][k], `${line}: ${k}`);
  });
});

test('key=value grammar (hand-derived from the rules): quotes, escapes, bare keys, booleans, arrays', () => {
  const m = Object.fromEntries(parseKeyValues(LINES[0] + ' u=True v=False', W));
  assert.deepEqual(m, { a: 1, b: 2.5, c: true, d: false, e: 'x y', f: [1, 2, 3], g: [1.5, 2, 0.003], h: [true, false, true], flag: true, u: true, v: false });
  const n = Object.fromEntries(parseKeyValues(LINES[1], W));
  assert.deepEqual(n, { q: 'single quoted', r: 'esc "q" \\ back', s: 'spaced', t: 'a=b' });
  assert.throws(() => parseKeyValues('a="open', W), /t\.xyz:2: unterminated quote/);
  assert.throws(() => parseKeyValues('=5', W), /has no key/);
});

const FRAME = (comment: string, lines: string[]) => `${lines.length}\n${comment}\n${lines.join('\n')}\n`;

test('special keys: Lattice rows, pbc default, energy, 9- and 6-component stress, virial → −virial/V, charges', () => {
  const L = 'Lattice="4 0 0 1 5 0 0 0 6"';
  const [a] = parseXyzText(FRAME(`${L} Properties=species:S:1:pos:R:3:forces:R:3:charge:R:1 energy=-3.5 stress="1 2 3 4 5 6 7 8 9"`, ['na 0 0 0 1 2 3 0.5', 'CL 1 1 1 -1 -2 -3 -0.5']), 'a.xyz');
  assert.deepEqual(Array.from(a.cell), [4, 0, 0, 1, 5, 0, 0, 0, 6]);
  assert.deepEqual(a.pbc, [true, true, true]);
  assert.deepEqual(a.symbols, ['Na', 'Cl']);
  assert.equal(a.labels.energyEv, -3.5);
  // Fortran order: t[i][j] = v[i + 3j] → rows (1 4 7) (2 5 8) (3 6 9)
  assert.deepEqual(Array.from(a.labels.stressEvPerA3!), [1, 4, 7, 2, 5, 8, 3, 6, 9]);
  assert.deepEqual(Array.from(a.labels.charges!), [0.5, -0.5]);
  assert.deepEqual(Array.from(a.labels.forcesEvPerA!), [1, 2, 3, -1, -2, -3]);
  const [b] = parseXyzText(FRAME(`${L} stress="1 2 3 4 5 6" pbc="T T F"`, ['H 0 0 0']), 'b.xyz');
  // Voigt xx yy zz yz xz xy
  assert.deepEqual(Array.from(b.labels.stressEvPerA3!), [1, 6, 5, 6, 2, 4, 5, 4, 3]);
  assert.deepEqual(b.pbc, [true, true, false]);
  const [c] = parseXyzText(FRAME(`${L} virial="120 0 0 0 -240 0 0 0 0"`, ['H 0 0 0']), 'c.xyz');
  // V = det = 4·5·6 = 120 Å³ → σ = −W/V
  assert.deepEqual(Array.from(c.labels.stressEvPerA3!), [-1, 0, 0, 0, 2, 0, 0, 0, 0]);
  const [d] = parseXyzText(FRAME('Properties=species:S:1:pos:R:3:Z:I:1', ['X 0 0 0 0']), 'd.xyz');
  assert.deepEqual(d.pbc, [false, false, false]);
  assert.deepEqual(Array.from(d.cell), new Array(9).fill(0));
  const [e] = parseXyzText(FRAME('Properties=Z:I:1:pos:R:3', ['8 0 0 0', '1 1 0 0']), 'e.xyz');
  assert.deepEqual(e.symbols, ['O', 'H']);
});

test('plain XYZ and multi-frame files; streaming gives the same frames as the whole-file reader', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-xyz-'));
  try {
    const plain = join(dir, 'plain.xyz');
    writeFileSync(plain, '2\nwater molecule\r\nO 0 0 0\nH 0.9 0 0 extra\n\n1\n\nH 1 2 3\n');
    const p = readStructures(plain);
    assert.equal(p.length, 2);
    assert.equal(p[0].info.comment, 'water molecule');
    assert.deepEqual(Array.from(p[1].positions), [1, 2, 3]);
    // many frames over several 1 MB chunks
    const rng = new Rng(2);
    const frames = Array.from({ length: 300 }, (_, k) => {
      const n = 1 + rng.int(40);
      return makeStructure({
        symbols: Array.from({ length: n }, () => (rng.uniform() < 0.5 ? 'O' : 'H')),
        positions: Array.from({ length: 3 * n }, () => rng.normal() * 1e3),
        cell: [30, 0, 0, 0, 30, 0, 0, 0, 30],
        info: { k, text: 'x'.repeat(1 + k * 40) },
        labels: { energyEv: rng.normal(), forcesEvPerA: Float64Array.from({ length: 3 * n }, () => rng.normal()) },
      });
    });
    const f = join(dir, 'many.xyz');
    writeStructures(f, frames);
    const whole = readStructures(f);
    const streamed = [];
    for await (const s of readFrames(f)) streamed.push(s);
    assert.equal(streamed.length, 300);
    assert.deepEqual(streamed, whole);
    whole.forEach((s, k) => {
      assert.deepEqual(s.positions, frames[k].positions);
      assert.deepEqual(s.labels, frames[k].labels);
      assert.deepEqual(s.info, frames[k].info);
    });
    // one frame larger than the 1 MB read chunk, then a small one
    const big = makeStructure({ symbols: new Array(30000).fill('Ar'), positions: Float64Array.from({ length: 90000 }, () => rng.normal()) });
    const g = join(dir, 'big.xyz');
    writeStructures(g, [big, frames[0]]);
    const bs = [];
    for await (const s of readFrames(g)) bs.push(s);
    assert.deepEqual(bs, readStructures(g));
    assert.deepEqual(bs[0].positions, big.positions);
    assert.deepEqual(readdirSync(dir).filter((x) => x.includes('.tmp')), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('floats are written in shortest round-trip form, −0 and extreme exponents included', () => {
  const vals = [-0, 0, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 1e21, 1e-7, 0.1 + 0.2, -123.456, 2 ** 53 + 2];
  for (const v of vals) assert.ok(Object.is(Number(formatReal(v)), v), `${v}`);
  const s = makeStructure({ symbols: vals.slice(0, 9).map(() => 'H').concat(['H']), positions: [...vals, ...vals, ...vals], labels: { energyEv: -0 } });
  const [back] = parseXyzText(formatExtxyzFrame(s), 'x.xyz');
  for (let i = 0; i < s.positions.length; i++) assert.ok(Object.is(back.positions[i], s.positions[i]), `${s.positions[i]}`);
  assert.ok(Object.is(back.labels.energyEv, -0));
});

function parseErr(text: string, re: RegExp): void {
  assert.throws(() => parseXyzText(text, 'train.xyz'), (e: unknown) => {
    if (!(e instanceof FarfieldError) || e.code !== 'PARSE') return false;
    assert.match(e.message, re);
    return true;
  });
}

test('bad input: every error names file, line and field and says what was expected', () => {
  const P = 'Properties=species:S:1:pos:R:3:forces:R:3:q:R:1';
  parseErr(FRAME(P, ['H 0 0 0 1 2 3 4', 'H 0 0 0 1 2 3']), /^train\.xyz:4 \(Properties\): Properties says 8 columns, line has 7$/);
  parseErr(FRAME(P, ['H 0 0 0 1 2 3 4 5']), /^train\.xyz:3 \(Properties\): Properties says 8 columns, line has 9$/);
  parseErr('3\n' + P + '\nH 0 0 0 1 2 3 4\n', /^train\.xyz:4 \(atoms\): file ends inside the frame that starts at line 1: expected 3 atom lines, found 1$/);
  parseErr(FRAME(P, ['H 0 0 x 1 2 3 4']), /^train\.xyz:3 \(pos\): atom 1: expected a finite real, got 'x'$/);
  parseErr(FRAME(P, ['H 0 0 NaN 1 2 3 4']), /\(pos\): atom 1: expected a finite real, got 'NaN'/);
  parseErr(FRAME(P, ['H 0 0 0 Infinity 2 3 4']), /\(forces\).*'Infinity'/);
  parseErr(FRAME(P, ['H 0 0 0x10 1 2 3 4']), /\(pos\).*'0x10'/);
  parseErr('two\nx\n', /^train\.xyz:1 \(atom count\): expected the number of atoms/);
  parseErr('1\n', /^train\.xyz:2 \(comment\): file ends after the atom count/);
  parseErr(FRAME('Lattice="1 0 0 2 0 0 0 0 1"', ['H 0 0 0']), /^train\.xyz:2 \(Lattice\):.*singular/);
  parseErr(FRAME('Lattice="1 0 0 0 1 0 0 0"', ['H 0 0 0']), /\(Lattice\): expected 9 numbers/);
  parseErr(FRAME('pbc="T F F"', ['H 0 0 0']), /^train\.xyz:2 \(pbc\): pbc="T F F" asks for periodic directions but there is no Lattice/);
  parseErr(FRAME('Properties=species:S:1:pos:R:2', ['H 0 0']), /\(Properties\): pos must be R:3/);
  parseErr(FRAME('Properties=species:S:1:pos:X:3', ['H 0 0 0']), /type 'X', expected one of S, R, I, L/);
  parseErr(FRAME('Properties=species:S:1:pos:R', ['H 0 0 0']), /name:type:width triples/);
  parseErr(FRAME('energy=abc', ['H 0 0 0']), /\(energy\): expected a finite number/);
  parseErr(FRAME('energy=nan', ['H 0 0 0']), /\(energy\)/);
  parseErr(FRAME('Lattice="2 0 0 0 2 0 0 0 2" stress="1 2 3"', ['H 0 0 0']), /\(stress\): expected 9 numbers \(3×3\) or 6/);
  parseErr(FRAME('virial="1 2 3 4 5 6"', ['H 0 0 0']), /\(virial\): virial needs a 3-D cell/);
  parseErr(FRAME('Properties=species:S:1:pos:R:3:m:L:1', ['H 0 0 0 yes']), /\(m\): atom 1: expected T or F, got 'yes'/);
  parseErr(FRAME('Properties=species:S:1:pos:R:3:m:I:1', ['H 0 0 0 1.5']), /\(m\): atom 1: expected a 32-bit integer/);
});

test('writers refuse non-finite values and leave no partial file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-xyz-'));
  try {
    const good = makeStructure({ symbols: ['H'], positions: [0, 0, 0] });
    const bad = makeStructure({ symbols: ['H'], positions: [0, 0, 0], labels: { forcesEvPerA: Float64Array.of(0, NaN, 0) } });
    const f = join(dir, 'out.xyz');
    writeStructures(f, [good]);
    assert.throws(() => writeStructures(f, [good, bad]), (e: unknown) => e instanceof FarfieldError && /forces/.test(e.message));
    assert.equal(readStructures(f).length, 1); // old file untouched
    assert.deepEqual(readdirSync(dir), ['out.xyz']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('live trajectory writer: frames readable while open, complete frames only, abort keeps them', async () => {
  const { openXyzLiveWriter, readXyz } = await import('../../src/host/index.js');
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { makeStructure } = await import('../../src/core/index.js');
  const path = join(mkdtempSync(join(tmpdir(), 'ff-live-')), 'traj.xyz');
  writeFileSync(path, 'stale content that must go\n');
  const frame = (x: number) => makeStructure({ symbols: ['Na', 'Cl'], positions: [x, 0, 0, x + 2.5, 0, 0], cell: [10, 0, 0, 0, 10, 0, 0, 0, 10], pbc: [true, true, true] });
  const w = openXyzLiveWriter(path);
  w.write(frame(0));
  assert.equal(readXyz(path).length, 1, 'first frame visible before close');
  w.write(frame(1));
  assert.deepEqual(readXyz(path).map((s) => s.positions[0]), [0, 1]);
  w.abort();
  assert.equal(readXyz(path).length, 2, 'abort keeps the complete frames');
  assert.throws(() => w.write(frame(2)), /after it was closed/);
});

// ---------------------------------------------------------------- ASE compatibility details (issue 16 item 4);
// test/io/ase-cases.test.ts checks the same against ASE itself where it is installed

test('writer keeps Python types: labels are reals (-1 → -1.0), integer-valued reals and big integers keep their text', () => {
  const s = makeStructure({ symbols: ['Na'], positions: [0, 0, 0], cell: [5, 0, 0, 0, 5, 0, 0, 0, 5], labels: { energyEv: -1, stressEvPerA3: Float64Array.of(1, 0, 0, 0, 2, 0, 0, 0, 3) } });
  const text = formatExtxyzFrame(s);
  assert.match(text, / energy=-1\.0 /);
  assert.match(text, / stress="1\.0 0\.0 0\.0 0\.0 2\.0 0\.0 0\.0 0\.0 3\.0" /);
  assert.match(text, /Lattice="5\.0 0\.0 0\.0 0\.0 5\.0 0\.0 0\.0 0\.0 5\.0"/);
  // read → write gives back the text of integer-valued reals (Python float) and of integers beyond 2^53 (Python int)
  const [r] = parseXyzText('1\nv=42.0 w=42 big=12345678901234567891 arr="1.0 2.0" sci=1.2e7\nNa 0 0 0\n', 'r.xyz');
  assert.deepEqual([r.info.v, r.info.w, r.info.arr, r.info.sci], [42, 42, [1, 2], 12000000]);
  const back = formatExtxyzFrame(r);
  for (const kv of ['v=42.0', 'w=42', 'big=12345678901234567891', 'arr="1.0 2.0"', 'sci=1.2e7']) assert.ok(back.includes(` ${kv} `) || back.includes(` ${kv}\n`), `${kv} in ${back}`);
  // a changed value is written afresh
  r.info.v = 43;
  assert.match(formatExtxyzFrame(r), / v=43 /);
});

test('writer protects strings that would read back as numbers, booleans or arrays (_JSON "…"), except uid', () => {
  const info = { a: '007', b: 'T', c: '', d: '1 2', e: 'nan', f: 'plain', g: 'True', uid: '12' };
  const s = makeStructure({ symbols: ['Na'], positions: [0, 0, 0], info });
  const text = formatExtxyzFrame(s);
  assert.match(text, /a="_JSON \\"007\\""/);
  assert.match(text, / f=plain /);
  assert.match(text, / uid=12 /);
  assert.deepEqual(parseXyzText(text, 's.xyz')[0].info, info);
});

test('move_mask (ASE constraints, Cartesian) kept as move_mask; selective_dynamics written as move_mask; VEC lines; empty frames; numeric pbc', () => {
  const [a] = parseXyzText('2\nProperties=species:S:1:pos:R:3:move_mask:L:1\nH 0 0 0 T\nO 1 0 0 F\n', 'm.xyz');
  assert.deepEqual(Array.from(a.arrays.move_mask.data as Uint8Array), [1, 0]);
  assert.equal(a.arrays.selective_dynamics, undefined);
  assert.match(formatExtxyzFrame(a), /Properties=species:S:1:pos:R:3:move_mask:L:1 /);
  a.arrays.selective_dynamics = { type: 'L', width: 3, data: Uint8Array.from([1, 0, 1, 0, 0, 0]) };
  delete a.arrays.move_mask;
  assert.match(formatExtxyzFrame(a), /move_mask:L:3 /);
  assert.match(formatExtxyzFrame(a), /\nH 0 0 0 T F T\n/);
  // ASE's vec_cell: lattice vectors as VEC lines after the atoms; the comment stays a comment
  const [v, w] = parseXyzText('1\nSi crystal, a=5.43\nSi 0 0 0\nVEC1 5 0 0\nVEC2 0 5 0\nVEC3 0 0 5\n1\n\nSi 1 1 1\n', 'v.xyz');
  assert.deepEqual(Array.from(v.cell), [5, 0, 0, 0, 5, 0, 0, 0, 5]);
  assert.deepEqual(v.pbc, [true, true, true]);
  assert.equal(v.info.comment, 'Si crystal, a=5.43');
  assert.deepEqual(Array.from(w.positions), [1, 1, 1]);
  assert.throws(() => parseXyzText('1\nc\nSi 0 0 0\nVEC1 5 0 0\nVEC3 0 0 5\nVEC2 0 5 0\n', 'v.xyz'), /v\.xyz:5 \(VEC\): expected VEC2/);
  // ASE writes an empty frame's species as R:1
  const [e, f] = parseXyzText('0\nProperties=species:R:1:pos:R:3 pbc="F F F"\n1\n\nNa 0 0 0\n', 'e.xyz');
  assert.equal(e.species.length, 0);
  assert.deepEqual(f.symbols, ['Na']);
  const [p] = parseXyzText('1\nLattice="5 0 0 0 5 0 0 0 5" pbc="1 1 0"\nNa 0 0 0\n', 'p.xyz');
  assert.deepEqual(p.pbc, [true, true, false]);
});

test('gzip-compressed files (ASE writes .xyz.gz) are read whole and streamed; writing .gz is refused with a hint', async () => {
  const { gzipSync } = await import('node:zlib');
  const dir = mkdtempSync(join(tmpdir(), 'ff-gz-'));
  try {
    const frames = Array.from({ length: 50 }, (_, k) => makeStructure({ symbols: ['Na', 'Cl'], positions: [k, 0, 0, k + 2.5, 0, 0], labels: { energyEv: -k / 3 } }));
    const plain = join(dir, 'a.xyz');
    writeStructures(plain, frames);
    const gz = join(dir, 'a.xyz.gz');
    writeFileSync(gz, gzipSync(readFileSync(plain)));
    const whole = readStructures(gz);
    assert.deepEqual(whole, readStructures(plain));
    const streamed = [];
    for await (const s of readFrames(gz)) streamed.push(s);
    assert.deepEqual(streamed, whole);
    writeFileSync(join(dir, 'b.xyz.gz'), gzipSync(readFileSync(plain)).subarray(0, 200));
    assert.throws(() => readStructures(join(dir, 'b.xyz.gz')), /b\.xyz\.gz: cannot read: the gzip-compressed data is corrupt or truncated/);
    assert.throws(() => writeStructures(join(dir, 'o.xyz.gz'), frames), /writing gzip-compressed files is not supported: write o\.xyz and compress it/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
