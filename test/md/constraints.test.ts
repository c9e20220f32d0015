/**
 * Proves fixed coordinates in MD (md/constraints.ts): POSCAR selective dynamics and ASE's move_mask are honoured —
 * fixed atoms and fixed components do not move (bit for bit in the Cartesian case, the fixed fractional coordinate to
 * rounding in a skewed cell), NVE conserves K + U as well as without constraints (the projection does no work), the
 * temperature counts the right degrees of freedom (equipartition with Langevin and Bussi, and the count agrees with
 * ASE's for FixAtoms/FixCartesian/FixScaled files written by ASE), and the barostat is refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FarfieldError, inv3, type Structure } from '../../src/core/index.js';
import { parsePoscar } from '../../src/io/index.js';
import { readStructures } from '../../src/host/index.js';
import {
  bussi, conservedEnergyEv, constraintsFromStructure, langevin, temperatureK, totalMomentum, velocityVerlet, type Integrator,
} from '../../src/md/index.js';
import { lennardJones } from '../helpers/lj.js';
import { runPython, skipWithoutAse } from '../io/python.js';
import { argonFcc } from './argon.js';

const lj = lennardJones();
const base = argonFcc(2, 5.3, 1, 0.15);

/** The argon crystal as a POSCAR with selective dynamics: atoms 0–7 `F F F`, 8–11 `T T F`, the rest `T T T`. */
function poscar(s: Structure, cell: ArrayLike<number> = s.cell, flags: (i: number) => string = (i) => (i < 8 ? 'F F F' : i < 12 ? 'T T F' : 'T T T')): Structure {
  const lines = ['argon slab', '1.0'];
  for (let r = 0; r < 3; r++) lines.push(`${cell[3 * r]} ${cell[3 * r + 1]} ${cell[3 * r + 2]}`);
  lines.push('Ar', String(s.species.length), 'Selective dynamics', 'Cartesian');
  for (let i = 0; i < s.species.length; i++) lines.push(`${s.positions[3 * i]} ${s.positions[3 * i + 1]} ${s.positions[3 * i + 2]} ${flags(i)}`);
  return parsePoscar(lines.join('\n') + '\n', 'POSCAR');
}

function run(md: Integrator, s: Structure, steps: number, seed = 1) {
  const st = md.init(s, { temperatureK: 80, seed });
  const r0 = st.positions.slice(), e0 = conservedEnergyEv(st);
  let dev = 0;
  for (let k = 0; k < steps; k++) {
    md.step(st);
    dev = Math.max(dev, Math.abs(conservedEnergyEv(st) - e0));
  }
  return { st, r0, devPerAtom: dev / s.species.length };
}

test('selective dynamics (axis-aligned cell): fixed atoms and components stay put, NVE conserves energy, N_f = 3N − fixed', () => {
  const s = poscar(base);
  const { st, r0, devPerAtom } = run(velocityVerlet(lj, { timestepFs: 4 }), s, 250);
  for (let i = 0; i < 8; i++) for (let d = 0; d < 3; d++) assert.equal(st.positions[3 * i + d], r0[3 * i + d], `atom ${i} (F F F) moved`);
  for (let i = 8; i < 12; i++) {
    assert.equal(st.positions[3 * i + 2], r0[3 * i + 2], `atom ${i} (T T F) moved along z`);
    assert.ok(Math.abs(st.positions[3 * i] - r0[3 * i]) > 1e-3, `atom ${i} should move in x`);
  }
  assert.ok(Math.abs(st.positions[3 * 20] - r0[3 * 20]) > 1e-3, 'a free atom should move');
  const free = run(velocityVerlet(lj, { timestepFs: 4 }), base, 250).devPerAtom;
  assert.ok(devPerAtom < 2e-5 && devPerAtom < 5 * free, `NVE energy error ${devPerAtom} eV/atom with fixed atoms (${free} without)`);
  assert.equal(st.degreesOfFreedom, 3 * 32 - 24 - 4); // a fully fixed atom: no conserved momentum (dim C = 0)
  assert.ok(st.velocities.subarray(0, 24).every((x) => x === 0));
  // constraints: null ignores them, and the same run moves the fixed atoms
  const ignored = velocityVerlet(lj, { timestepFs: 4 }).init(s, { temperatureK: 80, seed: 1, constraints: null });
  assert.equal(ignored.degreesOfFreedom, 93);
});

