/**
 * The web page's "learn on the fly" panel in headless Chromium: build and serve the page, load the bundled toy NaCl
 * set, run on-the-fly learning with the Fumi–Tosi reference in the page's worker (api/learnSession.ts, the same
 * loop as `farfield learn`), and check the log rows, the threshold plot and the reference-call count; then start a
 * second run and stop it (Cancel: the worker ends the loop after the current step and reports what was done). Screenshot in test-artifacts/web/. Skips when Chromium is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWebServer } from '../../src/host/index.js';
import { REPO_ROOT } from '../helpers/paths.js';

const CHROMIUM = process.env.FARFIELD_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'web');
const skip = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM}: skipping the learn panel end-to-end test`;

interface PageState {
  ready: boolean;
  dataset: { frames: unknown[] } | null;
  learn: { step: number; called: boolean; refit: boolean; sigmaEvPerA: number; thresholdEvPerA: number }[];
}

test('web page: learn on the fly with Fumi–Tosi (progress, threshold plot, calls), and cancel', { skip, timeout: 180_000 }, async () => {
  const { chromium } = await import('playwright-core');
  mkdirSync(ARTIFACTS, { recursive: true });
  const site = mkdtempSync(join(tmpdir(), 'farfield-web-learn-'));
  const built = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build-web.mjs'), '--out', site], { encoding: 'utf8' });
  assert.equal(built.status, 0, `build-web failed:\n${built.stderr}`);
  const server = await startWebServer({ dir: site, port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--enable-unsafe-swiftshader'] });
  const errors: string[] = [];
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    await page.goto(server.url);
    await page.waitForFunction(() => (window as unknown as { farfield?: PageState }).farfield?.ready === true);
    await page.selectOption('#dataset', 'toy-8');
    await page.click('#load-dataset');
    await page.waitForFunction(() => ((window as unknown as { farfield: PageState }).farfield.dataset?.frames.length ?? 0) > 0);
    await page.fill('#learn-steps', '40');
    await page.fill('#learn-temp', '600');
    await page.click('#learn-run');
    await page.waitForFunction(() => /^done/.test(document.getElementById('learn-status')?.textContent ?? ''), undefined, { timeout: 150_000 })
      .catch((e: unknown) => { throw new Error(`${String(e)}\n${errors.join('\n')}`); });
    const rows = await page.evaluate(() => (window as unknown as { farfield: PageState }).farfield.learn);
    assert.equal(rows.length, 41, 'one log row per step, step 0 included');
    assert.ok(rows[0].called && rows.filter((r) => r.called).length < rows.length, 'step 0 labelled, not every step');
    assert.ok(rows.some((r) => Number.isFinite(r.sigmaEvPerA) && r.sigmaEvPerA > 0), 'the model reported a Bayesian force error');
    assert.equal(await page.locator('#learn-plots svg[data-kind="learn-threshold"]').count(), 1);
    assert.match(await page.textContent('#learn-status') ?? '', /40 steps .* reference calls/);
    await page.locator('#learn-section').screenshot({ path: join(ARTIFACTS, '6-learn.png') });
    // cancel a second run
    await page.fill('#learn-steps', '5000');
    await page.click('#learn-run');
    await page.waitForFunction(() => /step \d+/.test(document.getElementById('learn-status')?.textContent ?? ''), undefined, { timeout: 60_000 });
    await page.click('#learn-cancel');
    await page.waitForFunction(() => /^stopped: \d+ steps/.test(document.getElementById('learn-status')?.textContent ?? ''), undefined, { timeout: 30_000 });
    assert.deepEqual(errors, [], errors.join('\n'));
  } finally {
    await browser.close();
    await server.close();
    rmSync(site, { recursive: true, force: true });
  }
});
