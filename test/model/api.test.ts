/**
 * End to end with the real `sr` descriptor: fitModel (preset 'sr') → forces/stress = finite differences of the
 * energy; the CLI verbs fit → eval --json (exactly one JSON object with the documented keys) → predict (extxyz
 * properties) on files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/core/index.js';
import { fitModel, loadModel, loadStructures, saveModel, saveStructures } from '../../src/api/index.js';
import { main } from '../../src/cli/main.js';
import { label, morseCalculator, randomStructure } from './helpers/data.js';
import { checkCalculator } from '../helpers/gradient.js';

/** A small sr block (75 columns instead of 568): still the real descriptor, at a fraction of the CPU. */
const SR = { radial: { nmax: 6, cutoffA: 5 }, angular: { nmax: 3, lmax: 2, cutoffA: 4 } };
const rng = new Rng(21);
const train = label(Array.from({ length: 5 }, () => randomStructure(rng, 8, 6.5, ['Na', 'Cl'], 1.8)), morseCalculator());
const val = label(Array.from({ length: 2 }, () => randomStructure(rng, 8, 6.5, ['Na', 'Cl'], 1.8)), morseCalculator());

test('sr model: forces and stress = finite differences of the energy (1e-6 relative)', async () => {
  const r = await fitModel(train, { descriptors: 'sr', descriptorHypers: SR, selection: { count: 6 } }, { validation: val });
  assert.equal(r.descriptor.kind, 'sr');
  assert.ok(r.errors.validation && r.errors.train.forces);
  const model = r.model;
  const s = val[0];
  const res = model.calculate(s);
  checkCalculator(model, s, { h: 1e-5, strainH: 1e-5, rtol: 1e-6, components: [0, 4, 8, 13, 23], strainComponents: [0, 1, 5, 8] });
  // atomic save leaves no temporary file, load gives identical predictions
  const dir = mkdtempSync(join(tmpdir(), 'ff-model-'));
  try {
    saveModel(model, join(dir, 'm.json'));
    assert.deepEqual(readdirSync(dir), ['m.json']);
    assert.equal(loadModel(join(dir, 'm.json')).calculate(s).energyEv, res.energyEv);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const ow = process.stdout.write.bind(process.stdout), ew = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string) => (out.push(String(c)), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: string) => (err.push(String(c)), true)) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'farfield', ...args]);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
  }
}

test('CLI: fit → eval --json → predict', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-cli-'));
  try {
    saveStructures(join(dir, 'train.xyz'), train);
    saveStructures(join(dir, 'test.xyz'), val);
    writeFileSync(join(dir, 'cfg.json'), JSON.stringify({ selection: { count: 6 }, solver: { kind: 'bayes' }, descriptorHypers: SR }));
    const f = await cli(['fit', join(dir, 'train.xyz'), '--config', join(dir, 'cfg.json'), '--validation', join(dir, 'test.xyz'), '-o', join(dir, 'm.json')]);
    assert.equal(f.code, 0, f.err);
    assert.match(f.out, /train: .*energy RMSE/);
    assert.match(f.out, /validation: /);
    const ev = await cli(['eval', join(dir, 'm.json'), join(dir, 'test.xyz'), '--json']);
    assert.equal(ev.code, 0, ev.err);
    const lines = ev.out.trim().split('\n');
    assert.equal(lines.length, 1);
    const j = JSON.parse(lines[0]);
    // names of docs/conventions.md first, then the pre-0.2 names kept one release as aliases
    assert.deepEqual(Object.keys(j), ['structures', 'energy', 'forces', 'stress', 'n_structures']);
    assert.equal(j.structures, 2);
    assert.deepEqual(Object.keys(j.energy), ['rmseMevPerAtom', 'maeMevPerAtom', 'rmspePercent', 'rmse_meV_per_atom', 'mae_meV_per_atom', 'rmspe_percent']);
    assert.deepEqual(Object.keys(j.forces), ['rmseMevPerA', 'maeMevPerA', 'rmspePercent', 'rmse_meV_per_A', 'mae_meV_per_A', 'rmspe_percent']);
    const p = await cli(['predict', join(dir, 'm.json'), join(dir, 'test.xyz'), '-o', join(dir, 'out.xyz')]);
    assert.equal(p.code, 0, p.err);
    const back = loadStructures(join(dir, 'out.xyz')).structures;
    assert.equal(back.length, 2);
    assert.ok(back[0].labels.forcesEvPerA && back[0].labels.stressEvPerA3 && typeof back[0].info.energy_uncertainty === 'number');
    assert.ok(readFileSync(join(dir, 'out.xyz'), 'utf8').includes('energy_uncertainty:R:1'));
    // per-atom force σ (eV/Å, 3 columns) next to energy_uncertainty, equal to the model's own (printed precision)
    assert.ok(readFileSync(join(dir, 'out.xyz'), 'utf8').includes('force_uncertainty:R:3'));
    const fu = back[0].arrays.force_uncertainty;
    const direct = loadModel(join(dir, 'm.json')).calculate(loadStructures(join(dir, 'test.xyz')).structures[0], { uncertainty: true }).uncertainty!;
    assert.ok(fu && fu.width === 3 && fu.data.length === direct.forcesEvPerA!.length);
    for (let k = 0; k < fu.data.length; k++) assert.ok(Math.abs(Number(fu.data[k]) - direct.forcesEvPerA![k]) <= 1e-6 * direct.forcesEvPerA![k] + 1e-12);
    assert.ok(Math.abs(Number(back[0].info.max_force_uncertainty) - direct.maxForceEvPerA!) <= 1e-6 * direct.maxForceEvPerA!);
    // a corrupted model file is refused with a one-line error
    writeFileSync(join(dir, 'bad.json'), readFileSync(join(dir, 'm.json'), 'utf8').replace('"weights":{"dtype":"float64le","shape":[6],"base64":"', '"weights":{"dtype":"float64le","shape":[6],"base64":"B'.slice(0, -1)).replace(/"base64":"(.)/, (_m, c: string) => `"base64":"${c === 'A' ? 'B' : 'A'}`));
    const bad = await cli(['eval', join(dir, 'bad.json'), join(dir, 'test.xyz'), '--json']);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /checksum mismatch/);
    assert.ok(existsSync(join(dir, 'm.json')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