test('fixed fractional coordinates in a skewed cell: s_d stays constant, the atom moves in the other lattice directions, energy conserved', () => {
  // the same periodic crystal described by a sheared cell (a3' = a1 + a3): fixing s_1 fixes x − z, not x
  const L = 10.6;
  const skew = [L, 0, 0, 0, L, 0, L, 0, L];
  const flags = (i: number) => (i < 6 ? 'F T T' : i < 9 ? 'T F F' : 'T T T');
  const s = poscar(base, skew, flags);
  const c = constraintsFromStructure(s)!;
  assert.equal(c.basis, 'fractional');
  const { st, r0, devPerAtom } = run(velocityVerlet(lj, { timestepFs: 4 }), s, 250);
  const inv = inv3(skew);
  const frac = (r: ArrayLike<number>, i: number, d: number) => r[3 * i] * inv[d] + r[3 * i + 1] * inv[3 + d] + r[3 * i + 2] * inv[6 + d];
  for (let i = 0; i < 6; i++) {
    assert.ok(Math.abs(frac(st.positions, i, 0) - frac(r0, i, 0)) < 1e-12, `atom ${i}: fixed s_1 changed by ${frac(st.positions, i, 0) - frac(r0, i, 0)}`);
    assert.ok(Math.abs(st.positions[3 * i] - r0[3 * i]) > 1e-3, `atom ${i} should move along x (with z, keeping x − z)`);
  }
  for (let i = 6; i < 9; i++) for (const d of [1, 2]) assert.ok(Math.abs(frac(st.positions, i, d) - frac(r0, i, d)) < 1e-12);
  assert.ok(devPerAtom < 2e-5, `NVE energy error ${devPerAtom} eV/atom (an oblique projection would do work)`);
  assert.equal(st.degreesOfFreedom, 96 - 6 - 6); // fixed flags: 6 + 6; C = {0} (every lattice direction is fixed somewhere)
});

test('temperature counts the constrained degrees of freedom: Langevin and Bussi equipartition at the target', () => {
  const s = poscar(base);
  for (const md of [langevin(lj, { timestepFs: 5, temperatureK: 60, frictionPerFs: 0.02 }), bussi(lj, { timestepFs: 5, temperatureK: 60, tauFs: 50 })]) {
    const st = md.init(s, { temperatureK: 60, seed: 7 });
    assert.equal(st.degreesOfFreedom, 68);
    for (let k = 0; k < 200; k++) md.step(st);
    const blocks: number[] = [];
    let bT = 0;
    for (let k = 1; k <= 2000; k++) {
      md.step(st);
      bT += temperatureK(st);
      if (k % 100 === 0) { blocks.push(bT / 100); bT = 0; }
    }
    for (let i = 0; i < 24; i++) assert.ok(st.velocities[i] === 0, `fixed velocity component ${i} = ${st.velocities[i]}`);
    const mean = blocks.reduce((a, b) => a + b, 0) / blocks.length;
    const err = Math.sqrt(blocks.reduce((a, b) => a + (b - mean) ** 2, 0) / (blocks.length - 1) / blocks.length);
    // counting 3N − 3 instead of 68 would read 60 × 68/93 = 44 K
    assert.ok(Math.abs(mean - 60) < Math.max(4 * err, 2.5), `${md.name}: mean T ${mean.toFixed(2)} ± ${err.toFixed(2)} K, target 60 K`);
  }
});

