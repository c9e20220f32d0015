/**
 * Proves the layering of ../shared/DESIGN.md: imports flow downwards only, between folders only through a folder's
 * index.ts (or the api's browser surface), no node:* in the numerics and io, and the web page (web/) reaches no
 * node:* module. Scans every import specifier in src/ and web/ (dependency-free) and fails naming the offending
 * file and import.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
  /** Host concerns (files, sockets, the HTTP server; processes later): beside api, over core and io's formats. */
  host: ['core', 'io'],
  /** Presentation: results types, SVG plots, HTML pages (pure rendering, no imports). */
  report: [],
  api: ['core', 'math', 'io', 'geometry', 'electrostatics', 'descriptors', 'model', 'reference', 'md', 'analysis', 'host', 'report'],
  cli: ['api', 'core'],
  web: ['api', 'core', 'report'],
};
/** Layers that never import node:* (DESIGN.md: host concerns live in host/ and api/): the numerics, and io, which
 * parses and formats texts only (host/files.ts binds its formats to the file system). */
export const NUMERIC = ['core', 'math', 'io', 'geometry', 'electrostatics', 'descriptors', 'model', 'md', 'analysis'];
/** A folder's public surfaces for other folders: its index.ts, and for `api` and `reference` also browser.ts (for hosts
 * without a file system, whose import closure is node-free); for `api` also names.ts (import-free name lists for the
 * CLI's option help, so a command loads index.ts only when it runs). */
const SURFACES: Record<string, string[]> = { api: ['index', 'browser', 'names'], reference: ['index', 'browser'] };
/** Surfaces a layer is restricted to (the page may import the api only through its browser surface). */
const SURFACE_FOR: Record<string, Record<string, string[]>> = { web: { api: ['browser'] } };
/** Folders whose top-level modules a layer may also reach by a dynamic `import()` (static imports keep to the
 * surfaces): the CLI's commands import their verb's api modules inside the action, so that a command loads only its
 * verb's closure — `label` starts in ≈ 0.35 CPU s instead of 0.6 with the whole api (every chunk task of `label
 * --scheduler` is such a process), `info`/`convert` in ≈ 0.2 (docs/development.md). */
const DYNAMIC_TOP_LEVEL: Record<string, string[]> = { cli: ['api'] };

/** The specifiers of `source`'s dynamic `import('…')` calls. */
export function dynamicImportsOf(source: string): string[] {
  return [...source.matchAll(/import\s*\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]);
}

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

/** Layering violations of the folders of `srcRoot` and, if given, of the page's folder `webRoot` (layer 'web'). */
export function violations(srcRoot: string, webRoot?: string): string[] {
  const bad: string[] = [];
  const files = walk(srcRoot).map((f) => ({ file: f, rel: relative(srcRoot, f) }));
  if (webRoot) files.push(...walk(webRoot).map((f) => ({ file: f, rel: join('web', relative(webRoot, f)) })));
  for (const { file, rel } of files) {
    const layer = rel.split(sep)[0];
    if (!rel.includes(sep)) continue; // src/index.ts re-exports the public surface
    const allowed = ALLOWED[layer];
    if (!allowed) {
      bad.push(`${rel}: folder '${layer}' is not a layer of DESIGN.md`);
      continue;
    }
    const source = readFileSync(file, 'utf8');
    const specs = importsOf(source), dynamic = dynamicImportsOf(source);
    const count = (list: string[], x: string): number => list.filter((y) => y === x).length;
    for (const spec of specs) {
      if (NUMERIC.includes(layer) && (spec.startsWith('node:') || NODE_BUILTINS.has(spec.split('/')[0])))
        bad.push(`${rel}: pure layer '${layer}' may not import the Node built-in '${spec}'`);
      if (!spec.startsWith('.')) continue;
      const abs = resolve(dirname(file), spec);
      if (webRoot && layer === 'web' && !relative(webRoot, abs).startsWith('..')) continue; // inside web/
      const target = relative(srcRoot, abs);
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
      const tRest = target.split(sep).slice(1).join('/').replace(/\.(js|ts)$/, '');
      const surfaces = SURFACE_FOR[layer]?.[tLayer] ?? SURFACES[tLayer] ?? ['index'];
      if (DYNAMIC_TOP_LEVEL[layer]?.includes(tLayer) && !tRest.includes('/') && count(specs, spec) === count(dynamic, spec)) continue;
      if (!surfaces.includes(tRest))
        bad.push(`${rel}: '${layer}' must import '${tLayer}' through ${surfaces.map((s) => s + '.ts').join(' or ')}, not '${spec}'`);
    }
  }
  return bad;
}

/** The `node:*` (or bare Node built-in) imports reachable from `entries` along value imports (`import type` is
 * erased by the compiler and skipped), each with the chain of modules that reaches it. */
