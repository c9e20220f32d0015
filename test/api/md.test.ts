/**
 * `runMolecularDynamics` with a fitted sr kernel model (tiny, fitted in the test): frames written to extended XYZ,
 * log records with uncertainty, NVE conserved-energy drift small; `analyzeRdf` of the trajectory against the
 * training data; and the CLI shells `farfield md` / `farfield analyze` on files (one-line errors).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/core/index.js';
import { analyzeRdf, fitModel, loadCalculator, loadStructures, runMolecularDynamics, saveModel, saveStructures, type MdLogRecord } from '../../src/api/index.js';
import type { KernelModel } from '../../src/model/index.js';
import { label, morseCalculator, randomStructure } from '../model/helpers/data.js';
import { sharedPath, skipWithoutShared } from '../helpers/paths.js';
import { runCli } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cliInProcess.js';
import { MdBlowUpError } from '../../src/md/index.js';
import { fumiTosiNaCl } from '../../src/reference/index.js';

const rng = new Rng(5);
const data = label(Array.from({ length: 6 }, () => randomStructure(rng, 8, 6.5, ['Na', 'Cl'], 2.0)), morseCalculator());

const cli = runCli;
/** A small sr descriptor (75 columns instead of 568): the md plumbing under test does not depend on it. */
const SR = { radial: { nmax: 6, cutoffA: 5 }, angular: { nmax: 3, lmax: 2, cutoffA: 4 } };

