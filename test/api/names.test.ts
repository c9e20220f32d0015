/**
 * api/names.ts restates, as plain lists, names defined in the heavy api modules (so the CLI's help does not load
 * them): each list must equal its source, and the module must stay import-free (the point of it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as api from '../../src/api/index.js';
import * as names from '../../src/api/names.js';
import { REPO_ROOT } from '../helpers/paths.js';

test('api/names lists equal the definitions they restate', () => {
  assert.deepEqual([...names.DESCRIPTOR_PRESET_NAMES], Object.keys(api.DESCRIPTOR_PRESETS));
  assert.deepEqual([...names.CHARGE_MODEL_KIND_NAMES], Object.keys(api.CHARGE_MODEL_KINDS));
  assert.deepEqual([...names.THERMOSTAT_NAMES], [...api.THERMOSTATS]);
  assert.deepEqual([...names.SCHEDULER_NAMES], [...api.SCHEDULERS]);
  assert.deepEqual([...names.REFERENCE_LABEL_ENGINE_NAMES], [...api.REFERENCE_LABEL_ENGINES]);
  assert.deepEqual({ ...names.REFERENCE_LABEL_ENGINE_HELP }, { ...api.REFERENCE_LABEL_ENGINE_INFO });
  assert.deepEqual([...names.LABEL_ENGINE_NAMES], [...api.LABEL_ENGINES]);
  assert.deepEqual([...names.LEARN_ENGINE_NAMES], [...api.LEARN_ENGINES]);
  assert.deepEqual([...names.MD_CALCULATOR_NAMES], Object.keys(api.MD_CALCULATORS));
  assert.deepEqual([...names.IPI_UNIT_NAMES], Object.keys(api.IPI_UNITS));
  assert.deepEqual([...names.FORMAT_NAMES], api.formatNames());
});

test('api/names imports nothing', () => {
  const src = readFileSync(join(REPO_ROOT, 'src', 'api', 'names.ts'), 'utf8');
  assert.doesNotMatch(src, /^\s*(import|export\s[^;]*\sfrom)\s/m);
});

test('api/names: the compare defaults and label targets equal api/compare.ts', () => {
  assert.deepEqual([...names.LABEL_TARGET_NAMES], [...api.LABEL_TARGETS]);
  const d = names.COMPARE_DEFAULTS;
  assert.deepEqual(
    { models: [...d.models], trainSizes: [...d.trainSizes], lodeWeights: [...d.lodeWeights], lrWeights: [...d.lrWeights], chargeWidths: [...d.chargeWidths], chargeForceWeights: [...d.chargeForceWeights] },
    { models: api.DEFAULT_MODELS, trainSizes: api.DEFAULT_TRAIN_SIZES, lodeWeights: api.DEFAULT_LODE_WEIGHTS, lrWeights: api.DEFAULT_LR_WEIGHTS, chargeWidths: api.DEFAULT_CHARGE_WIDTHS, chargeForceWeights: api.DEFAULT_CHARGE_FORCE_WEIGHTS },
  );
});
