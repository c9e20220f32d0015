/**
 * Small inputs for CLI tests of the file-writing paths: a few frames of data/nacl-liquid-pbe.xyz (64-ion NaCl with
 * energies, forces, stress) and a tiny sr kernel model fitted on two of them (4 references per species, one thread,
 * a small descriptor).
 * Under scripts/run-tests.mjs the model is fitted once per run: the first file to need it also leaves a copy in the
 * run's own compilation (dist-test/run-PID/.cache/, written whole by a rename, removed with the run), which the
 * other files copy (the fit is deterministic: the same weights and references as a fit of their own).
 */
import { copyFileSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { fitModel, loadStructures, saveModel, saveStructures } from '../../src/api/index.js';
import { CODE_ROOT, COMPILED, REPO_ROOT } from './paths.js';

export const NACL_PBE = join(REPO_ROOT, 'data', 'nacl-liquid-pbe.xyz');

/** A small sr descriptor (75 columns instead of the default 568): the commands run on the tiny model test file
 * handling, not accuracy, and each predict/eval/md of a 64-ion frame costs about a third less CPU with it. */
export const TINY_HYPERS = { radial: { nmax: 6, cutoffA: 5 }, angular: { nmax: 3, lmax: 2, cutoffA: 4 } };

/** Write `frames` frames of the PBE liquid to DIR/small.xyz and return the path. */
export function writeSmallSet(dir: string, frames = 4): string {
  const p = join(dir, 'small.xyz');
  saveStructures(p, loadStructures(NACL_PBE).structures.slice(0, frames));
  return p;
}

/** Fit and save a tiny model (DIR/model.json); returns its path. */
export async function writeTinyModel(dir: string): Promise<string> {
  const p = join(dir, 'model.json');
  const cached = COMPILED ? join(CODE_ROOT, '.cache', 'tiny-model.json') : null;
  if (cached && existsSync(cached)) {
    copyFileSync(cached, p);
    return p;
  }
  const train = loadStructures(NACL_PBE).structures.slice(0, 2);
  const r = await fitModel(train, { selection: { count: 4 }, threads: 1, weights: { forces: 0, stress: 0 }, descriptorHypers: TINY_HYPERS }, { onWarning: () => {} });
  saveModel(r.model, p);
  if (cached) {
    mkdirSync(join(CODE_ROOT, '.cache'), { recursive: true });
    const part = `${cached}.${process.pid}`;
    copyFileSync(p, part);
    renameSync(part, cached);
  }
  return p;
}
