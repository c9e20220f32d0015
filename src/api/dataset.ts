/**
 * Dataset generation verbs: the point-charge toy set (science.md §4.8) — `farfield dataset toy`.
 */
import type { ProgressCallback } from '../core/index.js';
import { checkOutputFile, writeStructures } from '../host/index.js';
import { toyDataset, type ToyOptions } from '../reference/index.js';

export interface ToyDatasetRequest extends Omit<ToyOptions, 'onProgress'> {
  /** Output file (extended XYZ). */
  output: string;
  onProgress?: ProgressCallback;
}

export interface ToyDatasetSummary {
  frames: number;
  atoms: number;
  edgeRangeA: [number, number];
  energyRangeEv: [number, number];
}

/** Generate the toy set and write it atomically; returns a short summary. */
export function generateToyDataset(req: ToyDatasetRequest): ToyDatasetSummary {
  checkOutputFile(req.output);
  const frames = toyDataset(req);
  writeStructures(req.output, frames, { format: 'extxyz' });
  const edges = frames.map((s) => s.cell[0]);
  const energies = frames.map((s) => s.labels.energyEv ?? NaN);
  return {
    frames: frames.length, atoms: req.atoms,
    edgeRangeA: [Math.min(...edges), Math.max(...edges)], energyRangeEv: [Math.min(...energies), Math.max(...energies)],
  };
}
