/** Report rendering: tick generation, SVG plots, the comparison page (self-contained, all sections), atomic files. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  formatTick, histogramPlot, linePlot, linearTicks, logTicks, parityPlot, renderCompareHtml, resultsTableText,
  writeCompareReport, writeRdfReport,
} from '../../src/api/report.js';
import { syntheticResults } from './reportFixture.js';

const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

test('ticks: nice linear steps, log decades, compact labels', () => {
  assert.deepEqual(linearTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(linearTicks(-3.62, -3.38, 5), [-3.6, -3.55, -3.5, -3.45, -3.4]);
  assert.deepEqual(logTicks(0.5, 2000), [1, 10, 100, 1000]);
  assert.deepEqual(logTicks(20, 210), [20, 50, 100, 200]);
  assert.deepEqual(logTicks(0.35, 3.3), [0.5, 1, 2, 3]);
  assert.equal(formatTick(0.1 + 0.2), '0.3');
  assert.equal(formatTick(1e-5), '1e-5');
  assert.equal(formatTick(250000), '2.5e5');
});

test('plots: points, lines, diagonal, legend; non-finite and non-positive (log) values are skipped', () => {
  const lp = linePlot({ title: 'a<b', x: { label: 'n', log: true }, y: { label: 'e', log: true }, series: [
    { name: 'sr', x: [10, 20, 40], y: [3, 2, 0] }, { name: 'sr+lr', x: [10, 20, 40], y: [1, NaN, 0.5] }] });
  assert.match(lp, /^<svg [^>]*class="plot"/);
  assert.equal(count(lp, /class="pt"/g), 4);
  assert.equal(count(lp, /class="series"/g), 2);
  assert.match(lp, /a&lt;b/);
  assert.match(lp, /class="legend"/);
  assert.doesNotMatch(lp, /NaN|Infinity/);
  const pp = parityPlot({ title: 'p', xLabel: 'ref', yLabel: 'pred', ref: [1, 2, 3], pred: [1.1, 2, 2.9] });
  assert.equal(count(pp, /class="pt"/g), 3);
  assert.match(pp, /class="diagonal"/);
  const hp = histogramPlot({ title: 'h', x: { label: 'err' }, y: { label: 'density' }, series: [{ name: 'a', values: [0, 1, 1, 2] }, { name: 'b', values: [1, 1] }], bins: 4 });
  assert.equal(count(hp, /class="series bar"/g), 2);
  assert.doesNotMatch(hp, /NaN/);
});

test('comparison report: self-contained HTML with table, learning curves, parity, histograms, hyperparameters', () => {
  const res = syntheticResults();
  const html = renderCompareHtml(res);
  assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/, 'no scripts, no network references');
  assert.equal(count(html, /data-kind="learning-curve"/g), 4); // energy, forces, stress, fit time
  assert.equal(count(html, /data-kind="parity"/g), 6); // 3 models × (energy, forces)
  assert.equal(count(html, /data-kind="histogram"/g), 2); // Na, Cl
  assert.equal(count(html, /<tr( class="group")?><td class="l">/g), 12 + 2 + 1); // results rows + data rows + tuning row
  assert.match(html, /lode\.weight/);
  assert.match(html, /synthetic data: numbers mean nothing/);
  const text = resultsTableText(res);
  assert.equal(text.split('\n').length, 2 + 12);
  assert.match(text.split('\n')[0], /^train\s+model\s+E RMSE \[meV\/atom\]/);
});

test('writeCompareReport and writeRdfReport write JSON + HTML atomically (no temporary files left)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-report-'));
  try {
    const res = syntheticResults();
    const w = writeCompareReport(join(dir, 'out'), res);
    assert.deepEqual(JSON.parse(readFileSync(w.json, 'utf8')), JSON.parse(JSON.stringify(res)));
    assert.match(readFileSync(w.html, 'utf8'), /^<!DOCTYPE html>/);
    assert.deepEqual(readdirSync(join(dir, 'out')).sort(), ['index.html', 'results.json']);
    const r = writeRdfReport(join(dir, 'rdf'), 'RDF', [
      { label: 'model', file: 'traj.xyz', frames: 3, rA: [0.5, 1.5, 2.5], curves: { 'Cl-Na': [0, 2, 1] } },
      { label: 'reference', file: 'ref.xyz', frames: 5, rA: [0.5, 1.5, 2.5], curves: { 'Cl-Na': [0, 1.8, 1.1] } }]);
    const html = readFileSync(r.html, 'utf8');
    assert.equal(count(html, /data-kind="rdf"/g), 1);
    assert.equal(count(html, /class="series"/g), 2);
    assert.deepEqual(readdirSync(join(dir, 'rdf')).sort(), ['index.html', 'rdf.json']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
