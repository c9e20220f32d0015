/**
 * Cross-check with pymatgen 2022.11.7 EwaldSummation (acc_factor = 14, i.e. ~e⁻¹⁴ ≈ 1e-6 relative) on the shared
 * fixtures (../shared/fixtures/README.md): energy and forces of formal point charges, by Ewald and PME at 1e-6.
 * Tolerances: energy 1e-6 relative, forces 1e-5 × k_e absolute (pymatgen's own accuracy is the limit).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COULOMB_EV_A } from '../../src/core/index.js';
import { ElectrostaticsCalculator } from '../../src/electrostatics/index.js';
import { readXyz } from '../../src/host/index.js';
import { sharedPath, skipWithoutShared } from '../helpers/paths.js';

for (const file of ['nacl-melt-64.xyz', 'zro-triclinic-24.xyz']) {
  for (const method of ['ewald', 'pme'] as const) {
    test(`${file}: ${method} agrees with pymatgen`, { skip: skipWithoutShared() }, () => {
      const [s] = readXyz(sharedPath('fixtures', file));
      const calc = new ElectrostaticsCalculator({ charges: { array: 'charges_formal' }, method, accuracy: 1e-7 });
      const r = calc.calculate(s);
      const E = Number(s.info.coulomb_energy_pymatgen);
      assert.ok(Math.abs(r.energyEv - E) < 1e-6 * Math.abs(E), `energy ${r.energyEv} vs pymatgen ${E}`);
      const f = s.arrays.coulomb_forces_pymatgen;
      assert.ok(f && f.type === 'R');
      let worst = 0;
      for (let k = 0; k < f.data.length; k++) worst = Math.max(worst, Math.abs(r.forcesEvPerA![k] - f.data[k]));
      assert.ok(worst < 1e-5 * COULOMB_EV_A, `max force difference ${worst} eV/Å`);
    });
  }
}
