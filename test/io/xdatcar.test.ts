/**
 * VASP XDATCAR reader (src/io/xdatcar.ts): every frame, not just the first (an XDATCAR used to be sniffed as a
 * POSCAR); fixed-cell files written by ASE 3.22's own writer and a variable-cell (NpT) file by hand are compared with
 * ASE's reader; a file cut short keeps its complete frames with a warning; bad numbers name file:line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FarfieldError, type Structure } from '../../src/core/index.js';
import { parseXdatcar, setIoWarningHandler, type IoWarning } from '../../src/io/index.js';
import { detectFormat, readFrames, readStructures } from '../../src/host/index.js';
import { runPython, skipWithoutAse } from './python.js';
import { aseReadVaspMany, diffWithAse, formatDiffs, withWarnings } from './vaspAse.js';

const skipAse = skipWithoutAse();

// NpT run: the header is repeated before every frame, with the cell of that frame (second one scaled by 2)
const NPT = `Na Cl
           1
     5.600000    0.000000    0.000000
     0.000000    5.600000    0.000000
     0.000000    0.000000    5.600000
   Na   Cl
     2     2
Direct configuration=     1
  0.00000000  0.00000000  0.00000000
  0.50000000  0.50000000  0.00000000
  0.50000000  0.00000000  0.00000000
  0.00000000  0.50000000  0.00000000
Na Cl
           2
     2.810000    0.010000    0.000000
    -0.020000    2.790000    0.030000
     0.000000    0.010000    2.820000
   Na   Cl
     2     2
Direct configuration=     2
  0.01000000  0.99000000  0.00500000
  0.50000000  0.50000000  0.00000000
  0.49000000  0.01000000  0.00000000
  0.00000000  0.51000000  0.99000000
`;

function inTmp<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'ff-xdatcar-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function inTmpAsync(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ff-xdatcar-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}


test('an XDATCAR is detected as XDATCAR by name and by content, and every frame is read', () => {
  inTmp((dir) => {
    for (const name of ['XDATCAR', 'XDATCAR_npt', 'trajectory']) {
      const f = join(dir, name);
      writeFileSync(f, NPT);
      assert.equal(detectFormat(f).name, 'xdatcar', name);
      assert.equal(readStructures(f).length, 2, name);
    }
  });
});

test('variable-cell XDATCAR: each frame takes the cell of the header before it (values by hand)', () => {
  const [a, b] = parseXdatcar(NPT, 'XDATCAR');
  assert.deepEqual(Array.from(a.species, (k) => a.symbols[k]), ['Na', 'Na', 'Cl', 'Cl']);
  assert.deepEqual(Array.from(a.positions.slice(3, 6)), [2.8, 2.8, 0]);
  assert.deepEqual(Array.from(b.cell), [5.62, 0.02, 0, -0.04, 5.58, 0.06, 0, 0.02, 5.64]);
  // atom 3 of frame 2: f = (0.49, 0.01, 0) → 0.49·a1 + 0.01·a2
  const want = [0.49 * 5.62 + 0.01 * -0.04, 0.49 * 0.02 + 0.01 * 5.58, 0.01 * 0.06];
  for (let d = 0; d < 3; d++) assert.ok(Math.abs(b.positions[6 + d] - want[d]) < 1e-15);
  assert.deepEqual(b.labels, {});
});

test('XDATCARs written by ASE (fixed cell, interleaved species) and the NpT file read as ASE reads them', { skip: skipAse }, () => {
  inTmp((dir) => {
    const f = join(dir, 'XDATCAR');
    runPython(`
import sys, numpy as np
from ase import Atoms
from ase.io import write
rng = np.random.default_rng(7)
cell = np.array([[6.1, 0.2, -0.1], [0.3, 5.7, 0.25], [-0.2, 0.15, 6.4]])
frames = [Atoms('NaClClNaOONa', cell=cell, pbc=True, scaled_positions=rng.random((7, 3))) for _ in range(5)]
write(sys.argv[1], frames, format='vasp-xdatcar')
`, [f]);
    const g = join(dir, 'XDATCAR_npt');
    writeFileSync(g, NPT);
    const [af, ag] = aseReadVaspMany([f, g], 'vasp-xdatcar');
    const ours = readStructures(f);
    assert.equal(ours.length, 5);
    const d = diffWithAse(ours, af);
    console.log(`  ${formatDiffs('XDATCAR written by ASE', d)}`);
    assert.equal(d.cell, 0);
    assert.ok(d.positions <= 1e-14, `positions differ by ${d.positions}`);
    const e = diffWithAse(readStructures(g), ag);
    console.log(`  ${formatDiffs('XDATCAR_npt', e)}`);
    assert.equal(e.frames, 2);
    assert.equal(e.cell, 0);
    assert.ok(e.positions <= 1e-15, `positions differ by ${e.positions}`);
  });
});

test('streaming equals reading', async () => {
  await inTmpAsync(async (dir) => {
    const f = join(dir, 'XDATCAR');
    writeFileSync(f, NPT + NPT.split('\n').slice(7).join('\n').replace('configuration=     2', 'configuration=     3'));
    const whole = readStructures(f);
    assert.equal(whole.length, 4);
    const streamed: Structure[] = [];
    for await (const s of readFrames(f)) streamed.push(s);
    assert.deepEqual(streamed, whole);
  });
});

test('an XDATCAR cut inside a frame keeps the complete frames and warns', () => {
  const lines = NPT.split('\n');
  for (const cut of [14, 19, 22]) {
    const r = withWarnings(() => parseXdatcar(lines.slice(0, cut).join('\n'), 'XDATCAR'));
    assert.equal(r.value.length, 1, `cut at ${cut}`);
    assert.equal(r.warnings.length, 1);
    assert.match(r.warnings[0].message, /last frame \(from line \d+\) is incomplete.*1 complete frame read/);
  }
});

test('malformed XDATCARs: PARSE errors with file:line; VASP 4 and Cartesian frames refused by name', () => {
  const err = (text: string, code: string, re: RegExp) =>
    assert.throws(() => parseXdatcar(text, 'XDATCAR'), (e: unknown) => e instanceof FarfieldError && e.code === code && re.test(e.message), re.source);
  err(NPT.replace('0.49000000', '0.49O00000'), 'PARSE', /XDATCAR:23 \(positions\): expected a number, got '0\.49O00000'/);
  err(NPT.replace('     2     2\nDirect configuration=     2', '     2\nDirect configuration=     2'), 'PARSE', /XDATCAR:19 \(counts\): 2 species but 1 counts/);
  err(NPT.replace('   Na   Cl\n     2     2\nDirect configuration=     1', '     2     2\nDirect configuration=     1'), 'UNSUPPORTED', /XDATCAR:6 \(species\): VASP 4 XDATCAR/);
  err(NPT.replace('Direct configuration=     2', 'Cartesian configuration=     2'), 'UNSUPPORTED', /XDATCAR:20 .*only 'Direct configuration='/);
  err(NPT.replace('           2\n', '          -2\n'), 'PARSE', /XDATCAR:14 \(scale\): the scaling factor must be positive/);
});

test('a fixed-cell XDATCAR of 2000 frames: one header, every frame', () => {
  const head = NPT.split('\n').slice(0, 7).join('\n') + '\n';
  const frame = (k: number) => `Direct configuration=${String(k).padStart(6)}\n  0.1 0.2 0.3\n  0.4 0.5 0.6\n  0.7 0.8 0.9\n  0.0 0.1 0.2\n`;
  const text = head + Array.from({ length: 2000 }, (_, k) => frame(k + 1)).join('');
  const s = parseXdatcar(text, 'XDATCAR');
  assert.equal(s.length, 2000);
  assert.ok(Math.abs(s[1999].positions[0] - (0.1 * 5.6)) < 1e-15);
});
