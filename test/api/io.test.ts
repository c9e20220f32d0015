/** api/io: dataset summary statistics on hand-computable data, caveats from SOURCE.md, streaming conversion,
 *  and (when ../shared is present) the counts SOURCE.md states for the ZrO2 set. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeStructure } from '../../src/core/index.js';
import { convertFile, loadStructures, saveStructures, summarizeDataset, formatDatasetSummary } from '../../src/api/index.js';
import { sharedPath, skipWithoutShared } from '../helpers/paths.js';

test('summary: E/N mean/std, |F| RMS and max, net force per frame, property counts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-api-io-'));
  try {
    const a = makeStructure({ symbols: ['H', 'O'], positions: [0, 0, 0, 1, 0, 0], labels: { energyEv: -4, forcesEvPerA: Float64Array.of(3, 4, 0, -3, -4, 0) }, info: { tag: 1 } });
    const b = makeStructure({ symbols: ['H'], positions: [0, 0, 0], cell: [3, 0, 0, 0, 3, 0, 0, 0, 3], labels: { energyEv: -1, forcesEvPerA: Float64Array.of(0, 0, 1), stressEvPerA3: new Float64Array(9) } });
    const f = join(dir, 'd.xyz');
    assert.equal(saveStructures(f, [a, b]), 'extxyz');
    const s = await summarizeDataset(f);
    assert.equal(s.frames, 2);
    assert.deepEqual(s.atoms, { min: 1, max: 2, total: 3 });
    assert.deepEqual(s.species, { H: { atoms: 2, frames: 2 }, O: { atoms: 1, frames: 1 } });
    // E/N = −2 and −1 → mean −1.5, population std 0.5
    assert.deepEqual(s.energyPerAtomEv, { mean: -1.5, std: 0.5, min: -2, max: -1 });
    // |F|² = 25, 25, 1 → RMS √17, max 5; net forces 0 and 1 → max 1 in frame 2
    assert.ok(Math.abs(s.forcesEvPerA!.rms - Math.sqrt(17)) < 1e-15);
    assert.equal(s.forcesEvPerA!.max, 5);
    assert.equal(s.forcesEvPerA!.netMax, 1);
    assert.equal(s.forcesEvPerA!.netMaxFrame, 2);
    assert.equal(s.properties.stress, 1);
    assert.equal(s.properties['info:tag'], 1);
    assert.deepEqual(s.pbc, { 'F F F': 1, 'T T T': 1 });
    assert.equal(s.caveats, null);
    assert.match(formatDatasetSummary(s), /stress: +present in 1\/2 frames/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('caveats: summary kept in code for a known dataset folder, the SOURCE.md caveat section otherwise', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-api-io-'));
  try {
    const s = makeStructure({ symbols: ['H'], positions: [0, 0, 0] });
    for (const [folder, source] of [['lode-charged-dimers', '# x\n'], ['my-set', '# My set\n\n## Caveats\nEnergies are shifted by 3 eV.\n\n## Fields\nnone\n']]) {
      mkdirSync(join(dir, folder));
      saveStructures(join(dir, folder, 'a.xyz'), [s]);
      writeFileSync(join(dir, folder, 'SOURCE.md'), source);
    }
    const known = await summarizeDataset(join(dir, 'lode-charged-dimers', 'a.xyz'));
    assert.match(known.caveats!.text, /energy zero of inter_energy is offset/);
    const other = await summarizeDataset(join(dir, 'my-set', 'a.xyz'));
    assert.equal(other.caveats!.text, '## Caveats\nEnergies are shifted by 3 eV.');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('convertFile streams extxyz → xyz and loads ML_AB with its header', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-api-io-'));
  try {
    const s = makeStructure({ symbols: ['Na', 'Cl'], positions: [0, 0, 0, 2, 2, 2], cell: [4, 0, 0, 0, 4, 0, 0, 0, 4], labels: { energyEv: -1, forcesEvPerA: new Float64Array(6), stressEvPerA3: new Float64Array(9) } });
    saveStructures(join(dir, 'in.xyz'), [s, s, s]);
    const r = await convertFile(join(dir, 'in.xyz'), join(dir, 'out.txt'), { to: 'xyz' });
    assert.deepEqual(r, { frames: 3, from: 'extxyz', to: 'xyz', streamed: true });
    const m = await convertFile(join(dir, 'in.xyz'), join(dir, 'ML_AB'));
    assert.equal(m.streamed, false);
    const l = loadStructures(join(dir, 'ML_AB'));
    assert.equal(l.format, 'ml_ab');
    assert.deepEqual(l.meta.mlab!.types, ['Na', 'Cl']);
    await assert.rejects(convertFile(join(dir, 'in.xyz'), join(dir, 'in.xyz')), /same file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ZrO2 set: 119 frames × 96 atoms (32 Zr, 64 O), energy/forces/stress everywhere, as its SOURCE.md states', { skip: skipWithoutShared() }, async () => {
  const s = await summarizeDataset(sharedPath('data', 'zro2-tetragonal-96-pbesol', 'zro2_t96_pbesol_bec.xyz'));
  assert.equal(s.frames, 119);
  assert.deepEqual(s.atoms, { min: 96, max: 96, total: 119 * 96 });
  assert.deepEqual(s.species, { Zr: { atoms: 32 * 119, frames: 119 }, O: { atoms: 64 * 119, frames: 119 } });
  for (const k of ['energy', 'forces', 'stress', 'array:born_charges', 'info:dielectric_tensor']) assert.equal(s.properties[k], 119, k);
  // SOURCE.md: energies −10.02 to −9.40 eV/atom, max |F| 17.0 eV/Å, net force ≤ 8e-6 eV/Å
  assert.ok(Math.abs(s.energyPerAtomEv!.min + 10.02) < 0.005 && Math.abs(s.energyPerAtomEv!.max + 9.40) < 0.005);
  // "Max |F| is 17.0 eV/Å" in SOURCE.md is the largest Cartesian component (−16.996748); the largest magnitude is larger
  let maxComp = 0;
  for (const f of loadStructures(sharedPath('data', 'zro2-tetragonal-96-pbesol', 'zro2_t96_pbesol_bec.xyz')).structures)
    for (const x of f.labels.forcesEvPerA!) maxComp = Math.max(maxComp, Math.abs(x));
  assert.equal(maxComp, 16.996748);
  assert.ok(s.forcesEvPerA!.max >= maxComp);
  assert.ok(s.forcesEvPerA!.netMax <= 8e-6 * Math.sqrt(3));
  assert.match(s.caveats!.text, /No license/);
});

test('convertFile --index: ASE slice semantics on a streamed file and on a whole-file format, errors name the spec', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-index-'));
  const frames = Array.from({ length: 10 }, (_, k) => makeStructure({
    symbols: ['Na'], positions: [k, 0, 0], cell: [20, 0, 0, 0, 20, 0, 0, 0, 20], pbc: [true, true, true],
  }));
  const src = join(dir, 'all.xyz');
  saveStructures(src, frames);
  const xs = (path: string) => loadStructures(path).structures.map((s) => s.positions[0]);
  // expected lists written out from Python's list(range(10))[spec]
  const cases: [string, number[]][] = [
    ['::3', [0, 3, 6, 9]], ['2:5', [2, 3, 4]], ['-3:', [7, 8, 9]], [':-8', [0, 1]], ['4', [4]], ['-1', [9]], ['1:100:4', [1, 5, 9]], ['20:', []],
  ];
  for (const [spec, want] of cases) {
    const out = join(dir, `sel.xyz`);
    const r = await convertFile(src, out, { index: spec });
    assert.equal(r.frames, want.length, spec);
    assert.deepEqual(want.length ? xs(out) : [], want, spec);
    const pos = join(dir, `POSCAR_${want.length}`);
    if (want.length === 1) {
      await convertFile(src, pos, { index: spec });
      assert.deepEqual(xs(pos), want, `${spec} → POSCAR`);
    }
  }
  for (const bad of ['x', '1:2:0', '::-1', '1:2:3:4', '10', '-11'])
    await assert.rejects(convertFile(src, join(dir, 'bad.xyz'), { index: bad }), /frame index|frame/);
  rmSync(dir, { recursive: true, force: true });
});
