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
 * The state holds the whole MD state (positions, velocities, forces, energy, stress, cell, time, heat, the random
 * stream), the threshold state, and the sizes of the batches the incremental fit received: replaying those
 * batches from training.xyz rebuilds bit-identical normal equations, hence the same model (model/incremental.ts).
 */
import { appendFileSync, existsSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FarfieldError } from '../core/index.js';
import type { DescriptorSpec } from '../descriptors/index.js';
import type { MdState } from '../md/index.js';
import type { LearnConfig } from './learnConfig.js';
import type { LearnReferenceOptions } from './learnReference.js';
import type { ThresholdState } from './learnThreshold.js';
import type { Thermostat } from './md.js';
import { writeTextAtomic } from './report.js';

export const LEARN_FILES = { start: 'start.xyz', training: 'training.xyz', model: 'model.json', trajectory: 'trajectory.xyz', log: 'log.csv', state: 'state.json', report: 'index.html' } as const;

export type GrowingFile = 'training' | 'trajectory' | 'log';

/** What defines a run (stored so that `--resume DIR` needs no other argument). */
export interface LearnRunSpec {
  reference: LearnReferenceOptions;
  steps: number;
  timestepFs: number;
  temperatureK: number;
  thermostat: Thermostat;
  tauFs: number;
  frictionPerFs: number;
  seed: number;
  descriptors: string;
  descriptorHypers?: Record<string, unknown>;
  /** Descriptor spec of a start model (used instead of the preset; not re-balanced). */
  descriptorSpec?: DescriptorSpec;
  config: LearnConfig;
  /** Seed training structures (count of leading frames of training.xyz that were given, not labelled here). */
  seedFrames: number;
  /** Model file the run started from (informational). */
  startModel?: string;
}

export interface LearnCheckpoint {
  format: 'farfield-learn-state';
  version: 1;
  run: LearnRunSpec;
  step: number;
  md: {
    timeFs: number;
    heatEv: number;
    potentialEnergyEv: number;
    positions: number[];
    velocities: number[];
    forces: number[];
    stress?: number[];
    cell: number[];
    rng: { words: number[]; spare: number | null };
  };
  threshold: ThresholdState;
  /** Frames of training.xyz passed to the incremental fit, per `add` call in order (first = the creating batch). */
  fittedBatches: number[];
  /** Frames in training.xyz. */
  labelled: number;
  counters: { calls: number; failedCalls: number; refits: number; modelSteps: number };
  /** Byte lengths of the growing files at this checkpoint. */
  bytes: Record<GrowingFile, number>;
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

/** The MD part of a checkpoint. */
export function snapshotMd(st: MdState): LearnCheckpoint['md'] {
  return {
    timeFs: st.timeFs, heatEv: st.heatEv, potentialEnergyEv: st.potentialEnergyEv,
    positions: Array.from(st.positions), velocities: Array.from(st.velocities), forces: Array.from(st.forces),
    ...(st.stressEvPerA3 ? { stress: Array.from(st.stressEvPerA3) } : {}),
    cell: Array.from(st.cell), rng: st.rng.getState(),
  };
}

/** Restore the MD part of a checkpoint into a state built by `integrator.init` on the start structure. */
export function restoreMd(st: MdState, md: LearnCheckpoint['md'], step: number): void {
  const n3 = st.positions.length;
  if (md.positions.length !== n3 || md.velocities.length !== n3 || md.forces.length !== n3)
    throw new FarfieldError('PARSE', `learn state: ${md.positions.length / 3} atoms in the state, ${n3 / 3} in start.xyz`);
  st.positions.set(md.positions);
  st.velocities.set(md.velocities);
  st.forces.set(md.forces);
  st.cell.set(md.cell);
  st.potentialEnergyEv = md.potentialEnergyEv;
  if (md.stress) st.stressEvPerA3 = Float64Array.from(md.stress);
  st.step = step;
  st.timeFs = md.timeFs;
  st.heatEv = md.heatEv;
  st.rng.setState(md.rng);
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
