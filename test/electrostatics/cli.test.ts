/**
 * End-to-end: `farfield ewald FILE --json` prints exactly one JSON object {energy, forces, stress, parameters,
 * totalCharge, frame} that agrees with pymatgen's fixture value; a non-neutral cell warns on stderr (and nothing but
 * the object reaches stdout), `--frame -1` is the last frame; charge-spec parsing and bad input give precise errors;
 * the demo runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { parseChargeSpec, runDemo, ewaldStructure, runEwald } from '../../src/api/index.js';
import { makeStructure } from '../../src/core/index.js';
import { sharedPath, skipWithoutShared } from '../helpers/paths.js';

test('parseChargeSpec and bad options', () => {
  assert.deepEqual(parseChargeSpec('Na=1, Cl=-1,O=-2.5e0'), { Na: 1, Cl: -1, O: -2.5 });
  assert.throws(() => parseChargeSpec('Na:1'), /expected Symbol=charge/);
  const s = makeStructure({ symbols: ['Na', 'Cl'], positions: [[0, 0, 0], [2.82, 0, 0]], cell: [5.64, 0, 0, 0, 5.64, 0, 0, 0, 5.64] });
  assert.throws(() => ewaldStructure(s, { charges: { Na: 1 } }), /no charge given for species 'Cl'/);
  assert.throws(() => ewaldStructure(s), /no charges/);
  assert.throws(() => ewaldStructure(s, { charges: { Na: 1, Cl: -1 }, accuracy: 2 }), /accuracy/);
});

test('farfield ewald --json prints one JSON object', { skip: skipWithoutShared() }, () => {
  const file = sharedPath('fixtures', 'zro-triclinic-24.xyz');
  const r = runCli(['ewald', file, '--charges', 'Zr=4,O=-2', '--json', '--method', 'pme']);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split('\n');
  assert.equal(lines.length, 1, 'exactly one line of JSON');
  const o = JSON.parse(lines[0]) as { energy: number; forces: number[][]; stress: number[][]; parameters: { method: string } };
  // docs/conventions.md names (energyEv, forcesEvPerA, stressEvPerA3) with the pre-0.2 keys kept one release as aliases
  assert.deepEqual(Object.keys(o).sort(), ['energy', 'energyEv', 'forces', 'forcesEvPerA', 'frame', 'parameters', 'stress', 'stressEvPerA3', 'totalCharge']);
  assert.deepEqual((o as unknown as Record<string, unknown>).energyEv, o.energy);
  assert.equal(o.forces.length, 24);
  assert.equal(o.stress.length, 3);
  assert.equal(o.parameters.method, 'pme');
  assert.ok(Math.abs(o.energy - -522.5607041317489) < 1e-5 * 522.56, `energy ${o.energy} vs pymatgen −522.5607041`);
});

test('demo runs and reports Madelung constants', async () => {
  const text = await runDemo();
  assert.match(text, /NaCl \(rock salt\)\s+1\.74756459/);
  assert.match(text, /pme\s+energy/);
});

test('farfield ewald: a non-neutral cell warns on stderr, --json carries totalCharge; --frame -1 is the last frame', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'farfield-ewald-'));
  const file = join(dir, 'two.xyz');
  const frame = (L: number, x: number): string => `2\nLattice="${L} 0 0 0 ${L} 0 0 0 ${L}" Properties=species:S:1:pos:R:3 pbc="T T T"\nNa 0 0 0\nCl ${x} 0.3 0\n`;
  writeFileSync(file, frame(5, 2.5) + frame(6, 2.1));
  // charged (Na=1, Cl=0), last frame: one JSON object on stdout, the warning on stderr
  const r = runCli(['ewald', file, '--charges', 'Na=1,Cl=0', '--json', '--frame', '-1']);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split('\n');
  assert.equal(lines.length, 1, `stdout must be one JSON object, got: ${r.out}`);
  const o = JSON.parse(lines[0]) as { totalCharge: number; frame: number; energy: number };
  assert.equal(o.totalCharge, 1);
  assert.equal(o.frame, 1);
  assert.match(r.err, /warning: the cell is not neutral \(total charge 1\.00000 e\)/);
  const charges = { Na: 1, Cl: 0 };
  assert.equal(o.energy, (await runEwald(file, { charges, frame: 1 })).energy);
  assert.notEqual(o.energy, (await runEwald(file, { charges, frame: 0 })).energy);
  // API: warnings only for charged cells; negative frames count from the end; bad frames name the file
  assert.deepEqual((await runEwald(file, { charges: { Na: 1, Cl: -1 }, frame: -2 })).warnings, []);
  assert.equal((await runEwald(file, { charges: { Na: 1, Cl: -1 }, frame: -2 })).frame, 0);
  await assert.rejects(runEwald(file, { charges, frame: -3 }), /two\.xyz: frame -3 does not exist \(file has 2 frames/);
  await assert.rejects(runEwald(file, { charges, frame: 1.5 }), /frame index must be an integer, got 1\.5/);
});
