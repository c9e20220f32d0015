/**
 * Where the density response of a one-density sr+lr fit comes from (issue 13 item 3, xTB MD case): fit sr+lr on the
 * 81 one-density frames of data/nacl-liquid-xtb-md.xyz, then on the first `nTest` frames of each density of
 * data/nacl-liquid-xtb.xyz report
 *   1. the mean signed energy error per atom (bias) and its spread, for the full model and for its short-range and
 *      long-range parts alone (block weights set to 0), against the reference mean energy per atom;
 *   2. the long-range energy shift Σ_t (N_t/N) W_t·Δz̄_t (W_t = Σ_b w_b z_b, the per-species weight in whitened
 *      coordinates; Δz̄_t = structure-mean whitened features minus their training mean), split over the eigenvectors
 *      of the training covariance of the structure means (both species concatenated), with the shift in training
 *      standard deviations (Δ/sd) along each.
 *
 *   node --import tsx scripts/analysis/lr-density-decompose.ts [refs=50] [nTest=30]
 */
import type { Structure } from '../../src/core/index.js';
import { ComputeContext } from '../../src/descriptors/index.js';
import { loadStructures } from '../../src/api/io.js';
import { sortSpecies } from '../../src/api/describe.js';
import { resolveDescriptor } from '../../src/api/fit.js';
import { fitKernelModel, KernelModel } from '../../src/model/index.js';
import { symmetricEigen } from '../../src/math/index.js';

interface Part { weight?: number; columns: [number, number][]; kernel: { hypers: { center: number[]; transform: number[][] } } }

const refs = Number(process.argv[2] ?? 50), nTest = Number(process.argv[3] ?? 30);
const all = loadStructures('data/nacl-liquid-xtb.xyz').structures;
const train = loadStructures('data/nacl-liquid-xtb-md.xyz').structures.slice(0, 81);
const edge = (s: Structure): number => Math.round(Math.cbrt(s.cell[0] * s.cell[4] * s.cell[8]) * 1000) / 1000;
const groups = new Map<number, Structure[]>();
for (const s of all) {
  const L = edge(s);
  if (!groups.has(L)) groups.set(L, []);
  groups.get(L)!.push(s);
}
const sorted = [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([L, g]) => [L, g.slice(0, nTest)] as const);
const species = sortSpecies(all.flatMap((s) => s.symbols));
const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
const perAtom = (m: KernelModel, s: Structure): number => m.calculate(s, { forces: false, stress: false }).energyEv / s.species.length;
const ref = (s: Structure): number => s.labels.energyEv! / s.species.length;

const { model } = fitKernelModel(train, { descriptor: resolveDescriptor('sr+lr', species), selection: { count: refs } });
const p = model.params;
const scaled = (ws: number[]): KernelModel => {
  const k = JSON.parse(JSON.stringify(p.kernel)) as { hypers: { parts: Part[] } };
  k.hypers.parts.forEach((q, i) => (q.weight = (q.weight ?? 1) * ws[i]));
  return new KernelModel({ ...p, kernel: k as unknown as typeof p.kernel, covarianceFactor: undefined });
};
console.log(`1. energy per atom (meV): reference mean, and mean signed error ± spread per density (first ${nTest} frames)`);
console.log(`   reference: ${sorted.map(([L, g]) => `L=${L} ${(1000 * mean(g.map(ref))).toFixed(0)}`).join(' | ')}`);
for (const [name, m] of [['sr+lr', model], ['sr part', scaled([1, 0])], ['lr part', scaled([0, 1])]] as const) {
  const trainBias = 1000 * mean(train.map((s) => perAtom(m, s) - ref(s)));
  const cols = sorted.map(([L, g]) => {
    const e = g.map((s) => 1000 * (perAtom(m, s) - ref(s)));
    const mu = mean(e);
    return `L=${L} ${mu.toFixed(1)} ± ${Math.sqrt(mean(e.map((x) => (x - mu) ** 2))).toFixed(1)}`;
  });
  console.log(`   ${name.padEnd(8)} train ${trainBias.toFixed(1)} | ${cols.join(' | ')}`);
}

// 2. long-range shift over structure-mean eigen-directions
const part = (p.kernel.hypers as unknown as { parts: Part[] }).parts[1];
const T = part.kernel.hypers.transform, c = part.kernel.hypers.center;
const cols: number[] = [];
for (const [a, b] of part.columns) for (let q = a; q < b; q++) cols.push(q);
const R = T.length, D = model.descriptor.width, ns = model.refs.species.length, dim = ns * R;
const zbar = (s: Structure): Float64Array => {
  const x = model.descriptor.compute(s, new ComputeContext(s)).features.data;
  const out = new Float64Array(dim), n = new Float64Array(ns);
  for (let i = 0; i < s.species.length; i++) {
    const t = model.refs.species.indexOf(s.symbols[s.species[i]]);
    n[t]++;
    for (let q = 0; q < R; q++) {
      let a = 0;
      for (let k = 0; k < cols.length; k++) a += T[q][k] * (x[i * D + cols[k]] - c[k]);
      out[t * R + q] += a;
    }
  }
  return out.map((v, k) => v / n[Math.floor(k / R)]);
};
const frac = model.refs.species.map((sym) => mean(train.map((s) => s.species.filter((t) => s.symbols[t] === sym).length / s.species.length)));
const Wf = new Float64Array(dim);
model.refs.species.forEach((_, t) => {
  const z = (model.refs.prepared[t] as unknown as { parts: { t: Float64Array }[] }).parts[1].t, off = model.refs.offsets[t];
  for (let b = 0; b < model.refs.counts[t]; b++) for (let q = 0; q < R; q++) Wf[t * R + q] += model.weights[off + b] * z[b * R + q] * (part.weight ?? 1) * frac[t];
});
const tr = train.map(zbar);
const mu = new Float64Array(dim), C = new Float64Array(dim * dim);
for (const f of tr) for (let k = 0; k < dim; k++) mu[k] += f[k] / tr.length;
for (const f of tr) for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) C[a * dim + b] += ((f[a] - mu[a]) * (f[b] - mu[b])) / tr.length;
const { values, vectors } = symmetricEigen(C, dim);
const lmax = values[dim - 1];
console.log(`2. long-range shift Σ_t (N_t/N) W_t·Δz̄_t (meV/atom) over eigen-directions λ of the training structure-mean covariance (λ > 1e-12 λ_max; Δ/sd = shift in training sd)`);
for (const [L, g] of sorted) {
  const m = new Float64Array(dim);
  for (const s of g) zbar(s).forEach((v, k) => (m[k] += v / g.length));
  const dz = m.map((v, k) => v - mu[k]);
  const parts: string[] = [];
  let total = 0;
  for (let e = dim - 1; e >= 0; e--) {
    let pr = 0, wp = 0;
    for (let k = 0; k < dim; k++) {
      pr += vectors[k * dim + e] * dz[k];
      wp += vectors[k * dim + e] * Wf[k];
    }
    total += 1000 * pr * wp;
    if (values[e] > 1e-12 * lmax) parts.push(`λ ${values[e].toExponential(1)}: Δ/sd ${(pr / Math.sqrt(values[e])).toFixed(1)}, ${(1000 * pr * wp).toFixed(0)}`);
  }
  console.log(`   L=${L}: total ${total.toFixed(0)}\n     ${parts.join('\n     ')}`);
}
