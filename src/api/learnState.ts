/**
 * The run directory of `farfield learn` and its checkpoint (state file), so that `--resume DIR` after a kill -9
 * continues where the last checkpoint left off and loses at most the reference call in flight.
 *
 * DIR/ holds: start.xyz (the start structure), training.xyz (every labelled structure with its provenance in
 * `info`: learn_step, learn_max_force_sigma, learn_threshold, label_method), model.json (atomic write after each
 * refit), trajectory.xyz, log.csv and state.json. The three growing files are append-only; the state records their
 * byte lengths at the checkpoint, and a resume truncates them back to it, so nothing written after the checkpoint
 * is duplicated. A checkpoint is taken after every reference call (after its refit, if any) and every
 * `checkpointEvery` steps; it is written atomically (temporary file + rename).
 * The state holds the session's checkpoint (learnSession.ts: the whole MD state including the random stream, the
 * threshold state, and the sizes of the batches the incremental fit received — replaying those batches from
 * training.xyz rebuilds bit-identical normal equations, hence the same model).
 */
import { appendFileSync, existsSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FarfieldError } from '../core/index.js';
import type { SessionCheckpoint } from './learnSession.js';
import { writeTextAtomic } from './report.js';

export const LEARN_FILES = { start: 'start.xyz', training: 'training.xyz', model: 'model.json', trajectory: 'trajectory.xyz', log: 'log.csv', state: 'state.json', report: 'index.html' } as const;

export type GrowingFile = 'training' | 'trajectory' | 'log';

/** The state file: the session's checkpoint plus the byte lengths of the growing files at that moment. */
export interface LearnCheckpoint extends SessionCheckpoint {
  format: 'farfield-learn-state';
  version: 1;
  /** Byte lengths of the growing files at this checkpoint. */
  bytes: Record<GrowingFile, number>;
  /** Wall time of the run so far, s. */
  wallS: number;
}

export function pathIn(dir: string, f: keyof typeof LEARN_FILES): string {
  return join(dir, LEARN_FILES[f]);
}

export function fileBytes(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

/** Append text to a growing file (created when absent). */
export function appendText(path: string, text: string): void {
  appendFileSync(path, text);
}

export function writeCheckpoint(dir: string, cp: LearnCheckpoint): void {
  writeTextAtomic(pathIn(dir, 'state'), JSON.stringify(cp) + '\n');
}

export function readCheckpoint(dir: string): LearnCheckpoint {
  const path = pathIn(dir, 'state');
  if (!existsSync(path)) throw new FarfieldError('INVALID_INPUT', `learn --resume: no ${LEARN_FILES.state} in ${dir} (not a learn directory, or it was killed before the first checkpoint: start it again)`, { file: path });
  let cp: LearnCheckpoint;
  try {
    cp = JSON.parse(readFileSync(path, 'utf8')) as LearnCheckpoint;
  } catch (e) {
    throw new FarfieldError('PARSE', `learn state is not valid JSON: ${(e as Error).message}`, { file: path });
  }
  if (cp.format !== 'farfield-learn-state') throw new FarfieldError('PARSE', `not a farfield learn state (format '${String(cp.format)}')`, { file: path });
  if (cp.version !== 1) throw new FarfieldError('PARSE', `learn state version ${cp.version} is not supported (this farfield reads version 1)`, { file: path });
  return cp;
}

/** Cut the growing files back to their checkpoint lengths (what was written after the checkpoint is redone). */
export function truncateToCheckpoint(dir: string, bytes: Record<GrowingFile, number>): void {
  for (const f of ['training', 'trajectory', 'log'] as const) {
    const p = pathIn(dir, f);
    const have = fileBytes(p);
    if (have < bytes[f]) throw new FarfieldError('PARSE', `learn --resume: ${LEARN_FILES[f]} has ${have} bytes, the state expects at least ${bytes[f]} (file replaced or damaged)`, { file: p });
    if (have > bytes[f]) truncateSync(p, bytes[f]);
    if (!existsSync(p)) writeFileSync(p, '');
  }
}
