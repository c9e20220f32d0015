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
  /** electrostatics: the learned-charge models (sr+q) compose a charge model with a solver (DESIGN.md). */
  model: ['core', 'math', 'geometry', 'electrostatics', 'descriptors'],
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
const INDEX_ONLY_FOR: Record<string, string[]> = { model: ['descriptors', 'electrostatics'] };

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
