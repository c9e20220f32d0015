/**
 * Proves the layering of ../shared/DESIGN.md: imports flow downwards only. Scans every import specifier in src/
 * (dependency-free) and fails naming the offending file and import.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, dirname, sep } from 'node:path';
import { builtinModules } from 'node:module';
import { REPO_ROOT } from './helpers/paths.js';

const NODE_BUILTINS = new Set(builtinModules);

/** Which layers each layer may import (besides itself). */
export const ALLOWED: Record<string, string[]> = {
  core: [],
  math: ['core'],
  io: ['core'],
  geometry: ['core', 'math'],
  electrostatics: ['core', 'math', 'geometry'],
  descriptors: ['core', 'math', 'geometry', 'electrostatics'],
  model: ['core', 'math', 'geometry', 'descriptors'],
  reference: ['core', 'math', 'geometry', 'electrostatics'],
  md: ['core', 'math', 'geometry'],
  analysis: ['core', 'math', 'geometry'],
  /** Host concerns (sockets now; files, processes later): beside api, over core only. */
  host: ['core'],
  api: ['core', 'math', 'io', 'geometry', 'electrostatics', 'descriptors', 'model', 'reference', 'md', 'analysis', 'host'],
  cli: ['api', 'core'],
  web: ['api', 'core'],
};
/** Numeric layers: they never import node:* (DESIGN.md: host concerns live in host/, io/, api/). */
export const NUMERIC = ['core', 'math', 'geometry', 'electrostatics', 'descriptors', 'model', 'md', 'analysis'];
/** Layers that may be imported only through their index.ts from other layers. */
const INDEX_ONLY_FOR: Record<string, string[]> = { model: ['descriptors'] };

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (/\.(ts|mts|tsx)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

export function importsOf(source: string): string[] {
  const specs: string[] = [];
  const re = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;
  for (let m = re.exec(source); m; m = re.exec(source)) specs.push(m[1] ?? m[2] ?? m[3]);
  return specs;
}

export function violations(srcRoot: string): string[] {
  const bad: string[] = [];
  for (const file of walk(srcRoot)) {
    const rel = relative(srcRoot, file);
    const layer = rel.split(sep)[0];
    if (!rel.includes(sep)) continue; // src/index.ts re-exports the public surface
    const allowed = ALLOWED[layer];
    if (!allowed) {
      bad.push(`${rel}: folder '${layer}' is not a layer of DESIGN.md`);
      continue;
    }
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      if (NUMERIC.includes(layer) && (spec.startsWith('node:') || NODE_BUILTINS.has(spec.split('/')[0])))
        bad.push(`${rel}: numeric layer '${layer}' may not import the Node built-in '${spec}'`);
      if (!spec.startsWith('.')) continue;
      const target = relative(srcRoot, resolve(dirname(file), spec));
      if (target.startsWith('..')) {
        bad.push(`${rel}: imports '${spec}' from outside src/`);
        continue;
      }
      const tLayer = target.split(sep)[0];
      if (tLayer === layer) continue;
      if (!allowed.includes(tLayer)) {
        bad.push(`${rel}: layer '${layer}' may not import '${tLayer}' ('${spec}')`);
        continue;
      }
      const indexOnly = INDEX_ONLY_FOR[layer] ?? [];
      const tRest = target.split(sep).slice(1).join('/');
      if (indexOnly.includes(tLayer) && !/^index(\.(js|ts))?$/.test(tRest))
        bad.push(`${rel}: '${layer}' must import '${tLayer}' through its index.ts, not '${spec}'`);
    }
  }
  return bad;
}

test('src/ imports follow the layering of DESIGN.md', () => {
  assert.deepEqual(violations(join(REPO_ROOT, 'src')), []);
});

test('the checker itself catches an upward import', () => {
  assert.deepEqual(importsOf(`import { a } from '../model/index.js';\nexport * from "./b.js";\nconst m = await import('../cli/x.js');`), [
    '../model/index.js',
    './b.js',
    '../cli/x.js',
  ]);
  assert.ok(!ALLOWED.core.includes('model'));
  assert.ok(!ALLOWED.md.includes('model'), 'md must see only the Calculator contract');
  assert.ok(!ALLOWED.host.includes('api') && ALLOWED.api.includes('host'), 'host sits below api');
});

