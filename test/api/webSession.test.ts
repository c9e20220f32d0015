/**
 * The browser page's MD session (api/web.ts startMdSession) uses the same blow-up guard as `farfield md`: the
 * issue-13 run (Fumi–Tosi NaCl, NVE, 20 fs, 1200 K) stops with MdBlowUpError instead of running to ~1e23 K, and the
 * same start at 2 fs runs on without tripping it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startMdSession } from '../../src/api/web.js';
import { MdBlowUpError } from '../../src/md/index.js';
import { fumiTosiNaCl } from '../../src/reference/index.js';
import { readStructures } from '../../src/host/index.js';
import { sharedPath, skipWithoutShared } from '../helpers/paths.js';

test('web MD session: an unstable run stops with MdBlowUpError; a sound one does not', { skip: skipWithoutShared() }, () => {
  const start = readStructures(sharedPath('fixtures', 'nacl-melt-64.xyz'))[0];
  const bad = startMdSession(fumiTosiNaCl(), start, { timestepFs: 20, temperatureK: 1200, thermostat: 'nve', seed: 1 });
  assert.throws(() => bad.advance(300), (e: unknown) => e instanceof MdBlowUpError && /reduce the time step/.test(e.message));
  assert.ok(bad.state.step < 300);
  const ok = startMdSession(fumiTosiNaCl(), start, { timestepFs: 2, temperatureK: 1200, thermostat: 'nve', seed: 1 });
  const rec = ok.advance(60);
  assert.ok(Number.isFinite(rec.temperatureK) && rec.temperatureK < 5000);
});
