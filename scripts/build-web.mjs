#!/usr/bin/env node
// Builds the web page (web/) into dist/web/ with esbuild: `npm run build:web` (about a second).
//
//  - the compute worker (web/worker.ts → the library's api) is bundled first and inlined into app.js as a string,
//    so the page starts it from a Blob and also works when opened from disk (file://);
//  - app.js (UI) and the worker are classic IIFE scripts (module scripts do not load from file://);
//  - no `node:*` module is stubbed or left external; the page imports the api's browser surface
//    (src/api/browser.ts), whose import closure has no Node code, so a `node:*` import reaching it fails the build
//    (test/web/build.test.ts and test/architecture.test.ts check);
//  - 3Dmol.js is copied as vendor/3Dmol-min.js (its own minified build);
//  - labelled datasets data/*.xyz (top level, ≤ 8 MB) become data/<id>.js scripts (JSONP-style, file:// safe);
//  - prints the page weight (gzipped, without datasets) and writes it to dist/web/build-info.json.
// Usage: node scripts/build-web.mjs [--out DIR] [--no-minify]
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outIdx = args.indexOf('--out');
const out = resolve(outIdx >= 0 ? args[outIdx + 1] : join(root, 'dist', 'web'));
const minify = !args.includes('--no-minify');
const t0 = Date.now();

const common = {
  bundle: true, platform: 'browser', format: 'iife', target: 'es2022', minify, legalComments: 'none', logLevel: 'warning',
  write: false, absWorkingDir: root,
};

const worker = await build({ ...common, entryPoints: [join(root, 'web', 'worker.ts')] });
const workerSource = worker.outputFiles[0].text;

// Bundled datasets: labelled extended-XYZ files at the top of data/.
const datasets = [];
const dataDir = join(root, 'data');
if (existsSync(dataDir)) {
  for (const name of readdirSync(dataDir).sort()) {
    const p = join(dataDir, name);
    if (!/\.(ext)?xyz$/i.test(name) || !statSync(p).isFile() || statSync(p).size > 8 * 1024 * 1024) continue;
    const text = readFileSync(p, 'utf8');
    const comment = text.split('\n', 2)[1] ?? '';
    if (!/(^|\s)energy=/.test(comment)) continue; // unlabelled configurations cannot be fitted
    datasets.push({ id: name.replace(/\.(ext)?xyz$/i, '').replace(/[^A-Za-z0-9_-]/g, '_'), label: name, bytes: text.length, text });
  }
}

const app = await build({
  ...common,
  entryPoints: [join(root, 'web', 'main.ts')],
  define: {
    __WORKER_SOURCE__: JSON.stringify(workerSource),
    __DATASETS__: JSON.stringify(datasets.map(({ id, label, bytes }) => ({ id, label, bytes }))),
  },
});

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'vendor'), { recursive: true });
mkdirSync(join(out, 'data'), { recursive: true });
writeFileSync(join(out, 'app.js'), app.outputFiles[0].text);
copyFileSync(join(root, 'web', 'index.html'), join(out, 'index.html'));
copyFileSync(join(root, 'web', 'style.css'), join(out, 'style.css'));
const vendor = join(root, 'node_modules', '3dmol', 'build');
copyFileSync(join(vendor, '3Dmol-min.js'), join(out, 'vendor', '3Dmol-min.js'));
copyFileSync(join(vendor, '3Dmol-min.js.LICENSE.txt'), join(out, 'vendor', '3Dmol-min.js.LICENSE.txt'));
for (const d of datasets)
  writeFileSync(join(out, 'data', `${d.id}.js`), `window.__farfieldDataset(${JSON.stringify(d.id)}, ${JSON.stringify(d.text)});\n`);

const pageFiles = ['index.html', 'style.css', 'app.js', 'vendor/3Dmol-min.js'];
const files = Object.fromEntries(pageFiles.map((f) => {
  const b = readFileSync(join(out, f));
  return [f, { bytes: b.length, gzipBytes: gzipSync(b, { level: 9 }).length }];
}));
const total = Object.values(files).reduce((s, f) => s + f.gzipBytes, 0);
const info = {
  builtAt: new Date().toISOString(),
  minify,
  workerBytes: workerSource.length,
  workerGzipBytes: gzipSync(workerSource, { level: 9 }).length,
  files,
  pageGzipBytes: total,
  datasets: datasets.map(({ id, label, bytes }) => ({ id, label, bytes })),
};
writeFileSync(join(out, 'build-info.json'), JSON.stringify(info, null, 2) + '\n');
const kb = (n) => `${(n / 1024).toFixed(0)} kB`;
console.log(`web page built in ${Date.now() - t0} ms → ${out}`);
for (const [f, s] of Object.entries(files)) console.log(`  ${f.padEnd(22)} ${kb(s.bytes).padStart(8)}  gzip ${kb(s.gzipBytes).padStart(7)}`);
console.log(`  page weight (gzip, without datasets): ${kb(total)}; worker inside app.js: ${kb(info.workerGzipBytes)} gzip; datasets: ${datasets.map((d) => d.label).join(', ') || 'none'}`);
