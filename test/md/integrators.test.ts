/**
 * Proves the integrator plumbing: registry construction from JSON and round trip, input validation, observers
 * (every k steps, extended-XYZ-ready frames with labels, thermo records) and runMd; and the Berendsen barostat
 * relaxing compressed and expanded argon crystals to the same density at the target pressure, with a higher
 * target pressure giving a denser crystal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FarfieldError, cellVolume, makeStructure, type Structure } from '../../src/core/index.js';
import {
  blowUpGuard, createIntegrator, integrators, frameObserver, thermoObserver, runMd, every, pressureGpa, temperatureK, bussi, type ThermoRecord,
} from '../../src/md/index.js';
import { lennardJones } from '../helpers/lj.js';
import { argonFcc } from './argon.js';

const lj = lennardJones();

test('integrators are built from JSON and round-trip; bad configurations are refused', () => {
  assert.deepEqual(integrators.names().sort(), ['bussi', 'langevin', 'verlet']);
  const cfg = { kind: 'bussi', timestepFs: 2, temperatureK: 300, tauFs: 50 };
  const md = createIntegrator(lj, cfg);
  assert.deepEqual(md.toJSON(), cfg);
  assert.deepEqual(createIntegrator(lj, JSON.parse(JSON.stringify(md.toJSON()))).toJSON(), cfg);
  assert.equal(createIntegrator(lj, { kind: 'langevin', timestepFs: 1, temperatureK: 10 }).config.frictionPerFs, 0.01);
  assert.throws(() => createIntegrator(lj, { kind: 'nose', timestepFs: 1 }), /unknown integrator 'nose' \(known: verlet, langevin, bussi\)/);
  assert.throws(() => createIntegrator(lj, { kind: 'verlet', timestepFs: 0 }), FarfieldError);
  assert.throws(() => createIntegrator(lj, { kind: 'bussi', timestepFs: 1 }), /needs temperatureK/);
  assert.throws(() => createIntegrator(lj, { kind: 'bussi', timestepFs: 1, temperatureK: 300, tauFs: -1 }), FarfieldError);
  const s = argonFcc(1, 5.3, 1);
  const verlet = createIntegrator(lj, { kind: 'verlet', timestepFs: 1 });
  assert.throws(() => verlet.init(s, { velocities: [1, 2, 3] }), /3 velocity entries for 4 atoms/);
  const open = makeStructure({ symbols: ['Ar', 'Ar'], positions: [0, 0, 0, 3.8, 0, 0] });
  assert.throws(() => createIntegrator(lj, { kind: 'verlet', timestepFs: 1, barostat: { pressureGpa: 0, tauFs: 100, compressibilityPerGpa: 1 } }).init(open), /fully periodic/);
  const blank = { name: 'no forces', calculate: () => ({ energyEv: 0 }) };
  assert.throws(() => createIntegrator(blank, { kind: 'verlet', timestepFs: 1 }).init(s), /returned no forces/);
  const nan = { name: 'nan', calculate: (t: Structure) => ({ energyEv: 0, forcesEvPerA: new Float64Array(3 * t.species.length).fill(NaN) }) };
  assert.throws(() => createIntegrator(nan, { kind: 'verlet', timestepFs: 1 }).init(s), (e: unknown) => e instanceof FarfieldError && e.code === 'NUMERIC');
  // the caller's structure is not modified
  const before = s.positions.slice();
  const st = verlet.init(s, { temperatureK: 50, seed: 1 });
  for (let k = 0; k < 5; k++) verlet.step(st);
  assert.deepEqual(s.positions, before);
});

test('observers: frames every k steps with labels, thermo records, runMd progress', () => {
  const s = argonFcc(1, 5.3, 2);
  const md = bussi(lj, { timestepFs: 4, temperatureK: 40 });
  const st = md.init(s, { temperatureK: 40, seed: 3 });
  const frames: Structure[] = [];
  const thermo: ThermoRecord[] = [];
  const seen: number[] = [];
  let last = 0;
  runMd(md, st, 10, {
    observers: [frameObserver((f) => frames.push(f), { every: 5, velocities: true }), thermoObserver((r) => thermo.push(r), { every: 2 }), every(3, (x) => seen.push(x.step))],
    progress: (e) => { last = e.done; },
  });
  assert.deepEqual(frames.map((f) => f.info.md_step), [0, 5, 10]);
  assert.deepEqual(seen, [0, 3, 6, 9]);
  assert.equal(thermo.length, 6);
  assert.equal(last, 10);
  const f = frames[2];
  assert.equal(f.info.time_fs, 40);
  assert.deepEqual(f.positions, st.positions);
  assert.notEqual(f.positions, st.positions, 'frames must be copies');
  assert.equal(f.labels.energyEv, st.potentialEnergyEv);
  assert.deepEqual(f.labels.forcesEvPerA, st.forces);
  assert.equal(f.arrays.velocities.width, 3);
  assert.ok(Math.abs(thermo[5].temperatureK - temperatureK(st)) < 1e-12);
  assert.ok(Math.abs(thermo[5].kineticEv + thermo[5].potentialEv - st.heatEv - thermo[5].conservedEv) < 1e-12);
  assert.throws(() => every(0, () => {}), FarfieldError);
  let calls = 0;
  runMd(md, st, 50, { shouldStop: () => ++calls > 3 });
  assert.equal(st.step, 13);
});

test('Berendsen barostat: compressed and expanded crystals relax to the same density at P₀; higher P₀ is denser', () => {
  const lattice = (a: number, P0: number): { P: number; a: number } => {
    const md = bussi(lj, { timestepFs: 5, temperatureK: 40, tauFs: 50, barostat: { pressureGpa: P0, tauFs: 500, compressibilityPerGpa: 0.5 } });
    const st = md.init(argonFcc(2, a, 1), { temperatureK: 40, seed: 1 });
    const guard = blowUpGuard(md, st); // a sound NpT run never trips the blow-up guard
    let sP = 0, sa = 0, n = 0;
    for (let k = 0; k < 1200; k++) {
      md.step(st);
      guard(st);
      if (k >= 600) { sP += pressureGpa(st); sa += Math.cbrt(cellVolume(st.cell)) / 2; n++; }
    }
    return { P: sP / n, a: sa / n };
  };
  const fromBelow = lattice(5.0, 0), fromAbove = lattice(5.6, 0), squeezed = lattice(5.3, 0.2);
  assert.ok(Math.abs(fromBelow.P) < 0.01 && Math.abs(fromAbove.P) < 0.01, `mean pressures ${fromBelow.P}, ${fromAbove.P} GPa, target 0`);
  assert.ok(Math.abs(fromBelow.a - fromAbove.a) < 0.01, `lattice ${fromBelow.a} vs ${fromAbove.a} Å`);
  assert.ok(Math.abs(squeezed.P - 0.2) < 0.01 && squeezed.a < fromBelow.a - 0.05, `at 0.2 GPa: P ${squeezed.P}, a ${squeezed.a}`);
});
