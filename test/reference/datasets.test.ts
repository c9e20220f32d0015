/**
 * Integrity of the committed datasets (data/README.md): every labelled NaCl frame has energy, forces and a full stress,
 * 64 ions, passes the labelling quality gate (|Σ F|/N < 1e-3 eV/Å), names its CP2K method, and sits at exactly the
 * positions and cell of its `source_index` frame in data/configs (so the labels belong to the documented sampling).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readStructures } from '../../src/host/index.js';
import { netForcePerAtom } from '../../src/reference/index.js';
import { REPO_ROOT } from '../helpers/paths.js';

/** [set, label method, configs file, stride]: frame k of the set is configs frame stride · source_index. */
const SETS: [string, string, string, number][] = [
  ['nacl-liquid-xtb', 'cp2k-gfn1-xtb', 'nacl-liquid-xtb', 1],
  ['nacl-rocksalt-xtb', 'cp2k-gfn1-xtb', 'nacl-rocksalt-xtb', 1],
  ['nacl-liquid-pbe', 'cp2k-pbe', 'nacl-liquid-pbe', 1],
  ['nacl-rocksalt-pbe', 'cp2k-pbe', 'nacl-rocksalt-xtb', 8], // every 8th rock-salt configuration (`convert --index ::8`)
];

for (const [name, method, configsName, stride] of SETS) {
  const file = join(REPO_ROOT, 'data', `${name}.xyz`);
  test(`data/${name}.xyz: labels complete, quality gate, provenance`, { skip: existsSync(file) ? false : `data/${name}.xyz not (yet) labelled` }, () => {
    const frames = readStructures(file);
    const configs = readStructures(join(REPO_ROOT, 'data', 'configs', `${configsName}-configs.xyz`));
    assert.ok(frames.length > 0);
    const seen = new Set<number>();
    for (const s of frames) {
      assert.equal(s.species.length, 64);
      assert.equal(s.info.label_method, method);
      assert.ok(Number.isFinite(s.labels.energyEv));
      assert.equal(s.labels.forcesEvPerA?.length, 192);
      assert.equal(s.labels.stressEvPerA3?.length, 9);
      assert.ok(netForcePerAtom(s.labels.forcesEvPerA!) < 1e-3);
      const k = s.info.source_index as number;
      assert.ok(Number.isInteger(k) && !seen.has(k), `source_index ${k}`);
      seen.add(k);
      assert.deepEqual(Array.from(s.positions), Array.from(configs[stride * k].positions));
      assert.deepEqual(Array.from(s.cell), Array.from(configs[stride * k].cell));
    }
  });
}

/**
 * [MD set, single-point set, configs file]: CP2K's own GFN1-xTB MD from configs frame `source_index` (scripts/data/xtb-md.ts).
 * Frame 0 is that start configuration: its MD energy and forces (CP2K's step 0, converted from Hartree and Hartree/Bohr)
 * must equal the single-point label of the same configuration, computed separately by `farfield label` — a check of the
 * conversion and of the MD's force field against the labels, by two independent CP2K runs.
 */
const MD_SETS: [string, string, string][] = [
  ['nacl-liquid-xtb-md', 'nacl-liquid-xtb', 'nacl-liquid-xtb'],
  ['nacl-rocksalt-xtb-md', 'nacl-rocksalt-xtb', 'nacl-rocksalt-xtb'],
];

for (const [name, spName, configsName] of MD_SETS) {
  const file = join(REPO_ROOT, 'data', `${name}.xyz`);
  test(`data/${name}.xyz: CP2K MD from its start configuration; step 0 = the single-point label`, { skip: existsSync(file) ? false : `data/${name}.xyz not made` }, () => {
    const frames = readStructures(file);
    const k = frames[0].info.source_index as number;
    const start = readStructures(join(REPO_ROOT, 'data', 'configs', `${configsName}-configs.xyz`))[k];
    const sp = readStructures(join(REPO_ROOT, 'data', `${spName}.xyz`)).find((s) => s.info.source_index === k);
    assert.ok(start && sp, `source_index ${k}`);
    assert.equal(frames[0].info.step, 0);
    for (let i = 0; i < 192; i++) assert.ok(Math.abs(frames[0].positions[i] - start.positions[i]) < 2e-6, `position ${i}`);
    assert.ok(Math.abs(frames[0].labels.energyEv! - sp.labels.energyEv!) / 64 < 1e-6, 'step-0 energy = single point');
    for (let i = 0; i < 192; i++) assert.ok(Math.abs(frames[0].labels.forcesEvPerA![i] - sp.labels.forcesEvPerA![i]) < 1e-5, `step-0 force ${i}`);
    frames.forEach((s, j) => {
      assert.equal(s.info.label_method, 'cp2k-gfn1-xtb-md');
      assert.equal(s.info.config_type, `${start.info.config_type}-xtb-md`);
      assert.equal(s.info.step, 10 * j);
      assert.deepEqual(Array.from(s.cell), Array.from(start.cell));
      assert.equal(s.labels.forcesEvPerA?.length, 192);
      assert.ok(netForcePerAtom(s.labels.forcesEvPerA!) < 1e-3);
    });
  });
}
