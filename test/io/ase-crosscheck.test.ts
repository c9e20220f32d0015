/**
 * Cross-check with ASE (Debian python3-ase, a reader/writer nobody here wrote):
 * (a) ASE writes extxyz/POSCAR files with random triclinic cells, labels, extra info/arrays and pbc mixes; our reader
 *     must give exactly the numbers ASE's own reader gets from the same files;
 * (b) ASE reads files we wrote and prints the numbers back; they must equal ours exactly.
 * Floats travel through JSON (Python's json uses repr, the shortest round-trip text), so comparisons are exact.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng, makeStructure, type Structure } from '../../src/core/index.js';
import { readStructures, writeStructures } from '../../src/host/index.js';
import { runPython, skipWithoutAse } from './python.js';

const skip = skipWithoutAse();

/** Python: dump what ASE reads from each file as JSON. */
const DUMP = `
import sys, json, numpy as np
from ase.io import read
def clean(v):
    if isinstance(v, np.ndarray): return v.tolist()
    if isinstance(v, (np.bool_,)): return bool(v)
    if isinstance(v, np.integer): return int(v)
    if isinstance(v, np.floating): return float(v)
    return v
out = []
for f, fmt in zip(sys.argv[1::2], sys.argv[2::2]):
    for a in read(f, ':', format=fmt):
        d = dict(symbols=a.get_chemical_symbols(), cell=a.cell.array.ravel().tolist(), pbc=[bool(x) for x in a.pbc],
                 positions=a.positions.ravel().tolist(), info={k: clean(v) for k, v in a.info.items()},
                 arrays={k: clean(v.ravel()) for k, v in a.arrays.items() if k not in ('numbers', 'positions')})
        if a.calc is not None:
            r = a.calc.results
            for k in ('energy', 'forces', 'stress', 'free_energy'):
                if k in r: d[k] = clean(np.asarray(r[k]).ravel()) if k != 'energy' else float(r[k])
        d['initial_charges'] = a.get_initial_charges().tolist() if a.has('initial_charges') else None
        out.append(d)
print(json.dumps(out))
`;

interface AseFrame {
  symbols: string[];
  cell: number[];
  pbc: boolean[];
  positions: number[];
  info: Record<string, unknown>;
  arrays: Record<string, unknown[]>;
  energy?: number;
  forces?: number[];
  stress?: number[];
  initial_charges: number[] | null;
}

function aseRead(files: [string, string][]): AseFrame[] {
  return JSON.parse(runPython(DUMP, files.flat())) as AseFrame[];
}

function voigt(t: Float64Array): number[] {
  return [t[0], t[4], t[8], t[5], t[2], t[1]];
}

function symbolsOf(s: Structure): string[] {
  return Array.from(s.species, (k) => s.symbols[k]);
}

/** Exact comparison (Object.is per element, so −0 vs 0 would fail too: we compare with ===, which treats them equal). */
function same(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) assert.ok(a[i] === b[i], `${what}[${i}]: ${a[i]} !== ${b[i]}`);
}

const GEN = `
import sys, numpy as np
from ase import Atoms
from ase.io import write
from ase.calculators.singlepoint import SinglePointCalculator
rng = np.random.default_rng(int(sys.argv[2]))
frames = []
pbcs = [(True, True, True), (True, True, False), (False, False, False), (True, False, True)]
for k in range(6):
    n = int(rng.integers(1, 9))
    cell = np.diag(rng.uniform(4, 9, 3)) + rng.uniform(-1.5, 1.5, (3, 3))
    syms = list(rng.choice(['H', 'O', 'Na', 'Cl', 'Zr', 'Si'], n))
    pos = rng.uniform(-3, 12, (n, 3))
    a = Atoms(syms, positions=pos, cell=cell, pbc=pbcs[k % 4])
    a.info['temperature'] = float(rng.uniform(100, 900))
    a.info['step'] = int(k * 7)
    a.info['label'] = 'run %d "quoted" {braces}' % k
    a.info['flag'] = bool(k % 2)
    a.info['vec'] = rng.normal(size=3)
    a.info['tiny'] = 1e-300 * rng.uniform()
    a.new_array('born', rng.normal(size=(n, 9)))
    a.new_array('tag', rng.integers(-5, 5, n).astype(np.int64))
    a.new_array('mask', rng.integers(0, 2, (n, 3)).astype(bool))
    a.new_array('kind', np.array(['a%d' % i for i in range(n)]))
    if k % 3 == 0: a.set_initial_charges(rng.normal(size=n))
    calc = SinglePointCalculator(a, energy=float(rng.normal() * 1e3), forces=rng.normal(size=(n, 3)) * 3,
                                 stress=rng.normal(size=6) * 0.05)
    if k == 5: calc = SinglePointCalculator(a, energy=-1.0e-7)
    a.calc = calc
    frames.append(a)
write(sys.argv[1], frames, format='extxyz')
`;

