/**
 * The real VASP ML_AB of ../shared (134 configurations of 64-atom silicon written by VASP's on-the-fly learning;
 * read from there, never copied): it reads (energies and stress checked against a plain scan of the file's blocks),
 * converts to extended XYZ and back without changing a number (ASE reads the extxyz to the same numbers), and a
 * short-range model fitted to a few of its configurations predicts others.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EV_PER_A3_IN_KBAR, type Structure } from '../../src/core/index.js';
import { convertInputs, evaluateModel, fitModel, loadInputs } from '../../src/api/index.js';
import { sharedPath } from '../helpers/paths.js';
import { runPython, skipWithoutAse } from './python.js';

const MLAB = sharedPath('data', 'vasp-outputs-polipy4vasp', 'ML_AB.Si');
const skip = existsSync(MLAB) ? false : `${MLAB} not found: skipping the real ML_AB checks`;

/** Numbers of a block by a plain text scan: the line `skip` lines after the line `title`. */
function scanBlocks(text: string, title: string, skip = 2): number[][] {
  const out: number[][] = [];
  const lines = text.split('\n');
  lines.forEach((l, i) => {
    if (l.trim() === title) out.push(lines[i + skip].trim().split(/\s+/).map(Number));
  });
  return out;
}

function inTmp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'ff-mlab-vasp-'));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

test('real ML_AB (VASP, 134 × 64 Si): reads; energies and stress equal a plain scan of the file', { skip }, () => {
  const { structures, format } = loadInputs(MLAB);
  assert.equal(format, 'ml_ab');
  assert.equal(structures.length, 134);
  for (const s of structures) {
    assert.equal(s.species.length, 64);
    assert.deepEqual(s.symbols, ['Si']);
    assert.ok(s.labels.forcesEvPerA && s.labels.stressEvPerA3);
  }
  const text = readFileSync(MLAB, 'utf8');
  const energies = scanBlocks(text, 'Total energy (eV)').map((r) => r[0]);
  assert.deepEqual(structures.map((s) => s.labels.energyEv), energies);
  // stress: the line under 'XX YY ZZ' in kbar, VASP's sign → ASE's eV/Å³
  const stress = scanBlocks(text, 'Stress (kbar)', 4);
  assert.equal(stress.length, 134);
  structures.forEach((s, k) => {
    for (let d = 0; d < 3; d++) assert.ok(Math.abs(s.labels.stressEvPerA3![4 * d] + stress[k][d] / EV_PER_A3_IN_KBAR) < 1e-15);
  });
});

test('real ML_AB → extxyz → ML_AB: every number unchanged; ASE reads the extxyz to the same numbers', { skip }, async () => {
  await inTmp(async (dir) => {
    const orig = loadInputs(MLAB).structures;
    const xyz = join(dir, 'si.xyz');
    assert.equal((await convertInputs(MLAB, xyz)).frames, 134);
    const back = loadInputs(xyz).structures;
    const same = (a: Structure[], b: Structure[]) => a.forEach((s, k) => {
      const t = b[k];
      assert.deepEqual(t.positions, s.positions);
      assert.deepEqual(t.cell, s.cell);
      assert.deepEqual(t.labels, s.labels);
      assert.deepEqual(t.symbols, s.symbols);
    });
    same(orig, back);
    const mlab = join(dir, 'ML_AB');
    await convertInputs(xyz, mlab);
    same(orig, loadInputs(mlab).structures);
    if (skipWithoutAse()) return;
    const ase = JSON.parse(runPython(`
import sys, json
from ase.io import read
print(json.dumps([[a.get_potential_energy(), a.get_forces().ravel().tolist(), a.get_stress(voigt=False).ravel().tolist()] for a in read(sys.argv[1], ':')]))
`, [xyz])) as [number, number[], number[]][];
    assert.equal(ase.length, 134);
    ase.forEach(([e, f, st], k) => {
      assert.equal(e, orig[k].labels.energyEv);
      assert.deepEqual(f, Array.from(orig[k].labels.forcesEvPerA!));
      assert.deepEqual(st, Array.from(orig[k].labels.stressEvPerA3!));
    });
  });
});

test('a short-range model fitted to 8 configurations of the real ML_AB predicts 8 others', { skip }, async () => {
  const all = loadInputs(MLAB).structures;
  const train = all.filter((_, k) => k % 16 === 0).slice(0, 8);
  const val = all.filter((_, k) => k % 16 === 8).slice(0, 8);
  const r = await fitModel(train, { descriptors: 'sr', selection: { count: 24 } }, { onWarning: () => {} });
  const v = evaluateModel(r.model, val).summary;
  // force RMS of the data is ≈ 0.77 eV/Å: a model that learned nothing would have RMSPE ≈ 100 %
  assert.ok((v.forces!.rmspe_percent ?? Infinity) < 40, `validation force RMSPE ${v.forces!.rmspe_percent} %`);
  console.log(`  ML_AB.Si, 8 train / 8 validation configurations, 24 references: validation energy RMSE ${v.energy!.rmse_meV_per_atom.toFixed(2)} meV/atom, forces ${v.forces!.rmse_meV_per_A.toFixed(0)} meV/Å (RMSPE ${(v.forces!.rmspe_percent ?? NaN).toFixed(1)} %)`);
});
