/**
 * Dataset generation verbs: the point-charge toy set (science.md §4.8) — `farfield dataset toy`; the charge-transfer
 * benchmark (charge equilibration with a far dopant, reference/chargeTransfer.ts) — `farfield dataset charge-transfer`.
 */
import type { ProgressCallback } from '../core/index.js';
import { checkOutputFile, writeStructures } from '../host/index.js';
import { chargeTransferDataset, toyDataset, type ChargeTransferOptions, type ToyOptions } from '../reference/index.js';

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

export interface ChargeTransferDatasetRequest extends Omit<ChargeTransferOptions, 'onProgress'> {
  output: string;
  onProgress?: ProgressCallback;
}

/** Generate the charge-transfer benchmark (2·n frames: each geometry undoped and doped) and write it atomically. */
export function generateChargeTransferDataset(req: ChargeTransferDatasetRequest): { frames: number; atoms: number; dopingEnergyEv: [number, number] } {
  checkOutputFile(req.output);
  const frames = chargeTransferDataset(req);
  writeStructures(req.output, frames, { format: 'extxyz' });
  const diffs: number[] = [];
  for (let k = 0; k + 1 < frames.length; k += 2) diffs.push((frames[k + 1].labels.energyEv ?? NaN) - (frames[k].labels.energyEv ?? NaN));
  return { frames: frames.length, atoms: frames[0].species.length, dopingEnergyEv: [Math.min(...diffs), Math.max(...diffs)] };
}
