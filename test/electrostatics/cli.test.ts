/**
 * End-to-end: `farfield ewald FILE --json` prints exactly one JSON object {energy, forces, stress, parameters} that
 * agrees with pymatgen's fixture value; charge-spec parsing and bad input give precise errors; the demo runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { parseChargeSpec, runDemo, ewaldStructure } from '../../src/api/index.js';
import { makeStructure } from '../../src/core/index.js';
import { REPO_ROOT, sharedPath, skipWithoutShared } from '../helpers/paths.js';

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
  const code = `import { main } from './src/cli/main.ts'; process.exitCode = await main(['node', 'farfield', 'ewald', ${JSON.stringify(file)}, '--charges', 'Zr=4,O=-2', '--json', '--method', 'pme']);`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'exactly one line of JSON');
  const o = JSON.parse(lines[0]) as { energy: number; forces: number[][]; stress: number[][]; parameters: { method: string } };
  assert.deepEqual(Object.keys(o).sort(), ['energy', 'forces', 'parameters', 'stress']);
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
