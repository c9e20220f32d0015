/**
 * Writing reports: `results.json` + self-contained `index.html` for a model comparison, and RDF pages. Every file
 * is written atomically (temporary file in the same directory, then rename), so an interrupted run never leaves a
 * half-written report behind.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../host/index.js';
import { FarfieldError } from '../core/index.js';
import { renderCompareHtml, renderRdfHtml, type CompareResults, type RdfCurveSet, type WrittenReport } from '../report/index.js';

export * from '../report/index.js';

/** Write `text` to `path` atomically (host/atomic.ts); creates the parent directory. */
export function writeTextAtomic(path: string, text: string): void {
  const dir = dirname(resolve(path));
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new FarfieldError('IO', `cannot create directory ${dir}: ${(e as Error).message}`, { file: path }, { cause: e });
  }
  writeFileAtomic(path, text);
}

/** Write `results.json` and `index.html` of a comparison into `outDir` (created if needed). */
export function writeCompareReport(outDir: string, results: CompareResults): WrittenReport {
  const json = join(outDir, 'results.json');
  const html = join(outDir, 'index.html');
  writeTextAtomic(json, JSON.stringify(results, null, 1) + '\n');
  writeTextAtomic(html, renderCompareHtml(results));
  return { dir: outDir, json, html };
}

/** Write an RDF report (`rdf.json` + `index.html`) into `outDir`. */
export function writeRdfReport(outDir: string, title: string, sets: RdfCurveSet[], note = ''): WrittenReport {
  const json = join(outDir, 'rdf.json');
  const html = join(outDir, 'index.html');
  writeTextAtomic(json, JSON.stringify({ format: 'farfield-rdf', version: 1, title, note, sets }, null, 1) + '\n');
  writeTextAtomic(html, renderRdfHtml(title, sets, note));
  return { dir: outDir, json, html };
}
