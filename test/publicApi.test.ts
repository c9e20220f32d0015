/**
 * The package root's public surface (src/index.ts) is an explicit list. This test pins the sorted names of its runtime
 * exports: CHANGING THE PUBLIC SURFACE MEANS EDITING `PUBLIC_RUNTIME_EXPORTS` BELOW ON PURPOSE (and saying so in the
 * commit message). It also checks that every name the documentation imports from 'farfield' — README.md's "Library"
 * table and `import { … } from 'farfield'` lines in README.md and docs/*.md — is exported, and that helpers which are
 * deliberately internal (plots, 3×3 matrices, name suggestions, progress internals) stay out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as farfield from '../src/index.js';
import { REPO_ROOT } from './helpers/paths.js';

const PUBLIC_RUNTIME_EXPORTS = [
  'AMU_EV_FS2_PER_A2', 'BOHR_A', 'BOLTZMANN_EV_PER_K', 'COULOMB_EV_A', 'ComputeContext', 'DESCRIPTOR_PRESETS',
  'EV_PER_A3_IN_GPA', 'EV_PER_A3_IN_KBAR', 'ElectrostaticsCalculator', 'ElectrostaticsWorkspace', 'FarfieldError',
  'HARTREE_EV', 'KernelModel', 'RigidIonCalculator', 'analyzeRdf', 'atomSymbols', 'atomicMassAmu', 'buckinghamZrO2',
  'cloneStructure', 'compareModels', 'computeElectrostatics', 'convertFile', 'convertInputs', 'coulombKernel',
  'createDescriptor', 'describeFile', 'describeStructure', 'evaluateFile', 'evaluateModel', 'ewaldStructure', 'fitModel',
  'fourierKernel', 'fumiTosiNaCl', 'gaussianChargeKernel', 'generateToyDataset', 'isFarfieldError', 'labelFile',
  'loadCalculator', 'loadInputs', 'loadModel', 'loadStructures', 'madelungTable', 'makeStructure', 'parseModel',
  'pointCharges', 'predictFile', 'predictStructure', 'predictStructures', 'readFeaturesBin', 'readFrameAt', 'readFrames',
  'readStructures', 'referenceCalculator', 'relabelStructures', 'resolveInputs', 'runDriver', 'runEwald',
  'runMolecularDynamics', 'saveModel', 'saveStructures', 'serializeModel', 'setIoWarningHandler', 'speciesCounts',
  'strained', 'summarizeDataset', 'tuneElectrostatics', 'validateStructure', 'volumeA3', 'withPositions', 'writeStructures',
];

const exported = new Set(Object.keys(farfield));

test('publicApi: the runtime exports of src/index.ts are exactly the pinned list', () => {
  assert.deepEqual([...exported].sort(), [...PUBLIC_RUNTIME_EXPORTS].sort());
  assert.deepEqual(PUBLIC_RUNTIME_EXPORTS, [...PUBLIC_RUNTIME_EXPORTS].sort(), 'keep the pinned list sorted');
});

test('publicApi: internal helpers stay out of the package root', () => {
  for (const name of ['mat3', 'inv3', 'det3', 'levenshtein', 'closestName', 'didYouMean', 'noProgress', 'linePlot',
    'parityPlot', 'histogramPlot', 'PALETTE', 'resultsTable', 'renderCompareHtml', 'writeTextAtomic', 'Registry'])
    assert.ok(!exported.has(name), `${name} is internal and must not be exported from the package root`);
});

test('publicApi: the contracts are reachable from the package root', () => {
  for (const name of ['makeStructure', 'FarfieldError', 'createDescriptor', 'KernelModel', 'ElectrostaticsCalculator',
    'computeElectrostatics', 'tuneElectrostatics', 'coulombKernel', 'fumiTosiNaCl', 'pointCharges', 'readStructures'])
    assert.ok(exported.has(name), `${name} missing from the package root`);
  assert.equal(typeof farfield.KernelModel, 'function');
  assert.equal(typeof farfield.ElectrostaticsCalculator, 'function');
});

/** Backticked identifiers in the first column of README's "## Library" table. */
function readmeLibraryNames(): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Library');
  assert.ok(start >= 0, 'README.md has a "## Library" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const names: string[] = [];
  for (const line of section.split('\n')) {
    const cells = line.split('|');
    if (cells.length < 3 || /^\s*-+\s*$/.test(cells[1]) || /^\s*verb\s*$/.test(cells[1])) continue;
    for (const m of cells[1].matchAll(/`([A-Za-z_$][\w$]*)`/g)) names.push(m[1]);
  }
  return names;
}

/** Names in `import { … } from 'farfield'` statements of README.md and docs/*.md. */
function documentedImports(): { file: string; name: string }[] {
  const files = ['README.md', ...readdirSync(join(REPO_ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];
  const out: { file: string; name: string }[] = [];
  for (const file of files) {
    const text = readFileSync(join(REPO_ROOT, file), 'utf8');
    for (const m of text.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'farfield'/g))
      for (const part of m[1].split(',')) {
        const name = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0];
        if (name) out.push({ file, name });
      }
  }
  return out;
}

test('publicApi: every verb in README.md\'s Library table is exported', () => {
  const names = readmeLibraryNames();
  assert.ok(names.length >= 10, `found only ${names.length} names in the Library table`);
  for (const name of names) assert.ok(exported.has(name), `README Library table names '${name}', not exported by src/index.ts`);
});

test('publicApi: every runtime name the docs import from \'farfield\' is exported', () => {
  const imports = documentedImports();
  assert.ok(imports.length > 0);
  for (const { file, name } of imports) assert.ok(exported.has(name), `${file} imports '${name}' from 'farfield', not exported`);
});
