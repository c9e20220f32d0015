/**
 * Proves the blow-up guard (md/guard.ts): each check trips on the state it is meant for and names the step, the
 * quantity and the threshold; thresholds are overridable and 0 switches a check off; sound runs (the NVE/NVT argon
 * runs of the other md tests, with their time steps) never trip it; and the run from issue 13 (Fumi–Tosi NaCl, NVE,
 * dt = 20 fs, 1200 K), which used to end at ~10²³ K, stops early with MdBlowUpError.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FarfieldError, type Calculator } from '../../src/core/index.js';
import {
  MdBlowUpError, blowUpGuard, bussi, defaultMaxStepDisplacementA, langevin, runMd, temperatureK, velocityVerlet, type MdState,
} from '../../src/md/index.js';
import { fumiTosiNaCl } from '../../src/reference/index.js';
import { readStructures } from '../../src/host/index.js';
import { lennardJones } from '../helpers/lj.js';
import { sharedPath, skipWithoutShared } from '../helpers/paths.js';
import { argonFcc } from './argon.js';

const lj = lennardJones();
const s = argonFcc(2, 5.3, 1);

function trips(f: () => void, quantity: string, pattern: RegExp): MdBlowUpError {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof MdBlowUpError, `expected MdBlowUpError (${quantity}), got ${String(err)}`);
  assert.equal(err.quantity, quantity);
  assert.equal(err.code, 'NUMERIC');
  assert.match(err.message, pattern);
  assert.match(err.message, /reduce the time step( \(now 4 fs\))?/);
  return err;
}

/** A state after one step at 4 fs with a fresh guard, for perturbing by hand. */
function stepped(limits = {}): { st: MdState; guard: (st: MdState) => void } {
  const md = bussi(lj, { timestepFs: 4, temperatureK: 60 });
  const st = md.init(s, { temperatureK: 60, seed: 2 });
  const guard = blowUpGuard(md, st, limits);
  guard(st);
  md.step(st);
  guard(st); // a sound step passes
  return { st, guard };
}

test('temperature above factor × reference trips, naming step, value and threshold; 0 switches it off', () => {
  const { st, guard } = stepped();
  for (let k = 0; k < st.velocities.length; k++) st.velocities[k] *= 5; // T × 25 > 10 × 60 K, but the reference is the 300 K floor
  const T = temperatureK(st);
  assert.ok(T < 3000, `T ${T} K must stay under 10 × 300 K floor for this check`);
  guard(st); // under 10 × max(60 K target, initial, 300 K floor)
  for (let k = 0; k < st.velocities.length; k++) st.velocities[k] *= 3;
  const e = trips(() => guard(st), 'temperature', /^md blew up at step 1 \(t = 4 fs\): temperature [\d.e+]+ K exceeds 3000 K.*temperatureFactor 10 × reference 300\.0 K/);
  assert.equal(e.step, 1);
  assert.equal(e.limit, 3000);
  const off = stepped({ temperatureFactor: 0, conservedDriftEvPerAtom: 0 }); // both off (hotter atoms also raise K + U)
  for (let k = 0; k < off.st.velocities.length; k++) off.st.velocities[k] *= 100;
  off.guard(off.st);
  const higher = stepped({ temperatureFactor: 1000, conservedDriftEvPerAtom: 100 });
  for (let k = 0; k < higher.st.velocities.length; k++) higher.st.velocities[k] *= 15;
  higher.guard(higher.st);
});

test('conserved-energy drift per atom above the threshold trips', () => {
  const { st, guard } = stepped({ conservedDriftEvPerAtom: 0.05 });
  st.heatEv -= 0.04 * 32; // drift 0.04 eV/atom: under
  guard(st);
  st.heatEv -= 0.02 * 32; // 0.06 eV/atom
  trips(() => guard(st), 'conserved-energy drift', /drifted by 0\.06\d* eV\/atom, more than 0\.05 eV\/atom/);
});

