/**
 * Proves the CP2K output parser and input writer on a captured output (test/fixtures-own/cp2k/nacl8-gfn1xtb.out:
 * CP2K 2023.1 (Debian), GFN1-xTB, 8-ion NaCl in a slightly sheared cell, input alongside).
 * Unit conversion: Hartree → eV, Hartree/Bohr → eV/Å, GPa (pressure-like) → eV/Å³ tensile-positive.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BOHR_A, EV_PER_A3_IN_GPA, HARTREE_EV, makeStructure } from '../../src/core/index.js';
import { cp2kInput, labelWithCp2k, netForcePerAtom, parseCp2kOutput } from '../../src/reference/cp2k/index.js';
import { REPO_ROOT } from '../helpers/paths.js';

const DIR = join(REPO_ROOT, 'test', 'fixtures-own', 'cp2k');
const OUT = readFileSync(join(DIR, 'nacl8-gfn1xtb.out'), 'utf8');

test('parses energy, forces, stress, SCF status and version with unit conversion', () => {
  const r = parseCp2kOutput(OUT, 'nacl8-gfn1xtb.out');
  assert.equal(r.energyEv, -18.947167906322914 * HARTREE_EV);
  assert.equal(r.forceSymbols.length, 8);
  assert.deepEqual(r.forceSymbols, ['Na', 'Na', 'Na', 'Na', 'Cl', 'Cl', 'Cl', 'Cl']);
  const f = HARTREE_EV / BOHR_A;
  assert.ok(Math.abs(r.forcesEvPerA[0] - -0.00210805 * f) < 1e-15);
  assert.ok(Math.abs(r.forcesEvPerA[2] - 0.00185387 * f) < 1e-15);
  assert.ok(r.stressEvPerA3);
  const s = r.stressEvPerA3!;
  assert.ok(Math.abs(s[0] - 2.85534560712e1 / EV_PER_A3_IN_GPA) < 1e-15, 'xx: sign flipped to tensile-positive');
  assert.ok(Math.abs(s[2] - -9.03955208041 / EV_PER_A3_IN_GPA) < 1e-15);
  assert.equal(s[1], s[3]);
  assert.equal(r.scfConverged, true);
  assert.ok(r.scfSteps !== undefined && r.scfSteps > 0);
  assert.equal(r.version, 'CP2K version 2023.1');
  assert.equal(r.finished, true);
  assert.ok(netForcePerAtom(r.forcesEvPerA) < 1e-6);
});

test('an SCF that did not converge is reported as such', () => {
  const text = OUT.replace(/\*\*\* SCF run converged in\s+\d+ steps \*\*\*/, '*** SCF run NOT converged ***');
  const r = parseCp2kOutput(text);
  assert.equal(r.scfConverged, false);
  assert.equal(r.scfSteps, undefined);
});

test('truncated or malformed output gives PARSE errors naming the file', () => {
  const cut = OUT.slice(0, OUT.indexOf('ENERGY| Total FORCE_EVAL'));
  assert.throws(() => parseCp2kOutput(cut, 'x.out'), (e: Error & { code?: string }) => e.code === 'PARSE' && /x\.out/.test(e.message));
  const bad = OUT.replace(/( +1 +1 +Na +)-0\.00210805/, '$1abc');
  assert.throws(() => parseCp2kOutput(bad, 'y.out'), (e: Error & { code?: string }) => e.code === 'PARSE' && /y\.out:\d+/.test(e.message));
});

test('net force per atom is |Σ F| / N', () => {
  assert.equal(netForcePerAtom(Float64Array.of(1, 0, 0, 1, 0, 0)), 1);
  assert.equal(netForcePerAtom(Float64Array.of(3, 4, 0, 0, 0, 0)), 2.5);
});

test('input writer: cell rows, coordinates in input order, method settings', () => {
  const s = makeStructure({ symbols: ['Na', 'Cl'], positions: [[0, 0, 0], [2.82, 0, 0]], cell: [[0, 2.82, 2.82], [2.82, 0, 2.82], [2.82, 2.82, 0]] });
  const x = cp2kInput(s, { method: 'gfn1-xtb' });
  assert.match(x, /METHOD xTB/);
  assert.match(x, /DO_EWALD T/);
  assert.match(x, /CHECK_ATOMIC_CHARGES F/);
  assert.match(x, /SCF_GUESS MOPAC/);
  assert.match(x, /ELECTRONIC_TEMPERATURE \[K\] 300/);
  assert.match(x, /A 0\.0000000000 2\.8200000000 2\.8200000000/);
  assert.match(x, /Na 0\.0+ 0\.0+ 0\.0+\n\s+Cl 2\.82/);
  assert.match(x, /STRESS_TENSOR ANALYTICAL/);
  const p = cp2kInput(s, { method: 'pbe', restartWfnPath: '/w/frame-00001/cp2k-RESTART.wfn' });
  assert.match(p, /BASIS_SET TZVP-MOLOPT-PBE-GTH-q1/);
  assert.match(p, /POTENTIAL GTH-PBE-q1/);
  assert.match(p, /BASIS_SET DZVP-MOLOPT-PBE-GTH-q7/);
  assert.match(p, /CUTOFF 400/);
  assert.match(p, /SCF_GUESS RESTART/);
  assert.match(p, /WFN_RESTART_FILE_NAME \/w\/frame-00001/);
  assert.match(cp2kInput(s, { method: 'pbe' }), /SCF_GUESS ATOMIC/);
  const slab = makeStructure({ symbols: ['Na'], positions: [[0, 0, 0]], cell: [5, 0, 0, 0, 5, 0, 0, 0, 5], pbc: [true, true, false] });
  assert.throws(() => cp2kInput(slab, { method: 'gfn1-xtb' }), /fully periodic/);
  const zr = makeStructure({ symbols: ['Zr'], positions: [[0, 0, 0]], cell: [5, 0, 0, 0, 5, 0, 0, 0, 5] });
  assert.throws(() => cp2kInput(zr, { method: 'pbe' }), /no basis/);
});

test('work-directory lock: a live owner is refused, a stale lock is taken over and released', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'farfield-lock-'));
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '.lock'), String(process.ppid));
    await assert.rejects(labelWithCp2k([], { method: 'gfn1-xtb', workdir: dir }), /in use by process/);
    writeFileSync(join(dir, '.lock'), '2147483000');
    const r = await labelWithCp2k([], { method: 'gfn1-xtb', workdir: dir });
    assert.equal(r.labelled.length, 0);
    assert.equal(existsSync(join(dir, '.lock')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
