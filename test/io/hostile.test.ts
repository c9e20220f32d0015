/** Inputs that must get a clear error or be read as ASE reads them (issue 13, items 8–10): unknown element symbols,
 *  key=value comments of plain-looking .xyz files, directories, absurd Properties widths, byte-order marks and
 *  control bytes in messages. Each case is checked through the public readers (whole-file and streaming). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FarfieldError, type Structure } from '../../src/core/index.js';
import { parsePoscar, parseXyzText } from '../../src/io/index.js';
import { detectFormat, readFrames, readStructures } from '../../src/host/index.js';
import { runPython, skipWithoutAse } from './python.js';

function withDir(fn: (dir: string) => Promise<void> | void): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ff-hostile-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

async function streamAll(path: string, format?: string): Promise<Structure[]> {
  const out: Structure[] = [];
  for await (const s of readFrames(path, { format })) out.push(s);
  return out;
}

/** Both readers throw a FarfieldError of `code` whose message matches `re`. */
async function refuses(path: string, code: string, re: RegExp, format?: string): Promise<void> {
  const check = (e: unknown): boolean => {
    assert.ok(e instanceof FarfieldError, `not a FarfieldError: ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, re);
    return true;
  };
  assert.throws(() => readStructures(path, { format }), check);
  await assert.rejects(streamAll(path, format), check);
}

test('unknown element symbols are refused with file:line (extxyz, plain XYZ, POSCAR); X, the dummy atom, is read', withDir(async (dir) => {
  const P = 'Properties=species:S:1:pos:R:3';
  for (const [bad, line] of [['Xx', 4], ['Sl', 4], ['Cl7', 4], ['na1', 4]] as const) {
    const f = join(dir, `e-${bad}.xyz`);
    writeFileSync(f, `2\n${P}\nNa 0 0 0\n${bad} 1 0 0\n`);
    await refuses(f, 'PARSE', new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:${line} \\(species\\): '${bad}' is not a chemical element symbol`));
    const g = join(dir, `p-${bad}.xyz`);
    writeFileSync(g, `2\nplain comment\nNa 0 0 0\n${bad} 1 0 0\n`);
    await refuses(g, 'PARSE', new RegExp(`p-${bad}\\.xyz:4 \\(species\\): '${bad}'`));
  }
  // capitalised as ASE does, and 'X' (ASE's dummy atom, Z = 0) accepted
  const [ok] = parseXyzText(`3\n${P}\nCL 0 0 0\nx 1 0 0\nna 2 0 0\n`, 'ok.xyz');
  assert.deepEqual(ok.symbols, ['Cl', 'X', 'Na']);
  const POS = (species: string) => `c\n1.0\n4 0 0\n0 4 0\n0 0 4\n${species}\n1 1\nDirect\n0 0 0\n0.5 0.5 0.5\n`;
  assert.throws(() => parsePoscar(POS('Na Sl'), 'POSCAR'), /POSCAR:6 \(species\): 'Sl' is not a chemical element symbol/);
  assert.throws(() => parsePoscar(POS('Na Cl7'), 'POSCAR'), /'Cl7' is not a chemical element symbol \(digits/);
  assert.deepEqual(parsePoscar(POS('Na_pv Cl/a1'), 'POSCAR').symbols, ['Na', 'Cl']);
}));

test('a .xyz whose comment is key=value pairs without Properties/Lattice keeps them, as ASE reads it', withDir(async (dir) => {
  const f = join(dir, 'e.xyz');
  writeFileSync(f, '2\nenergy=-3.5 config_type=bulk\nNa 0 0 0 extra\nCl 2.8 0 0\n1\nno pairs here\nAr 0 0 0\n');
  assert.equal(detectFormat(f).name, 'extxyz');
  const [a, b] = readStructures(f);
  assert.equal(a.labels.energyEv, -3.5);
  assert.equal(a.info.config_type, 'bulk');
  assert.deepEqual(b.info, { no: true, pairs: true, here: true }); // ASE: bare words are keys meaning True
  assert.deepEqual(await streamAll(f), [a, b]);
  // a plain XYZ file (first comment without '=') still reads later key=value comments, as ASE does
  const g = join(dir, 'p.xyz');
  writeFileSync(g, '1\nwater\nO 0 0 0\n1\nenergy=-1.25 free_energy=-1.5\nH 0 0 0\n');
  assert.equal(detectFormat(g).name, 'xyz');
  const [c, d] = readStructures(g);
  assert.equal(c.info.comment, 'water');
  assert.equal(d.labels.energyEv, -1.25);
  assert.equal(d.info.free_energy, -1.5);
}));

