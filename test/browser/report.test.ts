/**
 * Browser smoke test of the HTML reports in headless Chromium (playwright-core, Debian's /usr/bin/chromium): a
 * comparison report written from synthetic results and an RDF page load from file:// with no network, and every
 * plot rendered — SVGs with a non-zero layout box, data points in learning curves and parity plots, histogram
 * paths, the y = x line, the legend. A full-page screenshot goes to test-artifacts/report/.
 *
 * Skips with a message when Chromium is missing (FARFIELD_CHROMIUM overrides /usr/bin/chromium).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeCompareReport, writeRdfReport } from '../../src/api/report.js';
import { syntheticResults } from '../api/reportFixture.js';
import { REPO_ROOT } from '../helpers/paths.js';

const CHROMIUM = process.env.FARFIELD_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'report');
const skip = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set FARFIELD_CHROMIUM): skipping the report smoke test`;

interface PlotInfo {
  kind: string;
  width: number;
  height: number;
  points: number;
  series: number;
  diagonal: number;
  legend: number;
}

test('report pages render their plots in Chromium (file://, no network)', { skip, timeout: 60_000 }, async () => {
  const { chromium } = await import('playwright-core');
  const dir = mkdtempSync(join(tmpdir(), 'ff-report-browser-'));
  mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const rep = writeCompareReport(join(dir, 'compare'), syntheticResults());
    const rdf = writeRdfReport(join(dir, 'rdf'), 'RDF', [
      { label: 'model', file: 'traj.xyz', frames: 10, rA: [1, 2, 3, 4, 5], curves: { 'Cl-Na': [0, 0.5, 2.5, 0.8, 1.1], 'Na-Na': [0, 0, 0.4, 1.9, 1] } },
      { label: 'reference', file: 'ref.xyz', frames: 20, rA: [1, 2, 3, 4, 5], curves: { 'Cl-Na': [0, 0.6, 2.4, 0.9, 1], 'Na-Na': [0, 0, 0.5, 1.8, 1] } },
    ]);
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('request', (r) => !r.url().startsWith('file://') && requests.push(r.url()));
    const plots = (): Promise<PlotInfo[]> =>
      page.$$eval('svg.plot', (svgs) =>
        svgs.map((s) => {
          const box = s.getBoundingClientRect();
          return {
            kind: s.getAttribute('data-kind') ?? '',
            width: box.width, height: box.height,
            points: s.querySelectorAll('circle.pt').length,
            series: s.querySelectorAll('path.series').length,
            diagonal: s.querySelectorAll('line.diagonal').length,
            legend: s.querySelectorAll('g.legend').length,
          };
        }),
      );

    await page.goto(pathToFileURL(rep.html).href);
    const p = await plots();
    const of = (k: string) => p.filter((x) => x.kind === k);
    assert.ok(p.every((x) => x.width > 200 && x.height > 200), `every plot is laid out: ${JSON.stringify(p.map((x) => [x.kind, x.width, x.height]))}`);
    assert.equal(of('learning-curve').length, 4);
    for (const lc of of('learning-curve')) {
      assert.equal(lc.series, 3, 'one line per model');
      assert.equal(lc.points, 12, 'one marker per model × training size');
      assert.equal(lc.legend, 1);
    }
    assert.equal(of('parity').length, 6);
    for (const pp of of('parity')) {
      assert.equal(pp.diagonal, 1);
      assert.ok(pp.points >= 50, `parity points: ${pp.points}`);
    }
    assert.equal(of('histogram').length, 2);
    for (const h of of('histogram')) assert.equal(h.series, 3);
    // Data points lie inside the plotting area (the scales map data to pixels sensibly).
    const outside = await page.$$eval('svg.plot', (svgs) =>
      svgs.reduce((n, s) => {
        const area = (s.querySelector('rect.area') as SVGGraphicsElement).getBBox();
        for (const c of Array.from(s.querySelectorAll('circle.pt'))) {
          const x = Number(c.getAttribute('cx')), y = Number(c.getAttribute('cy'));
          if (x < area.x - 0.5 || x > area.x + area.width + 0.5 || y < area.y - 0.5 || y > area.y + area.height + 0.5) n++;
        }
        return n;
      }, 0),
    );
    assert.equal(outside, 0, 'points outside their plotting area');
    assert.equal(await page.locator('table.results tbody tr').count(), 12);
    await page.screenshot({ path: join(ARTIFACTS, 'compare.png'), fullPage: true });

    await page.goto(pathToFileURL(rdf.html).href);
    const r = await plots();
    assert.equal(r.length, 2);
    for (const x of r) assert.equal(x.series, 2, 'model and reference curves in one plot');
    await page.screenshot({ path: join(ARTIFACTS, 'rdf.png'), fullPage: true });
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, [], 'the report must not touch the network');
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
