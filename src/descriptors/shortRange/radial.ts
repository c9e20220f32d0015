/**
 * Radial (2-body) descriptor X⁽²⁾, kind 'radial' (science.md §1.4; VASP ML_RCUT1, ML_SION1, ML_MRB1):
 *
 *   X⁽²⁾_{i,Jn} = c^{iJ}_{n00} = Y₀₀ Σ_{j∈J, j≠i} h_{n0}(r_ij),   J over the species universe, n = 1..nmax,
 * with h_{n0} the Gaussian projection onto the spherical-Bessel basis (radial/gaussianProjection.ts). Columns are
 * J-major: column J·nmax + (n−1), label `radial:<J>:n<n>`. All periodic images within R_cut count (also of i).
 * Reverse pass: dE/dr_ij = Y₀₀ Σ_n (dE/dX_{i,Jn}) h'_{n0}(r_ij) r̂_ij; positions and strain via accumulatePair.
 * Cost: O(pairs · nmax) forward and backward; saved state: none (neighbour list lives in the context).
 */
import type { Structure } from '../../core/index.js';
import { FarfieldError } from '../../core/index.js';
import type { ComputeContext } from '../context.js';
import { speciesMap, type Descriptor, type DescriptorGradients, type DescriptorOutput, type DescriptorSpec } from '../descriptor.js';
import { gaussianProjection, type GaussianProjection } from '../radial/index.js';
import { resolveRadialHypers, type RadialHypers } from './hypers.js';
import { accumulatePair, checkSpeciesUniverse } from './common.js';

const Y00 = 1 / (2 * Math.sqrt(Math.PI));

export class RadialDescriptor implements Descriptor {
  readonly kind = 'radial';
  readonly species: readonly string[];
  readonly cutoffA: number;
  readonly labels: readonly string[];
  readonly width: number;
  readonly hypers: RadialHypers;
  readonly projection: GaussianProjection;
  private readonly h: Float64Array;
  private readonly dh: Float64Array;

  constructor(species: readonly string[], hypers: unknown = {}) {
    this.species = checkSpeciesUniverse(species, 'radial descriptor');
    this.hypers = resolveRadialHypers(hypers);
    const { cutoffA, smearingA, nmax } = this.hypers;
    this.cutoffA = cutoffA;
    this.projection = gaussianProjection(cutoffA, smearingA, nmax, 0);
    this.width = this.species.length * nmax;
    this.labels = this.species.flatMap((J) => Array.from({ length: nmax }, (_, n) => `radial:${J}:n${n + 1}`));
    this.h = new Float64Array(nmax);
    this.dh = new Float64Array(nmax);
  }

  compute(structure: Structure, ctx: ComputeContext): DescriptorOutput {
    const map = speciesMap(structure, this.species, 'radial descriptor');
    const nl = ctx.neighbours(this.cutoffA);
    const N = this.hypers.nmax, W = this.width, nat = structure.species.length, h = this.h;
    const X = new Float64Array(nat * W);
    for (let p = 0; p < nl.count; p++) {
      const i = nl.centres[p], j = nl.neighbours[p];
      this.projection.evaluate(nl.distances[p], h);
      const o = i * W + map[structure.species[j]] * N;
      for (let n = 0; n < N; n++) X[o + n] += Y00 * h[n];
    }
    return { features: { rows: nat, cols: W, data: X, labels: [...this.labels] }, saved: null };
  }

  backward(structure: Structure, ctx: ComputeContext, _saved: unknown, dEdX: Float64Array): DescriptorGradients {
    const nat = structure.species.length, W = this.width, N = this.hypers.nmax;
    if (dEdX.length !== nat * W) throw new FarfieldError('INVALID_INPUT', `radial descriptor backward: dE/dX has ${dEdX.length} entries, expected ${nat}×${W}`);
    const map = speciesMap(structure, this.species, 'radial descriptor');
    const nl = ctx.neighbours(this.cutoffA);
    const positions = new Float64Array(3 * nat), strain = new Float64Array(9), h = this.h, dh = this.dh;
    for (let p = 0; p < nl.count; p++) {
      const i = nl.centres[p], j = nl.neighbours[p], r = nl.distances[p];
      const o = i * W + map[structure.species[j]] * N;
      this.projection.evaluateWithDerivative(r, h, dh);
      let s = 0;
      for (let n = 0; n < N; n++) s += dEdX[o + n] * dh[n];
      if (s === 0) continue;
      const rx = nl.vectors[3 * p], ry = nl.vectors[3 * p + 1], rz = nl.vectors[3 * p + 2], f = (Y00 * s) / r;
      accumulatePair(positions, strain, i, j, f * rx, f * ry, f * rz, rx, ry, rz);
    }
    return { positions, strain };
  }

  toJSON(): DescriptorSpec {
    return { kind: 'radial', species: [...this.species], hypers: { ...this.hypers } };
  }
}
