/**
 * Is a rock-salt trajectory still an ordered crystal? Per time window: the rms and largest displacement of the ions
 * from their positions in the first frame (minimum image, centre-of-mass drift removed), and the fraction of ions with
 * exactly six unlike neighbours (Na–Cl) and no like neighbour within --cutoff Å (a perfect rock-salt crystal: 100 %;
 * the nearest like pair sits at a/√2 ≈ 3.99 Å for a = 5.64 Å). Used for issue 15 (docs/RESULTS.md: the learner's
 * rock-salt MD against CP2K's own GFN1-xTB MD, data/nacl-rocksalt-xtb-md.xyz).
 *
 *   node --import tsx scripts/analysis/crystal-order.ts FILE [--cutoff 3.4] [--windows 6] [--from K]
 *
 * Frames K… of FILE (fixed cell; the first frame read is the reference); prints one line per window of frames.
 */
import { readStructures } from '../../src/host/index.js';
import { buildNeighbourList, minimumImageFunction } from '../../src/geometry/index.js';

const argv = process.argv;
const opt = (name: string, dflt: string): string => { const i = argv.indexOf(`--${name}`); return i > 0 ? argv[i + 1] : dflt; };
const file = argv[2];
if (!file || file.startsWith('--')) throw new Error('usage: crystal-order.ts FILE [--cutoff 3.4] [--windows 6] [--from K]');
const cutoff = Number(opt('cutoff', '3.4'));
const frames = readStructures(file).slice(Number(opt('from', '0')));
const windows = Math.min(Number(opt('windows', '6')), frames.length);
const ref = frames[0];
const n = ref.species.length;
const mic = minimumImageFunction(ref.cell, ref.pbc);
const v = new Float64Array(3), d = new Float64Array(3);

/** rms and max displacement from the first frame (drift removed), fraction of ions in a perfect rock-salt shell. */
function frameStats(s: (typeof frames)[number]): { rms: number; max: number; ordered: number } {
  const disp = new Float64Array(3 * n);
  const mean = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) v[k] = s.positions[3 * i + k] - ref.positions[3 * i + k];
    mic(v, d);
    for (let k = 0; k < 3; k++) { disp[3 * i + k] = d[k]; mean[k] += d[k] / n; }
  }
  let sum = 0, max = 0;
  for (let i = 0; i < n; i++) {
    const r2 = (disp[3 * i] - mean[0]) ** 2 + (disp[3 * i + 1] - mean[1]) ** 2 + (disp[3 * i + 2] - mean[2]) ** 2;
    sum += r2; max = Math.max(max, r2);
  }
  const nl = buildNeighbourList(s, cutoff);
  let ordered = 0;
  for (let i = 0; i < n; i++) {
    let unlike = 0, like = 0;
    for (let p = nl.offsets[i]; p < nl.offsets[i + 1]; p++) {
      if (s.species[nl.neighbours[p]] === s.species[i]) like++; else unlike++;
    }
    if (unlike === 6 && like === 0) ordered++;
  }
  return { rms: Math.sqrt(sum / n), max: Math.sqrt(max), ordered: ordered / n };
}

const stats = frames.map(frameStats);
const time = (k: number): string => {
  const info = frames[k].info;
  const fs = typeof info.time_fs === 'number' ? info.time_fs : typeof info.time_ps === 'number' ? 1000 * info.time_ps : NaN;
  return Number.isFinite(fs) ? `${(fs / 1000).toFixed(2)} ps` : `frame ${k}`;
};
console.log(`${file}: ${frames.length} frames, ${n} ions; reference = the first; ordered = six unlike and no like neighbour within ${cutoff} Å`);
for (let w = 0; w < windows; w++) {
  const a = Math.floor((w * frames.length) / windows), b = Math.floor(((w + 1) * frames.length) / windows);
  const part = stats.slice(a, b);
  const avg = (f: (x: (typeof stats)[number]) => number): number => part.reduce((t, x) => t + f(x), 0) / part.length;
  console.log(`${time(a)} – ${time(b - 1)} (${part.length} frames): rms displacement ${avg((x) => x.rms).toFixed(2)} Å, ` +
    `max ${Math.max(...part.map((x) => x.max)).toFixed(2)} Å, ordered ${(100 * avg((x) => x.ordered)).toFixed(0)} %`);
}
