/**
 * Model files written before the one-name-per-concept renames (farfield 8ac1a8e: FKK, LODE and lode-ms hypers with
 * `sigmaA` and `splitSigmaA`, test/fixtures/models-0.1/) still load, warn that the old names are deprecated, and
 * predict what that version predicted (its energies, forces and stress are stored beside the files).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel, loadStructures } from '../../src/api/index.js';
import { REPO_ROOT } from '../helpers/paths.js';

const DIR = join(REPO_ROOT, 'test', 'fixtures', 'models-0.1');

interface Stored { energyEv: number; forcesEvPerA: number[]; stressEvPerA3: number[] }

const close = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) <= 1e-10 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b} (0.1)`);

test('model files with pre-0.2 hyperparameter names load (with a deprecation warning) and predict as before', () => {
  const stored = JSON.parse(readFileSync(join(DIR, 'predictions-0.1.json'), 'utf8')) as { frame: number; predictions: Record<string, Stored> };
  const s = loadStructures(join(REPO_ROOT, 'data', 'nacl-liquid-pbe.xyz')).structures[stored.frame];
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...a: unknown[]) => void warnings.push(a.join(' '));
  try {
    for (const [name, want] of Object.entries(stored.predictions)) {
      const text = readFileSync(join(DIR, `${name}-0.1.json`), 'utf8');
      assert.match(text, /"sigmaA"/, `${name}: the fixture carries the old name`);
      const model = loadModel(join(DIR, `${name}-0.1.json`));
      const json = JSON.stringify(model.descriptor.toJSON());
      assert.doesNotMatch(json, /"sigmaA"|"splitSigmaA"/, `${name}: the loaded descriptor speaks the new names`);
      assert.match(json, /"smearingA":0\.45/);
      const p = model.calculate(s, { forces: true, stress: true });
      close(p.energyEv, want.energyEv, `${name} energy`);
      want.forcesEvPerA.forEach((f, k) => close(p.forcesEvPerA![k], f, `${name} force ${k}`));
      want.stressEvPerA3.forEach((x, k) => close(p.stressEvPerA3![k], x, `${name} stress ${k}`));
    }
  } finally {
    console.warn = warn;
  }
  assert.ok(warnings.some((w) => /'sigmaA' is deprecated, read as 'smearingA'/.test(w)), warnings.join('\n'));
  assert.ok(warnings.some((w) => /'splitSigmaA' is deprecated, read as 'splitWidthA'/.test(w)), warnings.join('\n'));
});