test('an atom moving more than the step limit trips (default min(5 Å, cell width)); non-finite state trips', () => {
  assert.equal(defaultMaxStepDisplacementA(s.cell, s.pbc), 5);
  assert.ok(Math.abs(defaultMaxStepDisplacementA([3, 0, 0, 1.5, 2.5980762113533, 0, 0, 0, 9], [true, true, true]) - 2.5980762113533) < 1e-12);
  assert.equal(defaultMaxStepDisplacementA([3, 0, 0, 0, 3, 0, 0, 0, 3], [false, false, false]), 5);
  {
    const { st, guard } = stepped();
    st.positions[3 * 7] += 4.9;
    guard(st);
    st.positions[3 * 7 + 1] += 5.1;
    const e = trips(() => guard(st), 'step displacement', /atom 7 moved 5\.1\d* Å in one step, more than 5\.000 Å/);
    assert.ok(Math.abs(e.value - 5.1) < 1e-9);
  }
  {
    const { st, guard } = stepped({ maxStepDisplacementA: 0.5 });
    st.positions[5] -= 0.6;
    trips(() => guard(st), 'step displacement', /atom 1 moved 0\.6\d* Å/);
  }
  {
    const { st, guard } = stepped();
    st.potentialEnergyEv = NaN;
    trips(() => guard(st), 'energy', /potential energy is NaN/);
  }
  {
    const { st, guard } = stepped();
    st.positions[10] = Infinity;
    trips(() => guard(st), 'positions', /position of atom 3 is not finite/);
  }
  assert.throws(() => blowUpGuard(velocityVerlet(lj, { timestepFs: 1 }), velocityVerlet(lj, { timestepFs: 1 }).init(s), { temperatureFactor: -1 }), /temperatureFactor must be ≥ 0/);
});

test('sound NVE, Bussi and Langevin argon runs never trip the guard', () => {
  for (const md of [velocityVerlet(lj, { timestepFs: 8 }), bussi(lj, { timestepFs: 8, temperatureK: 80, tauFs: 50 }), langevin(lj, { timestepFs: 8, temperatureK: 80, frictionPerFs: 0.02 })]) {
    const st = md.init(s, { temperatureK: 80, seed: 4 });
    runMd(md, st, 300, { observers: [blowUpGuard(md, st)] });
    assert.equal(st.step, 300);
  }
  // heating from 0 K: an NVE run released from a jittered lattice warms a little; the 300 K floor keeps it legal
  const md = velocityVerlet(lj, { timestepFs: 4 });
  const st = md.init(argonFcc(2, 5.3, 1, 0.3), { temperatureK: 0 });
  runMd(md, st, 200, { observers: [blowUpGuard(md, st)] });
});

test('issue 13: Fumi–Tosi NaCl, NVE, 20 fs steps from 1200 K stops early instead of reaching 1e23 K', { skip: skipWithoutShared() }, () => {
  const start = readStructures(sharedPath('fixtures', 'nacl-melt-64.xyz'))[0];
  const md = velocityVerlet(fumiTosiNaCl(), { timestepFs: 20 });
  const st = md.init(start, { temperatureK: 1200, seed: 1 });
  let err: unknown;
  try {
    runMd(md, st, 300, { observers: [blowUpGuard(md, st)] });
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof MdBlowUpError, `the run should blow up and be stopped, got ${String(err)} at step ${st.step}, T = ${temperatureK(st)} K`);
  assert.ok(err.step < 150, `stopped at step ${err.step}`);
  assert.match(err.message, /^md blew up at step \d+ \(t = \d+ fs\): .*reduce the time step \(now 20 fs\)/);
  // the same start at 2 fs is a sound run: no trip over the same simulated time
  const ok = velocityVerlet(fumiTosiNaCl(), { timestepFs: 2 });
  const st2 = ok.init(start, { temperatureK: 1200, seed: 1 });
  runMd(ok, st2, 3 * err.step, { observers: [blowUpGuard(ok, st2)] });
});

test('non-finite forces or energy from the calculator: MdBlowUpError naming the step inside a run, a plain error at the start', () => {
  let calls = 0, badAfter = 4;
  const flaky: Calculator = {
    name: 'flaky-lj',
    calculate(st, o) {
      const r = lj.calculate(st, o);
      if (++calls > badAfter) r.forcesEvPerA![7] = NaN;
      return r;
    },
  };
  const md = velocityVerlet(flaky, { timestepFs: 4 });
  const st = md.init(s, { temperatureK: 60, seed: 1 });
  const e = trips(() => runMd(md, st, 10, { observers: [blowUpGuard(md, st)] }), 'forces', /^md blew up at step 4: non-finite force on atom 2 \(NaN\)/);
  assert.equal(e.step, 4);
  calls = 0;
  badAfter = 0;
  assert.throws(() => md.init(s), (x: unknown) => x instanceof FarfieldError && !(x instanceof MdBlowUpError) && /non-finite force on atom 2 \(NaN\) at the initial structure/.test(x.message));
});
