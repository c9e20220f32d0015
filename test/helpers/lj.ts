/**
 * A small smooth Lennard-Jones Calculator for tests (md, gradient-checker meta-tests). Test-local: not a project
 * reference potential.
 *
 * φ(r) = 4ε[(σ/r)¹² − (σ/r)⁶]·S(x), x = (r − r_s)/(r_c − r_s), with the C² quintic switch S = 1 − 10x³ + 15x⁴ − 6x⁵
 * on [r_s, r_c] (S = 1 below r_s, 0 beyond r_c), so energy, forces and their first derivatives are continuous.
 * E = Σ_pairs φ(r_ij) over a half neighbour list; for r_ij = r_j + n·A − r_i:
 *   F_i += φ'(r) r̂_ij, F_j −= φ'(r) r̂_ij;  ∂E/∂ε_ab = Σ φ'(r)/r · r_a r_b;  σ = (1/V) ∂E/∂ε (ASE sign).
 */
import { cellVolume, type CalculateOptions, type CalculationResult, type Calculator, type Structure } from '../../src/core/index.js';
import { buildNeighbourList } from '../../src/geometry/index.js';

export interface LennardJonesParams {
  epsilonEv: number;
  sigmaA: number;
  /** Switch start r_s and cutoff r_c, Å. */
  switchA: number;
  cutoffA: number;
}

/** Argon-like defaults: ε = 0.0104 eV, σ = 3.4 Å, switched from 7 to 8.5 Å. */
export const ARGON: LennardJonesParams = { epsilonEv: 0.0104, sigmaA: 3.4, switchA: 7, cutoffA: 8.5 };

export function lennardJones(p: LennardJonesParams = ARGON): Calculator {
  const { epsilonEv: eps, sigmaA: sig, switchA: rs, cutoffA: rc } = p;
  /** [φ(r), φ'(r)] */
  const pair = (r: number): [number, number] => {
    const sr6 = (sig / r) ** 6;
    const v = 4 * eps * (sr6 * sr6 - sr6);
    const dv = (4 * eps * (-12 * sr6 * sr6 + 6 * sr6)) / r;
    if (r <= rs) return [v, dv];
    const w = rc - rs, x = (r - rs) / w;
    const S = 1 - x * x * x * (10 - 15 * x + 6 * x * x);
    const dS = (-30 * x * x * (1 - 2 * x + x * x)) / w;
    return [v * S, dv * S + v * dS];
  };
  return {
    name: 'test-lennard-jones',
    calculate(s: Structure, options: CalculateOptions = {}): CalculationResult {
      const n = s.species.length;
      const nl = buildNeighbourList(s, rc, { half: true });
      const forces = new Float64Array(3 * n);
      const dEdStrain = new Float64Array(9);
      const energies = new Float64Array(n);
      let energy = 0;
      for (let p2 = 0; p2 < nl.count; p2++) {
        const i = nl.centres[p2], j = nl.neighbours[p2], r = nl.distances[p2];
        const [v, dv] = pair(r);
        energy += v;
        energies[i] += v / 2;
        energies[j] += v / 2;
        const f = dv / r;
        for (let a = 0; a < 3; a++) {
          const ra = nl.vectors[3 * p2 + a];
          forces[3 * i + a] += f * ra;
          forces[3 * j + a] -= f * ra;
          for (let b = 0; b < 3; b++) dEdStrain[3 * a + b] += f * ra * nl.vectors[3 * p2 + b];
        }
      }
      const out: CalculationResult = { energyEv: energy, energiesEv: energies };
      if (options.forces ?? true) out.forcesEvPerA = forces;
      const periodic = s.pbc[0] && s.pbc[1] && s.pbc[2];
      if ((options.stress ?? periodic) && periodic) {
        const V = cellVolume(s.cell);
        out.stressEvPerA3 = dEdStrain.map((x) => x / V);
      }
      return out;
    },
  };
}