test('move_mask (ASE FixCartesian): 2-D motion keeps x, y momentum; N_f = 3N − N − 2 with Bussi; given velocities are projected', () => {
  const n = base.species.length;
  const mask = new Uint8Array(3 * n);
  for (let i = 0; i < n; i++) mask[3 * i] = mask[3 * i + 1] = 1;
  const s: Structure = { ...base, arrays: { move_mask: { type: 'L', width: 3, data: mask } } };
  const md = bussi(lj, { timestepFs: 5, temperatureK: 60, tauFs: 50 });
  const st = md.init(s, { temperatureK: 60, seed: 3 });
  assert.equal(st.degreesOfFreedom, 3 * n - n - 2);
  for (let k = 0; k < 200; k++) md.step(st);
  const p = totalMomentum(st.masses, st.velocities);
  assert.ok(Math.hypot(p[0], p[1]) < 1e-10 && p[2] === 0, `momentum ${Array.from(p)}`);
  for (let i = 0; i < n; i++) assert.equal(st.positions[3 * i + 2], base.positions[3 * i + 2]);
  const v = new Float64Array(3 * n).fill(0.01);
  const st2 = md.init(s, { velocities: v });
  for (let i = 0; i < n; i++) assert.deepEqual(Array.from(st2.velocities.subarray(3 * i, 3 * i + 3)), [0.01, 0.01, 0]);
});

test('refusals: barostat with fixed coordinates, everything fixed, malformed flags', () => {
  const s = poscar(base);
  const npt = bussi(lj, { timestepFs: 5, temperatureK: 60, barostat: { pressureGpa: 0, tauFs: 500, compressibilityPerGpa: 0.5 } });
  assert.throws(() => npt.init(s), (e: unknown) => e instanceof FarfieldError && e.code === 'UNSUPPORTED' && /barostat cannot be combined with fixed coordinates \(28 fixed by selective dynamics\)/.test(e.message));
  npt.init(s, { constraints: null }); // explicitly ignored: fine
  const all = poscar(base, base.cell, () => 'F F F');
  assert.throws(() => velocityVerlet(lj, { timestepFs: 1 }).init(all), /every degree of freedom is fixed/);
  const wrong: Structure = { ...base, arrays: { move_mask: { type: 'R', width: 3, data: new Float64Array(96) } } };
  assert.throws(() => velocityVerlet(lj, { timestepFs: 1 }).init(wrong), /'move_mask' must be logical with 1 or 3 columns/);
  assert.throws(() => velocityVerlet(lj, { timestepFs: 1 }).init(base, { constraints: { basis: 'cartesian', moveMask: [1, 0] } }), /2 move flags for 32 atoms/);
});

test('the degrees of freedom agree with ASE (3N − Σ removed) for FixAtoms and FixCartesian (extxyz move_mask) and FixScaled (POSCAR)', { skip: skipWithoutAse() }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-md-cons-'));
  try {
    const out = runPython(`
import sys, numpy as np
from ase import Atoms
from ase.constraints import FixAtoms, FixCartesian, FixScaled
import ase.io
d = sys.argv[1]
rng = np.random.default_rng(1)
cell = np.array([[10.6, 0, 0], [0.8, 10.2, 0], [1.1, -0.7, 9.9]])
a = Atoms('Ar32', scaled_positions=rng.random((32, 3)), cell=cell, pbc=True)
def dof(at):
    return 3 * len(at) - sum(c.get_removed_dof(at) for c in at.constraints)
a.set_constraint(FixAtoms(indices=[0, 3, 5]))
ase.io.write(d + '/fa.xyz', a, format='extxyz', columns=['symbols', 'positions', 'move_mask'])
print(dof(a))
a.set_constraint([FixCartesian(i, mask=[(i % 2) == 0, False, i < 4]) for i in range(8)])
ase.io.write(d + '/fc.xyz', a, format='extxyz', columns=['symbols', 'positions', 'move_mask'])
print(dof(a))
a.set_constraint([FixScaled(a.cell, i, [i < 3, i % 3 == 1, False]) for i in range(6)])
ase.io.write(d + '/POSCAR', a, format='vasp')
print(dof(a))
`, [dir]);
    const aseDof = out.trim().split('\n').map(Number);
    const ours = ['fa.xyz', 'fc.xyz', 'POSCAR'].map((f) => {
      const s = readStructures(join(dir, f))[0];
      return langevin(lj, { timestepFs: 1, temperatureK: 10 }).init(s).degreesOfFreedom; // Langevin: no momentum removed, as ASE counts
    });
    assert.deepEqual(ours, aseDof);
    assert.equal(constraintsFromStructure(readStructures(join(dir, 'POSCAR'))[0])!.basis, 'fractional');
    assert.equal(constraintsFromStructure(readStructures(join(dir, 'fc.xyz'))[0])!.basis, 'cartesian');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
