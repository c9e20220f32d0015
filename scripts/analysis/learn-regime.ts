/**
 * Capacity- or data-limited? (issue 15, learn vs offline). Offline fits (incremental fit, one batch = FPS) on random
 * frames of a `learn-vs-offline.ts --out DIR` reference MD, labelled by Fumi–Tosi with stress, evaluated on its 25
 * held-out frames, for several frame counts at a fixed number of references per species (1000 = every environment).
 *   node --import tsx scripts/analysis/learn-regime.ts --dir DIR [--descriptors sr+lr] [--frames 6,11,22,44] [--refs 40]
 */
import { join } from 'node:path';
import { Rng } from '../../src/core/index.js';
import { readStructures } from '../../src/host/index.js';
import { evaluateModel, relabelStructures } from '../../src/api/index.js';
import { IncrementalKernelFit } from '../../src/model/index.js';
import { resolveDescriptor } from '../../src/api/fit.js';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const dir = arg('dir', '');
const descriptors = arg('descriptors', 'sr+lr');
const counts = arg('frames', '6,11,22,44').split(',').map(Number);
const refs = Number(arg('refs', '40'));
const SR = { radial: { nmax: 8, cutoffA: 6 }, angular: { nmax: 4, lmax: 2, cutoffA: 4.5 } };
const hypers = descriptors === 'sr' ? SR : { sr: SR };
const pool = readStructures(join(dir, 'pool.xyz'));
const held = readStructures(join(dir, 'held.xyz')).slice(6);
const idx = Array.from(pool.keys());
new Rng(5).shuffle(idx);
const frames = relabelStructures(idx.slice(0, Math.max(...counts)).map((i) => pool[i]), { engine: 'fumi-tosi' });
for (const n of counts) {
  const f = IncrementalKernelFit.create(frames.slice(0, n), { descriptor: resolveDescriptor(descriptors, ['Na', 'Cl'], hypers), maxNewReferences: refs });
  const s = evaluateModel(f.solve(), held).summary;
  console.log(`${n} frames, ${f.selectedReferenceCounts().join('/')} references: forces ${s.forces!.rmse_meV_per_A.toFixed(1)} meV/Å, energy ${s.energy!.rmse_meV_per_atom.toFixed(2)} meV/atom`);
}
