/**
 * The web page build and server without a browser: the bundle builds without any `node:*` stub or external (the
 * page's import graph holds no Node module), stays under the weight target, and `startWebServer` serves it with the
 * cross-origin isolation headers and refuses paths outside its folder. Text entry points of api/web.ts round-trip.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectTextFormat, parseStructuresFromText, structuresToExtxyz, toyNaClDataset } from '../../src/api/web.js';
import { startWebServer } from '../../src/host/index.js';
import { build } from 'esbuild';
import { REPO_ROOT } from '../helpers/paths.js';

test('build-web: the page bundles for the browser with no plugin, stub or external, and its graph has no node:* module', async () => {
  const script = readFileSync(join(REPO_ROOT, 'scripts', 'build-web.mjs'), 'utf8');
  assert.doesNotMatch(script, /onResolve|plugins\s*:|external\s*:/, 'build-web.mjs resolves nothing by hand');
  const options = { bundle: true, platform: 'browser', format: 'iife', write: false, metafile: true, logLevel: 'silent', absWorkingDir: REPO_ROOT } as const;
  for (const entry of ['web/worker.ts', 'web/main.ts']) {
    const r = await build({ ...options, entryPoints: [join(REPO_ROOT, entry)], define: { __WORKER_SOURCE__: '""', __DATASETS__: '[]' } });
    const inputs = Object.keys(r.metafile.inputs);
    assert.deepEqual(inputs.filter((f) => /^node:|node-stub/.test(f)), [], `${entry}: no Node module in the graph`);
    if (entry === 'web/worker.ts') assert.ok(inputs.some((f) => f.startsWith('src/api/')), 'the worker bundles the api');
    else assert.deepEqual(inputs.filter((f) => /^src\/(?!report\/)/.test(f)), [], 'the UI thread bundles the report renderers only, no numerics');
  }
  // the same options refuse a module that imports a Node built-in (what the old stub plugin papered over)
  const dir = mkdtempSync(join(tmpdir(), 'farfield-web-node-'));
  try {
    writeFileSync(join(dir, 'a.ts'), `import { readFileSync } from 'node:fs';\nconsole.log(readFileSync);\n`);
    await assert.rejects(build({ ...options, absWorkingDir: dir, entryPoints: [join(dir, 'a.ts')] }), /Could not resolve "node:fs"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('build-web: bundle builds, page < 1.5 MB gzipped, no require() of Node built-ins; served with COOP/COEP', async () => {
  const out = mkdtempSync(join(tmpdir(), 'farfield-web-build-'));
  try {
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build-web.mjs'), '--out', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const info = JSON.parse(readFileSync(join(out, 'build-info.json'), 'utf8')) as { pageGzipBytes: number };
    assert.ok(info.pageGzipBytes < 1.5 * 1024 * 1024, `page weight ${info.pageGzipBytes} B`);
    const app = readFileSync(join(out, 'app.js'), 'utf8');
    assert.doesNotMatch(app, /\brequire\(["']node:/, 'no Node built-in is required by the bundle');
    assert.doesNotMatch(app, /\bimport\(["']node:/);

    const s = await startWebServer({ dir: out, port: 0 });
    try {
      const res = await fetch(s.url);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('cross-origin-opener-policy'), 'same-origin');
      assert.equal(res.headers.get('cross-origin-embedder-policy'), 'require-corp');
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await res.text(), /<script src="app.js">/);
      assert.equal((await fetch(`${s.url}app.js`)).headers.get('content-type'), 'text/javascript; charset=utf-8');
      assert.equal((await fetch(`${s.url}missing.js`)).status, 404);
      assert.equal((await fetch(`${s.url}..%2f..%2fpackage.json`)).status, 403);
    } finally {
      await s.close();
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('api/web: toy dataset round-trips through extxyz text; formats are detected from name and content', () => {
  const data = toyNaClDataset({ frames: 2, repeat: 1, seed: 3 });
  assert.equal(data.length, 2);
  assert.equal(data[0].species.length, 8);
  const text = structuresToExtxyz(data);
  const back = parseStructuresFromText(new TextEncoder().encode(text), 'toy.xyz');
  assert.equal(back.format, 'extxyz');
  assert.deepEqual(Array.from(back.structures[1].positions), Array.from(data[1].positions));
  assert.equal(back.structures[1].labels.energyEv, data[1].labels.energyEv);
  assert.equal(detectTextFormat('POSCAR', 'x'), 'poscar');
  assert.equal(detectTextFormat('ML_AB', ''), 'ml_ab');
  assert.equal(detectTextFormat('a.xyz', '1\nplain comment\nH 0 0 0\n'), 'xyz');
  assert.throws(() => detectTextFormat('a.bin', 'garbage'), /cannot tell the format/);
});
