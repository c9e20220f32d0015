/** Random ionic configurations for electrostatics tests (seeded; minimum separation; optional triclinic cell). */
import { makeStructure, Rng, type Structure } from '../../src/core/index.js';
import type { FourierKernel } from '../../src/electrostatics/index.js';

export function randomIons(n: number, cell: number[], seed: number, minSep = 1.5, charges?: (i: number) => number): { structure: Structure; charges: Float64Array } {
  const rng = new Rng(seed);
  const pos: number[] = [];
  const periodic = cell.some((x) => x !== 0);
  const box = periodic ? cell : [10, 0, 0, 0, 10, 0, 0, 0, 10];
  let tries = 0;
  while (pos.length < 3 * n) {
    if (++tries > 200000) throw new Error('randomIons: could not place atoms');
    const f = [rng.uniform(), rng.uniform(), rng.uniform()];
    const p = [0, 1, 2].map((k) => f[0] * box[k] + f[1] * box[3 + k] + f[2] * box[6 + k]);
    let ok = true;
    for (let j = 0; j < pos.length && ok; j += 3)
      for (let a = -1; a <= 1 && ok; a++)
        for (let b = -1; b <= 1 && ok; b++)
          for (let c = -1; c <= 1 && ok; c++) {
            if (!periodic && (a || b || c)) continue;
            const d = [0, 1, 2].map((k) => pos[j + k] + a * box[k] + b * box[3 + k] + c * box[6 + k] - p[k]);
            if (Math.hypot(d[0], d[1], d[2]) < minSep) ok = false;
          }
    if (ok) pos.push(...p);
  }
  const q = Float64Array.from({ length: n }, (_, i) => (charges ? charges(i) : i % 2 === 0 ? 1 : -1));
  const structure = makeStructure({ symbols: Array.from({ length: n }, (_, i) => (q[i] > 0 ? 'Na' : 'Cl')), positions: pos, cell: periodic ? cell : undefined });
  return { structure, charges: q };
}

export const TRICLINIC = [7.3, 0, 0, 1.1, 6.9, 0, -0.8, 0.9, 7.6];

/** Gaussian-smeared Yukawa-like kernels F(k²) = 4π e^{−s²k²/2}/(k² + κ²) (finite at 0, include k = 0). */
export function yukawaKernel(s: number, kappa: number): FourierKernel {
  return {
    value: (k2) => (4 * Math.PI * Math.exp(-0.5 * s * s * k2)) / (k2 + kappa * kappa),
    derivative: (k2) => {
      const e = Math.exp(-0.5 * s * s * k2), d = k2 + kappa * kappa;
      return 4 * Math.PI * e * (-0.5 * s * s / d - 1 / (d * d));
    },
    includeZero: true,
  };
}
