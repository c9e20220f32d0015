/**
 * `learn --temperature A:B` (md/ramp.ts inside the learn loop): the run's state point moves — the thermostat target
 * rises over the run, so the late steps are hotter than the early ones (a run without the ramp stays put), the ramp is
 * part of the run spec in state.json, and a run killed mid-ramp and resumed gives the same log, training set and model
 * as an uninterrupted one (the targets depend on the step counter, which the checkpoint holds). The same for a
 * prescribed density ramp (`--density A:B`): start.xyz and the first trajectory frame at A, the last at B, resume =
 * uninterrupted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStructures } from '../../src/host/index.js';
import { cellVolume } from '../../src/core/index.js';
import { densityGcm3, massesOf } from '../../src/md/index.js';
import { resumeLearn, runLearn, type LearnOptions } from '../../src/api/index.js';
import { sharedPath, skipWithoutShared } from '../helpers/paths.js';

const H = { radial: { nmax: 6, cutoffA: 5 }, angular: { nmax: 3, lmax: 2, cutoffA: 4 } };

function options(out: string, ramp: boolean, density?: [number, number]): LearnOptions {
  return {
    ...(density ? { densityGcm3: density } : {}),
    start: readStructures(sharedPath('fixtures', 'nacl-melt-64.xyz'))[0], steps: 24, timestepFs: 2, temperatureK: 300, tauFs: 10, seed: 3, out,
    ...(ramp ? { temperatureEndK: 3000 } : {}),
    reference: { engine: 'fumi-tosi' }, descriptors: 'sr', descriptorHypers: H,
    config: { threshold: { batch: 2, minInterval: 3 }, fit: { maxNewReferences: 3 }, checkpointEvery: 4 },
  };
}

const temperatures = (dir: string): number[] =>
  readFileSync(join(dir, 'log.csv'), 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[2]));

test('learn with a temperature ramp: late steps hotter than early ones; kill mid-ramp + resume = uninterrupted run', { skip: skipWithoutShared() }, async () => {
  const a = mkdtempSync(join(tmpdir(), 'ff-learn-ramp-a-'));
  const b = mkdtempSync(join(tmpdir(), 'ff-learn-ramp-b-'));
  const c = mkdtempSync(join(tmpdir(), 'ff-learn-ramp-c-'));
  try {
    const full = await runLearn(options(a, true));
    await runLearn(options(c, false));
    const mean = (v: number[]): number => v.reduce((x, y) => x + y, 0) / v.length;
    const T = temperatures(a), flat = temperatures(c);
    const msg = `ramp 300 → 3000 K: first/last 6 steps ${mean(T.slice(1, 7)).toFixed(0)} / ${mean(T.slice(-6)).toFixed(0)} K; no ramp ${mean(flat.slice(1, 7)).toFixed(0)} / ${mean(flat.slice(-6)).toFixed(0)} K`;
    assert.ok(mean(T.slice(-6)) > 1500 && mean(T.slice(-6)) > 2 * mean(flat.slice(-6)), msg);
    const state = JSON.parse(readFileSync(join(a, 'state.json'), 'utf8')) as { run: { temperatureEndK?: number } };
    assert.equal(state.run.temperatureEndK, 3000);
    const kill = new Error('simulated kill');
    await assert.rejects(runLearn(options(b, true), { onStep: (row) => { if (row.step === 13) throw kill; } }), (e) => e === kill);
    const resumed = await resumeLearn(b);
    for (const f of ['log.csv', 'training.xyz', 'trajectory.xyz']) assert.equal(readFileSync(join(b, f), 'utf8'), readFileSync(join(a, f), 'utf8'), f);
    assert.deepEqual(Array.from(resumed.model.weights), Array.from(full.model.weights));
  } finally {
    for (const d of [a, b, c]) rmSync(d, { recursive: true, force: true });
  }
});

test('learn with a density ramp: trajectory from A to B; kill mid-ramp + resume = uninterrupted run', { skip: skipWithoutShared() }, async () => {
  const start = readStructures(sharedPath('fixtures', 'nacl-melt-64.xyz'))[0];
  const mass = massesOf(start).reduce((x, m) => x + m, 0);
  const rho0 = densityGcm3(mass, cellVolume(start.cell));
  const ramp: [number, number] = [0.97 * rho0, 1.03 * rho0];
  const a = mkdtempSync(join(tmpdir(), 'ff-learn-rho-a-'));
  const b = mkdtempSync(join(tmpdir(), 'ff-learn-rho-b-'));
  try {
    const full = await runLearn(options(a, true, ramp));
    const traj = readStructures(join(a, 'trajectory.xyz'));
    const rho = (s: { cell: Float64Array }): number => densityGcm3(mass, cellVolume(s.cell));
    assert.ok(Math.abs(rho(readStructures(join(a, 'start.xyz'))[0]) - ramp[0]) < 1e-9, 'start.xyz at A');
    assert.ok(Math.abs(rho(traj[0]) - ramp[0]) < 1e-9 && Math.abs(rho(traj[traj.length - 1]) - ramp[1]) < 1e-9,
      `trajectory density ${rho(traj[0])} … ${rho(traj[traj.length - 1])}, ramp ${ramp.join(' → ')}`);
    const kill = new Error('simulated kill');
    await assert.rejects(runLearn(options(b, true, ramp), { onStep: (row) => { if (row.step === 13) throw kill; } }), (e) => e === kill);
    const resumed = await resumeLearn(b);
    for (const f of ['log.csv', 'training.xyz', 'trajectory.xyz']) assert.equal(readFileSync(join(b, f), 'utf8'), readFileSync(join(a, f), 'utf8'), f);
    assert.deepEqual(Array.from(resumed.model.weights), Array.from(full.model.weights));
  } finally {
    for (const d of [a, b]) rmSync(d, { recursive: true, force: true });
  }
});
