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

test('an FKK block read from a file written before hypers.planner keeps planner version 1 (its fitted plans); new specs get 3', async () => {
  const { parseModel } = await import('../../src/model/modelFile.js');
  const { sha256 } = await import('../../src/model/encoding.js');
  const { FkkDescriptor, planFkk } = await import('../../src/descriptors/index.js');
  const { STRUCTURES } = await import('../electrostatics/planCases.js');
  const { cellVolume } = await import('../../src/core/index.js');
  // the 0.1 fixture with its FKK block on the auto method at 1e-6 (where the versions plan differently), re-signed
  const doc = JSON.parse(readFileSync(join(DIR, 'fkk-0.1.json'), 'utf8')) as { checksum: string; body: { descriptor: { hypers: { blocks: { spec: { kind: string; hypers: Record<string, unknown> } }[] } } } };
  const block = doc.body.descriptor.hypers.blocks.find((b) => b.spec.kind === 'fkk')!;
  block.spec.hypers = { zetaMaxPerA: 2, scale: 2, count: 3, smearingA: 0.45, accuracy: 1e-6, weight: 1, includeZero: true, method: 'auto' };
  doc.checksum = `sha256:${sha256(JSON.stringify(doc.body))}`;
  const model = parseModel(JSON.stringify(doc), 'edited-0.1.json');
  const fkk = (model.descriptor as unknown as { blocks: unknown[] }).blocks.find((b) => b instanceof FkkDescriptor) as InstanceType<typeof FkkDescriptor>;
  assert.equal(fkk.hypers.planner, 1);
  assert.match(JSON.stringify(model.descriptor.toJSON()), /"planner":1/);
  const s = STRUCTURES.melt512(), input = { volumeA3: cellVolume(s.cell), cell: s.cell, atoms: s.species.length, types: 2 };
  const strip = (p: ReturnType<typeof planFkk>) => JSON.stringify(p.channels.map((c) => [c.mode, c.splitA, c.realCutoffA, c.mesh ?? null]));
  const v1 = planFkk({ ...fkk.hypers, planner: 1 }, input), v2 = planFkk({ ...fkk.hypers, planner: 2 }, input);
  assert.notEqual(strip(v1), strip(v2), 'the versions differ on this cell (else the check proves nothing)');
  assert.equal(strip(fkk.plan(s)), strip(v1));
  assert.equal(new FkkDescriptor(['Na', 'Cl'], {}).hypers.planner, 3);
});

test('an FKK block written with planner version 2 (before mesh sharing) keeps version 2: its plans, and features as fitted', async () => {
  const { parseModel } = await import('../../src/model/modelFile.js');
  const { sha256 } = await import('../../src/model/encoding.js');
  const { FkkDescriptor, planFkk, ComputeContext } = await import('../../src/descriptors/index.js');
  const { STRUCTURES } = await import('../electrostatics/planCases.js');
  const { cellVolume } = await import('../../src/core/index.js');
  const doc = JSON.parse(readFileSync(join(DIR, 'fkk-0.1.json'), 'utf8')) as { checksum: string; body: { descriptor: { hypers: { blocks: { spec: { kind: string; hypers: Record<string, unknown> } }[] } } } };
  const block = doc.body.descriptor.hypers.blocks.find((b) => b.spec.kind === 'fkk')!;
  block.spec.hypers = { zetaMaxPerA: 0.5, scale: 2, count: 3, smearingA: 0.5, accuracy: 1e-6, weight: 1, includeZero: true, method: 'auto', planner: 2 };
  doc.checksum = `sha256:${sha256(JSON.stringify(doc.body))}`;
  const model = parseModel(JSON.stringify(doc), 'edited-v2.json');
  const fkk = (model.descriptor as unknown as { blocks: unknown[] }).blocks.find((b) => b instanceof FkkDescriptor) as InstanceType<typeof FkkDescriptor>;
  assert.equal(fkk.hypers.planner, 2);
  assert.match(JSON.stringify(model.descriptor.toJSON()), /"planner":2/);
  const s = STRUCTURES.melt512(), input = { volumeA3: cellVolume(s.cell), cell: s.cell, atoms: s.species.length, types: 2 };
  const strip = (p: ReturnType<typeof planFkk>) => JSON.stringify(p.channels.map((c) => [c.mode, c.splitA, c.realCutoffA, c.mesh ?? null]));
  const v2 = planFkk({ ...fkk.hypers, planner: 2 }, input), v3 = planFkk({ ...fkk.hypers, planner: 3 }, input);
  assert.notEqual(strip(v2), strip(v3), 'the versions differ on this cell (else the check proves nothing)');
  assert.equal(strip(fkk.plan(s)), strip(v2));
  // features as a version 2 descriptor computes them (bit for bit), not as version 3
  const fresh = new FkkDescriptor(['Na', 'Cl'], { ...fkk.hypers, planner: 2 });
  const a = fkk.compute(s, new ComputeContext(s)).features.data, b = fresh.compute(s, new ComputeContext(s)).features.data;
  assert.deepEqual(Array.from(a), Array.from(b));
});
