/**
 * The demo job. Current stage: builds a rock-salt NaCl crystal and reports its geometry.
 * Replaced step by step by the real pipeline (electrostatics → descriptors → fitted models).
 */
import { makeStructure, cellVolume, atomCount } from '../core/index.js';

export interface DemoOptions {
  log?: (line: string) => void;
}

export async function runDemo(_options: DemoOptions = {}): Promise<string> {
  const a = 5.64;
  const s = makeStructure({
    symbols: ['Na', 'Cl'],
    positions: [[0, 0, 0], [a / 2, 0, 0]],
    cell: [[0, a / 2, a / 2], [a / 2, 0, a / 2], [a / 2, a / 2, 0]],
  });
  return `rock-salt NaCl primitive cell: ${atomCount(s)} atoms, volume ${cellVolume(s.cell).toFixed(4)} Å³\n`;
}
