/**
 * Proves the `md` option of the CP2K input writer (src/reference/cp2k/input.ts): the MD run uses exactly the
 * force-field block of the single-point labels (same &DFT and &SUBSYS text), switches RUN_TYPE to MD with an NVT CSVR
 * thermostat, drops the stress, resumes through &EXT_RESTART, and rejects bad parameters.
 * With cp2k.psmp installed (CI skips): a 2-step CP2K MD of an 8-ion cell prints, at step 0, the same forces as the
 * single-point run of the same structure once its `cp2k-frc-1.xyz` values are read as Hartree/Bohr — the unit
 * assumption scripts/data/xtb-md.ts relies on — and the same energy (Hartree) in the comment line of `cp2k-pos-1.xyz`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BOHR_A, HARTREE_EV, makeStructure, type Structure } from '../../src/core/index.js';
import { cp2kAvailable, cp2kInput, parseCp2kOutput, runCp2k, type Cp2kMdOptions } from '../../src/reference/cp2k/index.js';

const SKIP = cp2kAvailable() ? false : 'cp2k.psmp not installed: skipping the CP2K MD unit check';

function nacl8(): Structure {
  const a = 5.64;
  const fcc = [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]];
  const symbols: string[] = [], pos: number[] = [];
  for (const f of fcc) { symbols.push('Na'); pos.push(f[0] * a, f[1] * a, f[2] * a); }
  for (const f of fcc) { symbols.push('Cl'); pos.push(((f[0] + 0.5) * a) % a, f[1] * a, f[2] * a); }
  const disp = [0.12, -0.05, 0.08, -0.1, 0.07, 0.02, 0.03, 0.11, -0.09, -0.06, -0.04, 0.1, 0.05, 0.09, -0.02, -0.08, 0.02, 0.06, 0.1, -0.11, 0.04, -0.03, 0.05, -0.12];
  for (let k = 0; k < 24; k++) pos[k] += disp[k];
  return makeStructure({ symbols, positions: pos, cell: [a, 0, 0, 0, a, 0, 0, 0, a] });
}

const MD: Cp2kMdOptions = { steps: 3000, timestepFs: 2, temperatureK: 1200, thermostatTimeConstantFs: 100, seed: 7, printEvery: 10 };

function block(text: string, name: string): string {
  const m = new RegExp(`\\n(\\s*)&${name}\\b[\\s\\S]*?\\n\\1&END ${name}`).exec(text);
  assert.ok(m, `no &${name} block`);
  return m[0];
}

test('md option: same force field as the single point, NVT CSVR MD settings, no stress', () => {
  const s = nacl8();
  const sp = cp2kInput(s, { method: 'gfn1-xtb' });
  const md = cp2kInput(s, { method: 'gfn1-xtb', md: MD });
  assert.equal(block(md, 'DFT'), block(sp, 'DFT'));
  assert.equal(block(md, 'SUBSYS'), block(sp, 'SUBSYS'));
  assert.match(sp, /RUN_TYPE ENERGY_FORCE/);
  assert.doesNotMatch(sp, /&MOTION|SEED/);
  assert.match(md, /RUN_TYPE MD\n/);
  assert.match(md, /SEED 7\n/);
  assert.doesNotMatch(md, /STRESS_TENSOR|RUN_TYPE ENERGY_FORCE|EXT_RESTART/);
  const mdBlock = block(md, 'MD');
  assert.match(mdBlock, /ENSEMBLE NVT/);
  assert.match(mdBlock, /STEPS 3000\n/);
  assert.match(mdBlock, /TIMESTEP 2\n/);
  assert.match(mdBlock, /TEMPERATURE 1200\n/);
  assert.match(mdBlock, /TYPE CSVR/);
  assert.match(mdBlock, /TIMECON 100\n/);
  const print = block(block(md, 'MOTION'), 'PRINT');
  for (const key of ['TRAJECTORY', 'FORCES', 'RESTART']) assert.match(block(print, key), /&EACH\s+MD 10\s+&END EACH/, key);
  // &MOTION is a top-level section after &FORCE_EVAL.
  assert.ok(md.indexOf('&END FORCE_EVAL') < md.indexOf('&MOTION'));
  const again = cp2kInput(s, { method: 'gfn1-xtb', md: { ...MD, restartFile: 'cp2k-1.restart' } });
  assert.match(again, /&EXT_RESTART\n\s+RESTART_FILE_NAME cp2k-1\.restart\n&END EXT_RESTART/);
});

test('md option: bad parameters are refused', () => {
  const s = nacl8();
  for (const bad of [{ steps: 0 }, { steps: 2.5 }, { printEvery: -1 }, { timestepFs: 0 }, { temperatureK: Number.NaN },
    { thermostatTimeConstantFs: -5 }, { seed: 0 }])
    assert.throws(() => cp2kInput(s, { method: 'gfn1-xtb', md: { ...MD, ...bad } }), /CP2K MD: \w+ must be/);
});

test('CP2K MD prints step-0 forces in Hartree/Bohr and the energy in Hartree, equal to the single point', { skip: SKIP, timeout: 120_000 }, async () => {
  const work = mkdtempSync(join(tmpdir(), 'farfield-cp2k-md-'));
  try {
    const s = nacl8();
    const spDir = join(work, 'sp'), mdDir = join(work, 'md');
    mkdirSync(spDir);
    mkdirSync(mdDir);
    writeFileSync(join(spDir, 'in.inp'), cp2kInput(s, { method: 'gfn1-xtb', epsScf: 1e-8 }));
    writeFileSync(join(mdDir, 'in.inp'), cp2kInput(s, { method: 'gfn1-xtb', epsScf: 1e-8, md: { ...MD, steps: 2, printEvery: 1 } }));
    assert.equal((await runCp2k(spDir, 'in.inp', 'out.out', { np: 1 })).exitCode, 0);
    assert.equal((await runCp2k(mdDir, 'in.inp', 'out.out', { np: 1 })).exitCode, 0);
    const ref = parseCp2kOutput(readFileSync(join(spDir, 'out.out'), 'utf8'));
    const frc = readFileSync(join(mdDir, 'cp2k-frc-1.xyz'), 'utf8').split('\n');
    const pos = readFileSync(join(mdDir, 'cp2k-pos-1.xyz'), 'utf8').split('\n');
    assert.equal(frc[0].trim(), '8');
    assert.match(frc[1], /i =\s+0,/);
    const eHa = Number(/E =\s*(\S+)/.exec(pos[1])![1]);
    assert.ok(Math.abs(eHa * HARTREE_EV - ref.energyEv) < 1e-5, `MD energy ${eHa * HARTREE_EV} eV vs single point ${ref.energyEv} eV`);
    let maxDiff = 0, maxF = 0;
    for (let i = 0; i < 8; i++) {
      const t = frc[2 + i].trim().split(/\s+/);
      assert.equal(t[0], s.symbols[s.species[i]]);
      for (let c = 0; c < 3; c++) {
        const f = (Number(t[1 + c]) * HARTREE_EV) / BOHR_A;
        maxDiff = Math.max(maxDiff, Math.abs(f - ref.forcesEvPerA[3 * i + c]));
        maxF = Math.max(maxF, Math.abs(ref.forcesEvPerA[3 * i + c]));
      }
    }
    assert.ok(maxF > 0.1, 'displaced cell has sizeable forces');
    assert.ok(maxDiff < 1e-4, `MD step-0 forces differ from the single point by ${maxDiff} eV/Å`);
    // Positions of step 0 are the input positions, in Å.
    const p0 = pos[2].trim().split(/\s+/).slice(1).map(Number);
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(p0[c] - s.positions[c]) < 1e-6);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