test('the checker catches a Node built-in in a numeric layer and allows it in host/', () => {
  const root = mkdtempSync(join(tmpdir(), 'farfield-arch-'));
  try {
    mkdirSync(join(root, 'math'));
    mkdirSync(join(root, 'host'));
    writeFileSync(join(root, 'math', 'a.ts'), `import { readFileSync } from 'node:fs';\nimport { b } from 'os';\n`);
    writeFileSync(join(root, 'host', 'b.ts'), `import { connect } from 'node:net';\nimport { c } from '../core/index.js';\n`);
    assert.deepEqual(violations(root), [
      `math${sep}a.ts: numeric layer 'math' may not import the Node built-in 'node:fs'`,
      `math${sep}a.ts: numeric layer 'math' may not import the Node built-in 'os'`,
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

/**
 * The model binds its kernels from the descriptors' column metadata (issue 14): no model module may test a descriptor
 * kind by name. Flags, in src/model (comments stripped): string literals equal to a descriptor kind (`kind ===
 * 'angular'`, `['fkk', 'lode'].includes(…)`, `d.kind !== 'composite'`), regular expressions over a kind name
 * (`/^angular/`), and the former LINEAR_BLOCK_KINDS list.
 */
export function descriptorKindTests(modelRoot: string, kinds: readonly string[]): string[] {
  const bad: string[] = [];
  const escaped = kinds.map((k) => k.replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&'));
  const literal = new RegExp(`(['"\`])(${escaped.join('|')})\\1`, 'g');
  const regex = new RegExp(`/\\^?(${escaped.join('|')})\\b[^/\\n]*/[gimsuy]*\\.test\\(`, 'g');
  for (const file of walk(modelRoot)) {
    const rel = relative(modelRoot, file);
    const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
    for (const m of code.matchAll(literal)) bad.push(`${rel}: descriptor kind '${m[2]}' named in code (bind from column metadata)`);
    for (const m of code.matchAll(regex)) bad.push(`${rel}: label regex over descriptor kind '${m[1]}'`);
    if (/LINEAR_BLOCK_KINDS/.test(code)) bad.push(`${rel}: LINEAR_BLOCK_KINDS (declare linearity in the descriptor's column metadata)`);
  }
  return bad;
}

test('no model module tests a descriptor kind by name (kernels bind from column metadata)', async () => {
  const { DESCRIPTORS } = await import('../src/descriptors/index.js');
  const kinds = DESCRIPTORS.names();
  for (const k of ['radial', 'angular', 'sr', 'fkk', 'lode', 'lode-ms', 'composite']) assert.ok(kinds.includes(k), `registry has '${k}'`);
  assert.deepEqual(descriptorKindTests(join(REPO_ROOT, 'src', 'model'), kinds), []);
});

test('the descriptor-kind checker catches kind comparisons, kind lists and label regexes, not comments', () => {
  const root = mkdtempSync(join(tmpdir(), 'farfield-kinds-'));
  try {
    writeFileSync(join(root, 'a.ts'), [
      `// a comment may say kind === 'angular'`,
      `/** and so may 'fkk' in a doc comment */`,
      `const poly = d.kind === 'angular';`,
      `const lin = ['fkk', 'lode'].includes(b.kind);`,
      `if (d.kind !== "composite") return null;`,
      `const ang = /^angular/i.test(label);`,
      `export const LINEAR_BLOCK_KINDS = [];`,
      `const k = spec.kind === 'linear';`,
    ].join('\n'));
    assert.deepEqual(descriptorKindTests(root, ['angular', 'fkk', 'lode', 'composite']), [
      `a.ts: descriptor kind 'angular' named in code (bind from column metadata)`,
      `a.ts: descriptor kind 'fkk' named in code (bind from column metadata)`,
      `a.ts: descriptor kind 'lode' named in code (bind from column metadata)`,
      `a.ts: descriptor kind 'composite' named in code (bind from column metadata)`,
      `a.ts: label regex over descriptor kind 'angular'`,
      `a.ts: LINEAR_BLOCK_KINDS (declare linearity in the descriptor's column metadata)`,
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
