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
