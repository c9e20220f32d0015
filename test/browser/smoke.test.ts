/**
 * Smoke test of the web page in headless Chromium (the default set; the full flows — describe, sr and sr+lr fits,
 * 50 MD steps, the learn panel with cancel — are test/browser/*.nightly.test.ts): build and serve the page
 * (cross-origin isolated), load the bundled toy set, fit a tiny sr model in the page's worker (error table with finite
 * numbers, parity plots), download it with its predictions and check that the model predicts in Node what the page
 * predicted (1e-12 relative, as in the nightly test), then a few steps of on-the-fly learning with Fumi–Tosi.
 *
 * Skips with a message when Chromium is missing (FARFIELD_CHROMIUM overrides /usr/bin/chromium).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel, predictStructures } from '../../src/api/index.js';
import { parseStructuresFromText, toyNaClDataset } from '../../src/api/web.js';
import { startWebServer } from '../../src/host/index.js';
import { REPO_ROOT } from '../helpers/paths.js';

const CHROMIUM = process.env.FARFIELD_CHROMIUM ?? '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set FARFIELD_CHROMIUM): skipping the web page smoke test`;

interface PageState {
  ready: boolean;
  dataset: { frames: unknown[] } | null;
  fit: { models: string[]; threads: number } | null;
  learn: { step: number; called: boolean }[];
}

test('web page smoke: load, fit sr, downloaded model = Node predictions, a short learn run', { skip, timeout: 120_000 }, async () => {
  const { chromium } = await import('playwright-core');
  const site = mkdtempSync(join(tmpdir(), 'farfield-web-smoke-'));
  const built = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build-web.mjs'), '--out', site], { encoding: 'utf8' });
  assert.equal(built.status, 0, `build-web failed:\n${built.stderr}`);
  const server = await startWebServer({ dir: site, port: 0 });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--enable-unsafe-swiftshader'],
  });
  const errors: string[] = [];
  const state = () => (window as unknown as { farfield: PageState }).farfield;
  try {
    const page = await (await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } })).newPage();
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    await page.goto(server.url);
    await page.waitForFunction(() => (window as unknown as { farfield?: PageState }).farfield?.ready === true);
    assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'the served page must be cross-origin isolated');

    await page.selectOption('#dataset', 'toy-8');
    await page.click('#load-dataset');
    await page.waitForFunction(() => ((window as unknown as { farfield: PageState }).farfield.dataset?.frames.length ?? 0) > 0)
      .catch((e: unknown) => { throw new Error(`${String(e)}\n${errors.join('\n')}`); });
    assert.match(await page.textContent('#data-status') ?? '', /24 structures, 192 atoms/);

    await page.uncheck('input[name="model"][value="sr+lr"]');
    await page.fill('#n-train', '8');
    await page.fill('#n-test', '4');
    await page.fill('#n-refs', '8');
    await page.fill('#n-points', '1');
    await page.click('#fit');
    await page.waitForSelector('#error-table table.results', { timeout: 60_000 });
    const cells = await page.locator('#error-table table.results tbody td:not(.l)').allTextContents();
    assert.ok(cells.length >= 4, `error table has ${cells.length} numeric cells`);
    for (const c of cells) assert.ok(Number.isFinite(Number(c.trim())), `error table cell '${c}' is not a finite number`);
    assert.equal(await page.locator('#parity svg[data-kind="parity"]').count(), 2, 'energy and force parity plots for sr');
    assert.deepEqual((await page.evaluate(state))?.fit?.models, ['sr']);

    // the downloaded model predicts in Node what the page predicted (criterion of web.nightly.test.ts)
    await page.selectOption('#download-model', 'sr');
    const [modelDl] = await Promise.all([page.waitForEvent('download'), page.click('#download-model-btn')]);
    const modelPath = join(site, 'model-download.json');
    await modelDl.saveAs(modelPath);
    const [predDl] = await Promise.all([page.waitForEvent('download'), page.click('#download-pred-btn')]);
    const predPath = join(site, 'pred-download.xyz');
    await predDl.saveAs(predPath);
    const node = predictStructures(loadModel(modelPath), toyNaClDataset({ frames: 24, repeat: 1 }));
    const fromPage = parseStructuresFromText(readFileSync(predPath, 'utf8'), predPath).structures;
    assert.equal(fromPage.length, node.length);
    let dF2 = 0, f2 = 0;
    node.forEach((s, k) => {
      const eP = fromPage[k].labels.energyEv!, eN = s.labels.energyEv!;
      assert.ok(Math.abs(eP - eN) <= 1e-12 * Math.abs(eN), `structure ${k}: energy from the page ${eP} vs Node ${eN}`);
      const a = fromPage[k].labels.forcesEvPerA!, b = s.labels.forcesEvPerA!;
      assert.equal(a.length, b.length);
      for (let i = 0; i < b.length; i++) {
        dF2 += (a[i] - b[i]) ** 2;
        f2 += b[i] ** 2;
      }
    });
    const relF = dF2 === 0 ? 0 : Math.sqrt(dF2 / f2);
    assert.ok(relF <= 1e-12, `forces from the page differ from Node's: relative norm ${relF}`);

    // the learn panel runs the learning loop in the worker
    await page.fill('#learn-steps', '6');
    await page.fill('#learn-temp', '600');
    await page.click('#learn-run');
    await page.waitForFunction(() => /^done/.test(document.getElementById('learn-status')?.textContent ?? ''), undefined, { timeout: 60_000 })
      .catch((e: unknown) => { throw new Error(`${String(e)}\n${errors.join('\n')}`); });
    const rows = (await page.evaluate(state)).learn;
    assert.equal(rows.length, 7, 'one log row per step, step 0 included');
    assert.ok(rows[0].called, 'step 0 labelled');
    assert.deepEqual(errors, [], errors.join('\n'));
  } finally {
    await browser.close();
    await server.close();
    rmSync(site, { recursive: true, force: true });
  }
});