test('md with a fitted model: frames, log with uncertainty, small NVE drift; RDF vs the training data; CLI md + analyze', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-md-'));
  try {
    const { model } = await fitModel(data, { descriptors: 'sr', descriptorHypers: SR, selection: { count: 8 } });
    const logs: MdLogRecord[] = [];
    const traj = join(dir, 'traj.xyz');
    const s = runMolecularDynamics({ calculator: model, start: data[0], steps: 20, timestepFs: 0.5, temperatureK: 100, thermostat: 'nve', every: 5, logEvery: 10, output: traj, onLog: (r) => logs.push(r) });
    assert.equal(s.framesWritten, 5); // steps 0, 5, 10, 15, 20
    assert.deepEqual(logs.map((r) => r.step), [0, 10, 20]);
    assert.ok(logs.every((r) => r.uncertaintyEvPerAtom !== undefined && r.uncertaintyEvPerAtom >= 0));
    // largest per-atom force σ per logged step (eV/Å): step 0 equals the model's own value for the start structure
    assert.ok(logs.every((r) => r.maxForceUncertaintyEvPerA !== undefined && r.maxForceUncertaintyEvPerA > 0));
    assert.equal(logs[0].maxForceUncertaintyEvPerA, model.calculate(data[0], { uncertainty: true }).uncertainty!.maxForceEvPerA);
    assert.equal(s.maxForceUncertaintyEvPerA, Math.max(...logs.map((r) => r.maxForceUncertaintyEvPerA!)));
    assert.ok(Math.abs(s.conservedDriftEvPerAtom) < 1e-3, `drift ${s.conservedDriftEvPerAtom}`);
    assert.equal(s.simulatedFs, 10);
    const frames = loadStructures(traj).structures;
    assert.equal(frames.length, 5);
    assert.equal(frames[4].info.md_step, 20);
    assert.ok(frames[4].labels.forcesEvPerA);
    assert.deepEqual(readdirSync(dir), ['traj.xyz']);

    const rdf = analyzeRdf({ trajectory: traj, reference: join(dir, 'traj.xyz'), rMaxA: 4, bins: 20, out: join(dir, 'rdf') });
    assert.equal(rdf.sets.length, 2);
    assert.deepEqual(Object.keys(rdf.sets[0].curves).sort(), ['Cl-Cl', 'Cl-Na', 'Na-Na']);
    for (const d of Object.values(rdf.difference!)) assert.equal(d.maxAbs, 0); // same file on both sides
    assert.ok(existsSync(join(dir, 'rdf', 'index.html')) && existsSync(join(dir, 'rdf', 'rdf.json')));

    // CLI
    const m = join(dir, 'm.json'), start = join(dir, 'start.xyz');
    saveModel(model, m);
    saveStructures(start, data);
    const r = cli(['md', m, start, '--steps', '6', '--dt', '0.5', '--temperature', '50', '--thermostat', 'langevin', '--every', '3', '--log-every', '3', '-o', join(dir, 't2.xyz')]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^# md: 8 atoms, 6 steps × 0.5 fs, langevin at 50 K/);
    assert.equal(r.out.split('\n').filter((l) => /^\s+\d+ /.test(l)).length, 3); // steps 0, 3, 6
    assert.match(r.out, /wrote 3 frames to .*t2\.xyz/);
    assert.match(r.out, /sigma_E\/\(meV\/atom\) +maxsigma_F\/\(eV\/A\)\n/);
    assert.match(r.out, /largest per-atom force uncertainty \d/);
    const a = cli(['analyze', join(dir, 't2.xyz'), '--rdf', '--rmax', '4', '--bins', '20', '--reference', start, '--out', join(dir, 'rdf2')]);
    assert.equal(a.code, 0, a.err);
    assert.match(a.out, /Cl-Na +max \|Δg\| \d/);
    assert.match(readFileSync(join(dir, 'rdf2', 'index.html'), 'utf8'), /data-kind="rdf"/);
    const bad = await runCliInProcess(['md', m, start, '--steps', '2', '--thermostat', 'nose']);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /^farfield: error: --thermostat must be one of nve, bussi, langevin, got 'nose'\n$/);
    const nothing = await runCliInProcess(['analyze', join(dir, 't2.xyz')]);
    assert.equal(nothing.code, 1);
    assert.match(nothing.err, /nothing to do/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('issue 13: a blown-up run (Fumi–Tosi NaCl, NVE, 20 fs) stops with the step and quantity, keeps its frames, exits non-zero', { skip: skipWithoutShared() }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-md-blow-'));
  try {
    const startFile = sharedPath('fixtures', 'nacl-melt-64.xyz');
    const start = loadStructures(startFile).structures[0];
    const traj = join(dir, 'traj.xyz');
    let err: unknown;
    try {
      runMolecularDynamics({ calculator: fumiTosiNaCl(), start, steps: 300, timestepFs: 20, temperatureK: 1200, thermostat: 'nve', every: 10, output: traj });
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof MdBlowUpError, `expected the run to be stopped, got ${String(err)}`);
    assert.match(err.message, /^md blew up at step (\d+) .*reduce the time step \(now 20 fs\).*The (\d+) frames written before it are kept in .*traj\.xyz$/);
    const frames = loadStructures(traj).structures; // every frame written is whole and readable
    assert.equal(frames.length, Math.floor(err.step / 10) + (err.step % 10 === 0 ? 0 : 1));
    assert.ok(frames.every((f) => (f.info.md_step as number) < err.step && (f.info.temperature_K as number) < 20000));
    // library override: a looser limit runs further; guard: false restores the old behaviour
    assert.throws(() => runMolecularDynamics({ calculator: fumiTosiNaCl(), start, steps: 2, timestepFs: 2, temperatureK: 1200, thermostat: 'nve', guard: { temperatureFactor: -1 } }), /temperatureFactor must be ≥ 0/);
    // CLI: exit 1, one-line error on stderr, frames kept
    const r = cli(['md', '--calculator', 'fumi-tosi', startFile, '--frame', '0', '--steps', '300', '--dt', '20', '--temperature', '1200', '--thermostat', 'nve', '-o', join(dir, 'cli.xyz')]);
    assert.equal(r.code, 1, r.out);
    assert.match(r.err, /^farfield: error: md blew up at step \d+ \(t = \d+ fs\): .* \(threshold: .*CLI --max-[a-z-]+\)\. The \d+ frames written before it are kept in .*cli\.xyz\n$/);
    assert.ok(loadStructures(join(dir, 'cli.xyz')).structures.length >= 1);
    const loose = cli(['md', '--calculator', 'fumi-tosi', startFile, '--frame', '0', '--steps', '3', '--dt', '2', '--max-drift', '0', '--max-temperature-factor', '0', '--max-displacement', '0.5', '--json']);
    assert.equal(loose.code, 0, loose.err);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('issue 13 item 14: md from a POSCAR with selective dynamics keeps the fixed atoms in place (library and CLI)', { skip: skipWithoutShared() }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-md-sd-'));
  try {
    const s = loadStructures(sharedPath('fixtures', 'nacl-melt-64.xyz')).structures[0];
    const flags = new Uint8Array(3 * 64).fill(1).fill(0, 0, 24); // atoms 0–7: F F F
    const poscar = join(dir, 'POSCAR');
    saveStructures(poscar, [{ ...s, info: {}, labels: {}, arrays: { selective_dynamics: { type: 'L', width: 3, data: flags } } }]);
    const start = loadStructures(poscar).structures[0];
    const traj = join(dir, 'traj.xyz');
    const sum = runMolecularDynamics({ calculator: fumiTosiNaCl(), start, steps: 20, timestepFs: 2, temperatureK: 1200, thermostat: 'bussi', every: 10, output: traj });
    assert.equal(sum.fixedCoordinates, 24);
    assert.equal(sum.degreesOfFreedom, 3 * 64 - 24);
    const frames = loadStructures(traj).structures;
    assert.equal(frames.length, 3);
    for (const f of frames) for (let k = 0; k < 24; k++) assert.equal(f.positions[k], start.positions[k]);
    assert.ok(Math.abs(frames[2].positions[30] - start.positions[30]) > 1e-4, 'free atoms move');
    const r = cli(['md', '--calculator', 'fumi-tosi', poscar, '--steps', '4', '--dt', '2', '--every', '2', '-o', join(dir, 'c.xyz')]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /24 fixed coordinates \(selective dynamics \/ move_mask\); temperature over 168 degrees of freedom/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('md default log interval: about 20 lines, at most one per 10 steps (each logged step of a model costs an uncertainty evaluation)', () => {
  const steps = (n: number): number[] => {
    const logs: number[] = [];
    runMolecularDynamics({ calculator: fumiTosiNaCl(), start: data[0], steps: n, timestepFs: 0.5, temperatureK: 50, thermostat: 'nve', guard: false, onLog: (r) => logs.push(r.step) });
    return logs;
  };
  assert.deepEqual(steps(20), [0, 10, 20]);
  assert.deepEqual(steps(5), [0, 5]);
  assert.equal(steps(400).length, 21); // every 20th step: 0 … 400
});

test('md without uncertainty: loadCalculator({covariance: false}) leaves the covariance on disk; the log has no σ', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-md-nocov-'));
  try {
    const { model } = await fitModel(data.slice(0, 3), { descriptors: 'sr', selection: { count: 4 }, threads: 1 });
    const m = join(dir, 'm.ffm');
    saveModel(model, m);
    const withCov = loadCalculator({ model: m }) as KernelModel;
    const without = loadCalculator({ model: m, covariance: false }) as KernelModel;
    assert.ok(withCov.params.covarianceFactor !== undefined);
    assert.equal(without.params.covarianceFactor, undefined);
    const logs: MdLogRecord[] = [];
    runMolecularDynamics({ calculator: without, start: data[0], steps: 2, timestepFs: 0.5, temperatureK: 100, thermostat: 'nve', logEvery: 1, onLog: (r) => logs.push(r) });
    assert.equal(logs.length, 3);
    assert.ok(logs.every((r) => r.uncertaintyEvPerAtom === undefined && r.maxForceUncertaintyEvPerA === undefined));
    // same trajectory energies as the model with its covariance (the covariance only feeds σ)
    const ref: MdLogRecord[] = [];
    runMolecularDynamics({ calculator: withCov, start: data[0], steps: 2, timestepFs: 0.5, temperatureK: 100, thermostat: 'nve', logEvery: 1, onLog: (r) => ref.push(r) });
    assert.deepEqual(logs.map((r) => r.potentialEv), ref.map((r) => r.potentialEv));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