test('…and our energies are exactly the ones ASE reads from such a file', { skip: skipWithoutAse() }, withDir((dir) => {
  const f = join(dir, 'e.xyz');
  writeFileSync(f, '2\nenergy=-3.5 config_type=bulk\nNa 0 0 0\nCl 2.8 0 0\n1\nenergy=-1.0e-3 key1=a key2=a/b\nAr 0 0 0\n');
  const py = `import sys, json; from ase.io import read
print(json.dumps([[a.get_potential_energy(), {k: v for k, v in a.info.items()}] for a in read(sys.argv[1], ':')]))`;
  const theirs = JSON.parse(runPython(py, [f])) as [number, Record<string, unknown>][];
  const ours = readStructures(f);
  ours.forEach((s, i) => {
    assert.equal(s.labels.energyEv, theirs[i][0]);
    assert.deepEqual({ ...s.info, energy: s.labels.energyEv }, theirs[i][1]); // ASE keeps energy in info too
  });
}));

test('a directory, an absurd Properties width or atom count: FarfieldErrors naming the file and a hint', withDir(async (dir) => {
  const d = join(dir, 'frames.xyz');
  mkdirSync(d);
  await refuses(d, 'IO', /frames\.xyz: cannot read: it is a directory; give a structure file/);
  assert.throws(() => detectFormat(join(dir, 'frames.xyz')), (e: unknown) => e instanceof FarfieldError); // .xyz name: decided by content
  mkdirSync(join(dir, 'POSCAR'));
  assert.throws(() => readStructures(join(dir, 'POSCAR')), /POSCAR: cannot read: it is a directory/);
  // 10 000 atoms × 1 000 004 columns: today a RangeError (Invalid typed array length) escapes
  const lines = ['10000', 'Properties=species:S:1:pos:R:3:x:R:1000000'];
  for (let a = 0; a < 10000; a++) lines.push('Na 0 0 0 1');
  const w = join(dir, 'wide.xyz');
  writeFileSync(w, lines.join('\n') + '\n');
  await refuses(w, 'PARSE', /wide\.xyz:2 \(Properties\): Properties declares 1000004 columns per atom, more than the 10000 atom lines can hold/);
  const n = join(dir, 'count.xyz');
  writeFileSync(n, '999999999999999\n\nNa 0 0 0\n');
  await refuses(n, 'PARSE', /count\.xyz:1 \(atoms\): file ends inside the frame that starts at line 1: 999999999999999 atoms announced/);
}));

test('a UTF-8 byte-order mark is skipped (extxyz, plain, POSCAR; whole-file, streaming, detection)', withDir(async (dir) => {
  const BOM = '\ufeff';
  const f = join(dir, 'bom.xyz');
  writeFileSync(f, BOM + '1\nLattice="5 0 0 0 5 0 0 0 5" energy=-2\nNa 0 0 0\n');
  assert.equal(detectFormat(f).name, 'extxyz');
  const [s] = readStructures(f);
  assert.equal(s.labels.energyEv, -2);
  assert.deepEqual(await streamAll(f), [s]);
  const g = join(dir, 'plain.xyz');
  writeFileSync(g, BOM + '1\nhello\nNa 0 0 0\n');
  assert.equal(readStructures(g)[0].info.comment, 'hello');
  const p = join(dir, 'POSCAR');
  writeFileSync(p, BOM + 'c\n1.0\n4 0 0\n0 4 0\n0 0 4\nNa\n1\nDirect\n0 0 0\n');
  assert.equal(readStructures(p)[0].info.comment, 'c');
  const u = join(dir, 'unknown');
  writeFileSync(u, BOM + '1\nLattice="5 0 0 0 5 0 0 0 5"\nNa 0 0 0\n');
  assert.equal(detectFormat(u).name, 'extxyz');
}));

test('control bytes in the input are escaped in error messages', withDir(async (dir) => {
  const f = join(dir, 'ctl.xyz');
  writeFileSync(f, '1\nProperties=species:S:1:pos:R:3\nNa 0 0 0\u0001\u001b[31m\n');
  await refuses(f, 'PARSE', /got '0\\x01\\x1b\[31m'$/);
  const g = join(dir, 'ctl2.xyz');
  writeFileSync(g, '1\u0007\n\nNa 0 0 0\n');
  await refuses(g, 'PARSE', /got '1\\x07'/);
  assert.throws(() => parsePoscar('c\n1.0\n4 0 0\n0 4 0\n0 0 4\nNa\u0000\n1\nDirect\n0 0 0\n', 'POSCAR'), (e: unknown) => e instanceof FarfieldError && !/\u0000/.test(e.message) && /Na\\x00/.test(e.message));
}));
