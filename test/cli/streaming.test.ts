/**
 * Streaming input (issue 13 item 11): ewald, describe, predict, eval and md read their input frame by frame, so a
 * file larger than what can be read whole works. Proven with a deliberately small whole-file limit
 * (FARFIELD_WHOLE_FILE_LIMIT = 4 kB) on a ~20 kB file: the streaming commands succeed and give the same numbers as
 * the in-memory API, a whole-file command (fit) gets a clear error instead of V8's "Cannot create a string longer".
 * The 1 GB measurement (peak RSS) is bench/streaming.bench.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateModel, loadModel, loadStructures, predictStructures } from '../../src/api/index.js';
import { runCliEnv } from '../helpers/cli.js';
import { writeSmallSet, writeTinyModel } from '../helpers/tinyModel.js';

test('ewald, describe, predict, eval, md stream a file larger than the whole-file limit; fit says clearly it cannot', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-stream-'));
  try {
    const small = writeSmallSet(dir, 3);
    assert.ok(statSync(small).size > 4 * 4096);
    const model = await writeTinyModel(dir);
    const env = { FARFIELD_WHOLE_FILE_LIMIT: '4096' };
    const run = (args: string[]) => {
      const r = runCliEnv(args, env);
      assert.equal(r.code, 0, `${args[0]}: ${r.err}`);
      return r;
    };
    const e = JSON.parse(run(['ewald', small, '--charges', 'Na=1,Cl=-1', '--frame', '2', '--json']).out);
    assert.equal(e.forces.length, 64);
    const d = JSON.parse(run(['describe', small, '--frame', '-1', '--json']).out);
    assert.equal(d.rows, 64);
    run(['predict', model, small, '-o', join(dir, 'pred.xyz')]);
    const frames = loadStructures(small).structures;
    const m = loadModel(model);
    const pred = loadStructures(join(dir, 'pred.xyz')).structures;
    const ref = predictStructures(m, frames, { uncertainty: true });
    assert.equal(pred.length, 3);
    for (let k = 0; k < 3; k++) assert.ok(Math.abs(pred[k].labels.energyEv! - ref[k].labels.energyEv!) < 1e-6);
    const ev = JSON.parse(run(['eval', model, small, '--json']).out);
    const evRef = evaluateModel(m, frames).summary;
    assert.equal(ev.n_structures, 3);
    assert.ok(Math.abs(ev.energy.rmse_meV_per_atom - evRef.energy!.rmse_meV_per_atom) < 1e-9);
    assert.ok(Math.abs(ev.forces.rmse_meV_per_A - evRef.forces!.rmse_meV_per_A) < 1e-9);
    run(['md', '--calculator', 'fumi-tosi', small, '--steps', '2', '--frame', '1', '--json']);
    const fit = runCliEnv(['fit', small, '-o', join(dir, 'm.json')], env);
    assert.equal(fit.code, 1);
    assert.match(fit.err, /small\.xyz: file of \d+ bytes is too large to read whole \(limit 4096 bytes\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
