/**
 * A small smooth two-body descriptor for model tests (kind 'test-pair'), registered through the descriptor
 * contract so the model code sees it exactly like `sr`:
 *   X_i[J·n_G + n] = Σ_{j∈J} exp(−(r_ij − μ_n)²/(2w²)) · f_c(r_ij),  f_c(r) = ½[cos(π r/r_c) + 1] (r < r_c),
 * μ_n = r_c·(n+1)/(n_G+1). Exact reverse pass (positions and strain, dE/dε_αβ = Σ_pairs (∂E/∂r_ij)_α (r_ij)_β),
 * answering batches with one batched pass (vjpByBatches), or with hypers.batched = false by a loop of single passes
 * (vjpByLoop), to exercise both generic adapters.
 */
import { type Structure } from '../../../src/core/index.js';
import {
  DESCRIPTORS, singleBlock, speciesMap, vjpByBatches, vjpByLoop, type ComputeContext, type Descriptor, type DescriptorGradients,
  type DescriptorOutput,
} from '../../../src/descriptors/index.js';

interface Saved {
  /** d(feature)/dr per pair and gaussian: pairs × nG. */
  dphi: Float64Array;
  cutoff: number;
}

export function pairDescriptor(species: readonly string[], hypers: Record<string, unknown>): Descriptor<Saved> {
  const rc = (hypers.cutoffA as number | undefined) ?? 4;
  const nG = (hypers.gaussians as number | undefined) ?? 5;
  const w = (hypers.widthA as number | undefined) ?? 0.6;
  const batched = (hypers.batched as boolean | undefined) ?? true;
  const ns = species.length;
  const width = ns * nG;
  const labels: string[] = [];
  for (const s of species) for (let n = 0; n < nG; n++) labels.push(`pair:${s}:${n}`);
  const mu = Float64Array.from({ length: nG }, (_, n) => (rc * (n + 1)) / (nG + 1));

  const compute = (structure: Structure, ctx: ComputeContext): DescriptorOutput<Saved> => {
    const map = speciesMap(structure, species, 'test-pair');
    const nl = ctx.neighbours(rc);
    const n = structure.species.length;
    const x = new Float64Array(n * width);
    const dphi = new Float64Array(nl.count * nG);
    for (let p = 0; p < nl.count; p++) {
      const i = nl.centres[p], j = nl.neighbours[p], r = nl.distances[p];
      const J = map[structure.species[j]];
      const fc = 0.5 * (Math.cos((Math.PI * r) / rc) + 1);
      const dfc = (-0.5 * Math.PI * Math.sin((Math.PI * r) / rc)) / rc;
      for (let k = 0; k < nG; k++) {
        const u = (r - mu[k]) / w;
        const g = Math.exp(-0.5 * u * u);
        x[i * width + J * nG + k] += g * fc;
        dphi[p * nG + k] = g * dfc + fc * g * (-u / w);
      }
    }
    return { features: { rows: n, cols: width, data: x, labels }, saved: { dphi, cutoff: rc } satisfies Saved };
  };

  const backwardOne = (structure: Structure, ctx: ComputeContext, saved: Saved, g: Float64Array, pos: Float64Array, strain: Float64Array, map: Int32Array): void => {
    const nl = ctx.neighbours(rc);
    for (let p = 0; p < nl.count; p++) {
      const i = nl.centres[p], j = nl.neighbours[p], r = nl.distances[p];
      const J = map[structure.species[j]];
      let s = 0;
      for (let k = 0; k < nG; k++) s += g[i * width + J * nG + k] * saved.dphi[p * nG + k];
      if (s === 0) continue;
      for (let a = 0; a < 3; a++) {
        const ga = (s * nl.vectors[3 * p + a]) / r; // ∂E/∂(r_ij)_a
        pos[3 * j + a] += ga;
        pos[3 * i + a] -= ga;
        for (let b = 0; b < 3; b++) strain[3 * a + b] += ga * nl.vectors[3 * p + b];
      }
    }
  };

  const backward = (structure: Structure, ctx: ComputeContext, saved: Saved, dEdX: Float64Array): DescriptorGradients => {
    const map = speciesMap(structure, species, 'test-pair');
    const pos = new Float64Array(3 * structure.species.length);
    const strain = new Float64Array(9);
    backwardOne(structure, ctx, saved, dEdX, pos, strain, map);
    return { positions: pos, strain };
  };
  const backwardMany = (structure: Structure, ctx: ComputeContext, saved: Saved, dEdX: Float64Array, count: number): DescriptorGradients => {
    const map = speciesMap(structure, species, 'test-pair');
    const n = structure.species.length;
    const pos = new Float64Array(count * 3 * n);
    const strain = new Float64Array(count * 9);
    for (let c = 0; c < count; c++)
      backwardOne(structure, ctx, saved, dEdX.subarray(c * n * width, (c + 1) * n * width),
        pos.subarray(c * 3 * n, (c + 1) * 3 * n), strain.subarray(c * 9, c * 9 + 9), map);
    return { positions: pos, strain };
  };

  return {
    kind: 'test-pair',
    species: [...species],
    cutoffA: rc,
    labels,
    width,
    columnBlocks: singleBlock('test-pair', width, { bodyOrder: 2, range: 'short', linear: null, speciesChannels: ns }),
    compute,
    vjp(structure, ctx, saved, up): DescriptorGradients {
      const n = structure.species.length;
      return batched
        ? vjpByBatches(up, n, width, (g, count) => backwardMany(structure, ctx, saved, g, count))
        : vjpByLoop(up, n, width, (g) => backward(structure, ctx, saved, g));
    },
    toJSON: () => ({ kind: 'test-pair', species: [...species], hypers: { ...hypers } }),
  };
}

if (!DESCRIPTORS.has('test-pair')) DESCRIPTORS.register('test-pair', pairDescriptor);