test('our extxyz reader gets exactly what ASE reads from files ASE wrote', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-io-ase-'));
  try {
    for (const seed of [1, 2]) {
      const f = join(dir, `ase-${seed}.xyz`);
      runPython(GEN, [f, String(seed)]);
      const ours = readStructures(f);
      const theirs = aseRead([[f, 'extxyz']]);
      assert.equal(ours.length, theirs.length);
      ours.forEach((s, i) => {
        const t = theirs[i];
        assert.deepEqual(symbolsOf(s), t.symbols);
        same(s.cell, t.cell, 'cell');
        assert.deepEqual(s.pbc, t.pbc);
        same(s.positions, t.positions, 'positions');
        assert.ok(s.labels.energyEv === t.energy, `energy ${s.labels.energyEv} vs ${t.energy}`);
        if (t.forces) same(s.labels.forcesEvPerA!, t.forces, 'forces');
        else assert.equal(s.labels.forcesEvPerA, undefined);
        if (t.stress) same(voigt(s.labels.stressEvPerA3!), t.stress, 'stress');
        if (t.initial_charges && t.initial_charges.some((q) => q !== 0)) same(s.labels.charges!, t.initial_charges, 'charges');
        for (const k of ['temperature', 'step', 'label', 'flag', 'tiny']) assert.deepEqual(s.info[k], t.info[k], `info ${k}`);
        same(s.info.vec as number[], t.info.vec as number[], 'info vec');
        same(s.arrays.born.data as Float64Array, t.arrays.born as number[], 'born');
        assert.deepEqual(Array.from(s.arrays.tag.data as Int32Array), t.arrays.tag);
        assert.deepEqual(Array.from(s.arrays.mask.data as Uint8Array, Boolean), t.arrays.mask);
        assert.deepEqual(s.arrays.kind.data, t.arrays.kind);
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function randomStructure(rng: Rng, k: number): Structure {
  const n = 1 + rng.int(7);
  const cell = Array.from({ length: 9 }, (_, j) => (j % 4 === 0 ? rng.range(4, 9) : rng.range(-1.5, 1.5)));
  const symbols = Array.from({ length: n }, () => ['H', 'O', 'Na', 'Cl', 'Zr'][rng.int(5)]);
  // awkward doubles: long mantissas, tiny/huge exponents, negative zero
  const odd = [-0, 1e-300, 5e-324, 1.7976931348623157e308 / 1e300, 0.1 + 0.2, -1 / 3, 123456789.123456789];
  const positions = Array.from({ length: 3 * n }, (_, j) => (j < odd.length && k === 0 ? odd[j] : rng.range(-5, 15)));
  const stress = new Float64Array(9);
  for (let i = 0; i < 3; i++) for (let j = i; j < 3; j++) stress[3 * i + j] = stress[3 * j + i] = rng.normal() * 0.01;
  return makeStructure({
    symbols, positions, cell, pbc: [true, k % 2 === 0, k % 3 !== 2],
    info: { note: `frame ${k} with "quotes" and \\ backslash`, count: k, ratio: rng.uniform(), on: k % 2 === 1, list: [1.5, -2, 3e-20] },
    arrays: { spin: { type: 'R', width: 1, data: Float64Array.from({ length: n }, () => rng.normal()) } },
    labels: {
      energyEv: rng.normal() * 100,
      forcesEvPerA: Float64Array.from({ length: 3 * n }, () => rng.normal()),
      stressEvPerA3: stress,
      charges: Float64Array.from({ length: n }, () => rng.normal()),
    },
  });
}

test('ASE reads our extxyz and POSCAR files back to exactly our numbers', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-io-ase-'));
  try {
    const rng = new Rng(11);
    const frames = Array.from({ length: 5 }, (_, k) => randomStructure(rng, k));
    const xyz = join(dir, 'ours.xyz');
    writeStructures(xyz, frames);
    const poscar = join(dir, 'POSCAR');
    writeStructures(poscar, [frames[1]]);
    const theirs = aseRead([[xyz, 'extxyz'], [poscar, 'vasp']]);
    assert.equal(theirs.length, 6);
    frames.forEach((s, i) => {
      const t = theirs[i];
      assert.deepEqual(symbolsOf(s), t.symbols);
      same(s.cell, t.cell, 'cell');
      same(s.positions, t.positions, 'positions');
      assert.deepEqual(s.pbc, t.pbc);
      assert.ok(s.labels.energyEv === t.energy);
      same(s.labels.forcesEvPerA!, t.forces!, 'forces');
      same(voigt(s.labels.stressEvPerA3!), t.stress!, 'stress');
      same(s.labels.charges!, t.initial_charges!, 'charges');
      same(s.arrays.spin.data as Float64Array, t.arrays.spin as number[], 'spin');
      assert.equal(t.info.note, s.info.note);
      assert.equal(t.info.count, s.info.count);
      assert.equal(t.info.ratio, s.info.ratio);
      assert.equal(t.info.on, s.info.on);
      assert.deepEqual(t.info.list, s.info.list);
    });
    // −0 survives (ASE's float('-0.0'))
    assert.ok(Object.is(theirs[0].positions[0], -0) || theirs[0].positions[0] === 0);
    const p = theirs[5];
    assert.deepEqual(p.symbols, symbolsOf(frames[1]));
    same(p.cell, frames[1].cell, 'POSCAR cell');
    same(p.positions, frames[1].positions, 'POSCAR positions');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const GEN_POSCAR = `
import sys, numpy as np
from ase import Atoms
from ase.io import write
from ase.constraints import FixAtoms
rng = np.random.default_rng(5)
cell = np.diag(rng.uniform(4, 9, 3)) + rng.uniform(-1.5, 1.5, (3, 3))
a = Atoms(['Zr'] * 3 + ['O'] * 4 + ['Si'], positions=rng.uniform(0, 6, (8, 3)), cell=cell, pbc=True)
write(sys.argv[1], a, format='vasp', direct=True, vasp5=True)
write(sys.argv[2], a, format='vasp', direct=False, vasp5=True)
a.set_constraint(FixAtoms([1, 4]))
write(sys.argv[3], a, format='vasp', direct=True, vasp5=True)
`;

test('our POSCAR reader agrees with ASE on POSCARs ASE wrote (Direct, Cartesian, selective dynamics)', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-io-ase-'));
  try {
    const files = ['direct.vasp', 'cart.vasp', 'sd.vasp'].map((f) => join(dir, f));
    runPython(GEN_POSCAR, files);
    const theirs = aseRead(files.map((f) => [f, 'vasp'] as [string, string]));
    files.forEach((f, i) => {
      const [s] = readStructures(f);
      const t = theirs[i];
      assert.deepEqual(symbolsOf(s), t.symbols);
      same(s.cell, t.cell, 'cell');
      if (i === 1) same(s.positions, t.positions, 'cartesian positions');
      else
        // Direct: r = f·A; numpy's matrix product may round differently in the last bit
        for (let k = 0; k < s.positions.length; k++) assert.ok(Math.abs(s.positions[k] - t.positions[k]) <= 4e-15 * 10, `positions[${k}]`);
    });
    const [sd] = readStructures(files[2]);
    const flags = Array.from(sd.arrays.selective_dynamics.data as Uint8Array);
    // FixAtoms([1, 4]) → atoms 2 and 5 are 'F F F', the others 'T T T'
    for (let a = 0; a < 8; a++) assert.deepEqual(flags.slice(3 * a, 3 * a + 3), a === 1 || a === 4 ? [0, 0, 0] : [1, 1, 1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
