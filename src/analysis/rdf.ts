/**
 * Radial distribution functions g_AB(r) averaged over frames of a periodic trajectory.
 *
 * g_AB(r) = V / (N_A N_B') · ⟨Σ_{i∈A} Σ_{j∈B, j≠i} δ(r − r_ij)⟩ / (4π r² dr), with N_B' = N_B − δ_AB·1/… handled
 * exactly as ASE/VMD do: for A = B the normalisation uses N_A (N_A − 1) ordered pairs, for A ≠ B N_A·N_B.
 * Shell volumes are exact: 4π/3 (r_{k+1}³ − r_k³). Pairs come from the periodic neighbour list (all images), so
 * rMax may exceed half the box. Units: Å; g is dimensionless.
 */
import { FarfieldError, cellVolume, type Structure } from '../core/index.js';
import { buildNeighbourList } from '../geometry/index.js';

export interface RdfOptions {
  /** Largest distance, Å (default 8). */
  rMaxA?: number;
  /** Number of bins (default 160). */
  bins?: number;
}

export interface RdfResult {
  /** Bin centres, Å. */
  r: Float64Array;
  /** One curve per species pair, keyed 'A-B' with A ≤ B in the order of `species`. */
  curves: Record<string, Float64Array>;
  species: string[];
  frames: number;
}

export function radialDistribution(frames: readonly Structure[], options: RdfOptions = {}): RdfResult {
  const rMax = options.rMaxA ?? 8;
  const bins = options.bins ?? 160;
  if (!(rMax > 0) || !(bins >= 1)) throw new FarfieldError('INVALID_INPUT', 'rdf: rMax and bins must be positive');
  if (frames.length === 0) throw new FarfieldError('INVALID_INPUT', 'rdf: no frames');
  const species = [...new Set(frames.flatMap((f) => f.symbols))].sort();
  const ns = species.length;
  const dr = rMax / bins;
  const hist = Array.from({ length: ns * ns }, () => new Float64Array(bins));
  const norm = new Float64Array(ns * ns); // Σ over frames of N_A N_B' / V
  for (const s of frames) {
    if (!(s.pbc[0] && s.pbc[1] && s.pbc[2])) throw new FarfieldError('INVALID_INPUT', 'rdf: frames must be fully periodic');
    const map = s.symbols.map((sym) => species.indexOf(sym));
    const counts = new Float64Array(ns);
    for (let i = 0; i < s.species.length; i++) counts[map[s.species[i]]]++;
    const v = cellVolume(s.cell);
    for (let a = 0; a < ns; a++)
      for (let b = 0; b < ns; b++) norm[a * ns + b] += (counts[a] * (a === b ? counts[a] - 1 : counts[b])) / v;
    const nl = buildNeighbourList(s, rMax);
    for (let p = 0; p < nl.count; p++) {
      const k = Math.floor(nl.distances[p] / dr);
      if (k >= bins) continue;
      const a = map[s.species[nl.centres[p]]], b = map[s.species[nl.neighbours[p]]];
      hist[a * ns + b][k] += 1;
    }
  }
  const r = new Float64Array(bins);
  const shell = new Float64Array(bins);
  for (let k = 0; k < bins; k++) {
    r[k] = (k + 0.5) * dr;
    shell[k] = ((4 * Math.PI) / 3) * (((k + 1) * dr) ** 3 - (k * dr) ** 3);
  }
  const curves: Record<string, Float64Array> = {};
  for (let a = 0; a < ns; a++)
    for (let b = a; b < ns; b++) {
      const g = new Float64Array(bins);
      const nrm = norm[a * ns + b];
      for (let k = 0; k < bins; k++) g[k] = nrm > 0 ? hist[a * ns + b][k] / (nrm * shell[k]) : 0;
      curves[`${species[a]}-${species[b]}`] = g;
    }
  return { r, curves, species, frames: frames.length };
}
