/**
 * The page's model list (web/index.html, section Fit): every checkbox names a model that the worker's compare
 * (api/compare.ts) accepts — a descriptor preset or a learned-charge kind — and the learned-charge kinds sr+q, sr+lr+q
 * and sr+qeq are offered (sr+lr+qeq is not: fitted on the page's toy-8 data its QEq matrix turns indefinite on a test
 * frame, so compare stops with that error — on main as on this branch).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHARGE_MODEL_KINDS } from '../../src/api/modelKinds.js';
import { DESCRIPTOR_PRESETS } from '../../src/api/describe.js';
import { REPO_ROOT } from '../helpers/paths.js';

test('web page: the model checkboxes are known kinds, and the learned-charge kinds sr+q, sr+lr+q, sr+qeq are offered', () => {
  const html = readFileSync(join(REPO_ROOT, 'web', 'index.html'), 'utf8');
  const offered = [...html.matchAll(/<input type="checkbox" name="model" value="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(offered.length > 0, 'the page has model checkboxes');
  for (const m of offered) assert.ok(DESCRIPTOR_PRESETS[m] || CHARGE_MODEL_KINDS[m], `checkbox '${m}' is not a model compare knows`);
  for (const k of ['sr+q', 'sr+lr+q', 'sr+qeq']) assert.ok(offered.includes(k), `learned-charge kind '${k}' is not offered`);
});