export function nodeImportsReachable(entries: string[]): string[] {
  const from = new Map<string, string | null>();
  const stack: [string, string | null][] = entries.map((e) => [e, null]);
  const found: string[] = [];
  const chain = (f: string | null): string => {
    const c: string[] = [];
    for (let x = f; x; x = from.get(x) ?? null) c.push(relative(REPO_ROOT, x));
    return c.join(' ← ');
  };
  const re = /(import|export)(\s+type)?\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;
  while (stack.length > 0) {
    const [f, parent] = stack.pop()!;
    if (from.has(f)) continue;
    from.set(f, parent);
    const src = readFileSync(f, 'utf8');
    for (let m = re.exec(src); m; m = re.exec(src)) {
      if (m[2]) continue; // import type / export type
      const spec = m[3] ?? m[4] ?? m[5];
      if (spec.startsWith('node:') || NODE_BUILTINS.has(spec.split('/')[0])) {
        found.push(`${spec} in ${chain(f)}`);
        continue;
      }
      if (!spec.startsWith('.')) continue;
      let t = resolve(dirname(f), spec).replace(/\.js$/, '.ts');
      if (!existsSync(t)) t = join(t.replace(/\.ts$/, ''), 'index.ts');
      stack.push([t, f]);
    }
  }
  return found;
}

test('src/ and web/ imports follow the layering of DESIGN.md (cross-folder imports through index.ts)', () => {
  assert.deepEqual(violations(join(REPO_ROOT, 'src'), join(REPO_ROOT, 'web')), []);
});

test('the page and the api browser surface reach no node:* module', () => {
  const web = readdirSync(join(REPO_ROOT, 'web')).filter((f) => f.endsWith('.ts')).map((f) => join(REPO_ROOT, 'web', f));
  assert.deepEqual(nodeImportsReachable([join(REPO_ROOT, 'src', 'api', 'browser.ts'), join(REPO_ROOT, 'src', 'io', 'index.ts'), ...web]), []);
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
      `math${sep}a.ts: pure layer 'math' may not import the Node built-in 'node:fs'`,
      `math${sep}a.ts: pure layer 'math' may not import the Node built-in 'os'`,
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

test('the checker catches node:* in io, imports past index.ts, a page importing the api other than through browser.ts, and the CLI importing an api module statically or below a sub-folder', () => {
  const root = mkdtempSync(join(tmpdir(), 'farfield-arch-'));
  try {
    const src = join(root, 'src'), web = join(root, 'web');
    for (const d of ['io', 'model', 'api', 'descriptors/lode']) mkdirSync(join(src, d), { recursive: true });
    mkdirSync(web);
    writeFileSync(join(src, 'io', 'a.ts'), `import { open } from 'node:fs/promises';\n`);
    writeFileSync(join(src, 'model', 'b.ts'), `import { x } from '../descriptors/lode/lode.js';\nimport { y } from '../descriptors/index.js';\n`);
    writeFileSync(join(src, 'api', 'c.ts'), `import { z } from '../io/index.js';\n`);
    writeFileSync(join(web, 'main.ts'), `import { a } from '../src/api/compare.js';\nimport { b } from '../src/api/index.js';\nimport { c } from '../src/api/browser.js';\nimport { d } from './client.js';\n`);
    // the CLI: a verb's top-level api module by a dynamic import only (not statically, not below a sub-folder)
    mkdirSync(join(src, 'cli'));
    writeFileSync(join(src, 'cli', 'd.ts'), `const { f } = await import('../api/label.js');\nconst { g } = await import('../api/sub/x.js');\nimport { h } from '../api/inputs.js';\n`);
    writeFileSync(join(src, 'model', 'e.ts'), `const { k } = await import('../descriptors/lode/lode.js');\n`);
    assert.deepEqual(violations(src, web).sort(), [
      `cli${sep}d.ts: 'cli' must import 'api' through index.ts or browser.ts or names.ts, not '../api/sub/x.js'`,
      `cli${sep}d.ts: 'cli' must import 'api' through index.ts or browser.ts or names.ts, not '../api/inputs.js'`,
      `io${sep}a.ts: pure layer 'io' may not import the Node built-in 'node:fs/promises'`,
      `model${sep}b.ts: 'model' must import 'descriptors' through index.ts, not '../descriptors/lode/lode.js'`,
      `model${sep}e.ts: 'model' must import 'descriptors' through index.ts, not '../descriptors/lode/lode.js'`,
      `web${sep}main.ts: 'web' must import 'api' through browser.ts, not '../src/api/compare.js'`,
      `web${sep}main.ts: 'web' must import 'api' through browser.ts, not '../src/api/index.js'`,
    ].sort());
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the closure walk finds a node:* import two modules away and ignores type-only imports', () => {
  const root = mkdtempSync(join(tmpdir(), 'farfield-arch-'));
  try {
    writeFileSync(join(root, 'entry.ts'), `import type { T } from './typed.js';\nexport { b } from './b.js';\n`);
    writeFileSync(join(root, 'typed.ts'), `import { readFileSync } from 'node:fs';\nexport type T = number;\n`);
    writeFileSync(join(root, 'b.ts'), `import { c } from './c.js';\nexport const b = c;\n`);
    writeFileSync(join(root, 'c.ts'), `import { gunzipSync } from 'node:zlib';\nexport const c = 1;\n`);
    const found = nodeImportsReachable([join(root, 'entry.ts')]);
    assert.equal(found.length, 1, found.join('\n'));
    assert.match(found[0], /^node:zlib in .*c\.ts ← .*b\.ts ← .*entry\.ts$/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
