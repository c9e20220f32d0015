/**
 * Explicit workspaces (issue 14 item 3): solver state (PME transform, influence function, meshes, real-space table)
 * lives in an ElectrostaticsWorkspace the caller owns. Reusing one along a trajectory is bit-identical to a fresh
 * one per call without the real-space pair list (skin 0), and equal to rounding with it (other summation order);
 * two calculators share nothing; no module of src/electrostatics keeps mutable state between calls.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';
import { makeStructure, type Structure } from '../../src/core/index.js';
import {
  ElectrostaticsCalculator, ElectrostaticsWorkspace, computeElectrostatics, coulombKernel, gaussianKernel, tuneElectrostatics,
} from '../../src/electrostatics/index.js';
import { randomIons } from './helpers.js';

const CUBE = [12.59, 0, 0, 0, 12.59, 0, 0, 0, 12.59];

/** A short trajectory: the structure with every atom displaced by a deterministic small step per frame. */
function frames(s: Structure, count: number): Structure[] {
  const out: Structure[] = [];
  for (let f = 0; f < count; f++) {
    const pos = s.positions.map((x, k) => x + 0.01 * f * Math.sin(1.7 * k + f));
    out.push(makeStructure({ symbols: Array.from(s.species, (t) => s.symbols[t]), positions: Array.from(pos), cell: Array.from(s.cell) }));
  }
  return out;
}

function sameBits(a: Float64Array | undefined, b: Float64Array | undefined, what: string): void {
  assert.ok(a && b, `${what} missing`);
  assert.equal(a.length, b.length);
  for (let k = 0; k < a.length; k++) assert.ok(Object.is(a[k], b[k]), `${what}[${k}]: ${a[k]} vs ${b[k]}`);
}

for (const [name, kernel] of [['coulomb', coulombKernel()], ['gaussian', gaussianKernel({ sigmaA: 0.8 })]] as const) {
  test(`a workspace reused over 5 PME steps (${name}, tabulated real space, no pair list) = a fresh one per step, bit for bit`, () => {
    const { structure, charges: q } = randomIons(64, CUBE, 7, 2.0);
    const params = { ...tuneElectrostatics(structure, q, { method: 'pme', accuracy: 1e-5 }), realSpaceTable: true };
    const ws = new ElectrostaticsWorkspace({ realSpaceSkinA: 0 });
    for (const s of frames(structure, 5)) {
      const a = computeElectrostatics(s, q, kernel, params, { potentials: true, workspace: ws });
      const b = computeElectrostatics(s, q, kernel, params, { potentials: true });
      assert.ok(Object.is(a.energyEv, b.energyEv), `${a.energyEv} vs ${b.energyEv}`);
      sameBits(a.forcesEvPerA, b.forcesEvPerA, 'forces');
      sameBits(a.stressEvPerA3, b.stressEvPerA3, 'stress');
      sameBits(a.potentials, b.potentials, 'potentials');
    }
    assert.ok(ws.pme.transform, 'the workspace kept the transform');
    assert.ok(ws.pme.influence, 'the workspace kept the influence function');
  });
}

test('two calculators share no state: each keeps its own mesh and influence function', () => {
  const one = randomIons(128, CUBE, 3, 1.8);
  const two = randomIons(128, CUBE.map((x) => x * 1.3), 4, 1.8);
  const a = new ElectrostaticsCalculator({ charges: { Na: 1, Cl: -1 }, method: 'pme', accuracy: 1e-5 });
  const b = new ElectrostaticsCalculator({ charges: { Na: 1, Cl: -1 }, method: 'pme', accuracy: 1e-5 });
  assert.notEqual(a.workspace, b.workspace);
  const e1 = a.calculate(one.structure).energyEv;
  const planA = a.workspace.pme.transform, inflA = a.workspace.pme.influence;
  b.calculate(two.structure);
  assert.notEqual(b.workspace.pme.influence, inflA);
  assert.equal(a.workspace.pme.transform, planA, "b's call left a's transform alone");
  assert.equal(a.workspace.pme.influence, inflA, "b's call left a's influence function alone");
  // the repeated call runs the real space over the pair list (another summation order): equal to rounding
  assert.ok(Math.abs(a.calculate(one.structure).energyEv - e1) <= 1e-12 * Math.abs(e1));
  assert.equal(a.workspace.pme.influence, inflA, 'a reused its influence function');
});

