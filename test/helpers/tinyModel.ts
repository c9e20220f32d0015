/**
 * Small inputs for CLI tests of the file-writing paths: a few frames of data/nacl-liquid-pbe.xyz (64-ion NaCl with
 * energies, forces, stress) and a tiny sr kernel model fitted on two of them (4 references per species, one thread).
 */
import { join } from 'node:path';
import { fitModel, loadStructures, saveModel, saveStructures } from '../../src/api/index.js';
import { REPO_ROOT } from './paths.js';

export const NACL_PBE = join(REPO_ROOT, 'data', 'nacl-liquid-pbe.xyz');

/** Write `frames` frames of the PBE liquid to DIR/small.xyz and return the path. */
export function writeSmallSet(dir: string, frames = 4): string {
  const p = join(dir, 'small.xyz');
  saveStructures(p, loadStructures(NACL_PBE).structures.slice(0, frames));
  return p;
}

/** Fit and save a tiny model (DIR/model.json); returns its path. */
export async function writeTinyModel(dir: string): Promise<string> {
  const train = loadStructures(NACL_PBE).structures.slice(0, 2);
  const r = await fitModel(train, { selection: { count: 4 }, threads: 1, weights: { forces: 0, stress: 0 } }, { onWarning: () => {} });
  const p = join(dir, 'model.json');
  saveModel(r.model, p);
  return p;
}