test("retune: 'cell' keeps the tuned parameters while cell and charges stay, and re-tunes when the cell changes", () => {
  const { structure } = randomIons(128, CUBE, 5, 1.8);
  const calc = new ElectrostaticsCalculator({ charges: { Na: 1, Cl: -1 }, method: 'pme', accuracy: 1e-5, retune: 'cell' });
  const fs = frames(structure, 3);
  calc.calculate(fs[0]);
  const p0 = calc.lastParameters;
  calc.calculate(fs[1]);
  assert.equal(calc.lastParameters, p0, 'same cell: the tuned parameters are reused');
  const bigger = makeStructure({ symbols: Array.from(structure.species, (t) => structure.symbols[t]), positions: Array.from(structure.positions), cell: CUBE.map((x) => x * 1.01) });
  calc.calculate(bigger);
  assert.notEqual(calc.lastParameters, p0, 'new cell: re-tuned');
  const always = new ElectrostaticsCalculator({ charges: { Na: 1, Cl: -1 }, method: 'pme', accuracy: 1e-5 });
  always.calculate(fs[0]);
  const q0 = always.lastParameters;
  always.calculate(fs[1]);
  assert.notEqual(always.lastParameters, q0, "default 'always': tuned per call");
  assert.deepEqual(always.lastParameters, q0);
});

test('no module of src/electrostatics holds mutable state between calls (module-level let, Map or Set)', () => {
  const dir = join(REPO_ROOT, 'src', 'electrostatics') + '/';
  const offenders: string[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts')))
    for (const [i, line] of readFileSync(dir + f, 'utf8').split('\n').entries())
      if (/^(export )?let\s/.test(line) || /^(export )?const\s+\w+(:[^=]+)?=\s*new\s+(Map|Set|WeakMap)\b/.test(line) || /^(export )?const\s+\w+\s*:\s*\{[^}]*\[\]/.test(line))
        offenders.push(`${f}:${i + 1}: ${line.trim()}`);
  assert.deepEqual(offenders, []);
});

test('the real-space pair list along a trajectory (small steps, a jump, a new cell, a far frame) = a fresh call to rounding, rebuilt only when needed', () => {
  for (const [n, edge] of [[216, 18.9], [64, 12.59]] as const) { // binned list build, and the narrow-cell fallback
    const cell = [edge, 0, 0, 0.9, edge, 0, -0.6, 0.4, edge];
    const { structure, charges: q } = randomIons(n, cell, 11, 1.8);
    const params = tuneElectrostatics(structure, q, { method: 'pme', accuracy: 1e-6 });
    const ws = new ElectrostaticsWorkspace();
    const kernel = coulombKernel();
    const path = frames(structure, 6);
    const jumped = makeStructure({ symbols: Array.from(structure.species, (t) => structure.symbols[t]), positions: Array.from(path[5].positions, (x, k) => x + (k === 4 ? 0.7 : 0)), cell: Array.from(structure.cell) });
    const strained = makeStructure({ symbols: Array.from(structure.species, (t) => structure.symbols[t]), positions: Array.from(jumped.positions), cell: cell.map((x) => 1.01 * x) });
    // an unrelated frame: one atom 1.5 Å away (more than the skin) in the strained cell
    const far = makeStructure({ symbols: Array.from(structure.species, (t) => structure.symbols[t]), positions: Array.from(strained.positions, (x, k) => x + (k === 7 ? 1.5 : 0)), cell: Array.from(strained.cell) });
    // a jump within the skin rebuilds at once; a new cell or a frame farther than the skin waits for a second call
    const expectRebuilds = [0, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4];
    [...path, jumped, jumped, strained, strained, far, far].forEach((s, f) => {
      const a = computeElectrostatics(s, q, kernel, params, { potentials: true, workspace: ws });
      const b = computeElectrostatics(s, q, kernel, params, { potentials: true });
      assert.ok(Math.abs(a.energyEv - b.energyEv) <= 1e-12 * Math.abs(b.energyEv), `frame ${f}: energy ${a.energyEv} vs ${b.energyEv}`);
      for (const [what, x, y] of [['forces', a.forcesEvPerA!, b.forcesEvPerA!], ['potentials', a.potentials!, b.potentials!], ['stress', a.stressEvPerA3!, b.stressEvPerA3!]] as const) {
        let scale = 0;
        for (const v of y) scale = Math.max(scale, Math.abs(v));
        for (let k = 0; k < y.length; k++) assert.ok(Math.abs(x[k] - y[k]) <= 1e-11 * scale, `${n} ions, frame ${f}: ${what}[${k}] ${x[k]} vs ${y[k]}`);
      }
      assert.equal(ws.real.rebuilds, expectRebuilds[f], `${n} ions, frame ${f}: pair list rebuilds`);
    });
  }
});
