/** Random labelled structures for model tests (seeded). */
import { makeStructure, Rng, type Structure } from '../../../src/core/index.js';
import type { Calculator } from '../../../src/core/index.js';
import { createDescriptor } from '../../../src/descriptors/index.js';
import { KernelModel } from '../../../src/model/index.js';

/** n atoms (alternating species A/B, or a random composition) at random positions with a minimum separation in a cubic box of edge L. */
export function randomStructure(rng: Rng, n: number, L: number, symbols: [string, string] = ['Na', 'Cl'], dmin = 1.6, mixed = false): Structure {
  const pos: number[] = [];
  let tries = 0;
  while (pos.length < 3 * n) {
    if (++tries > 100000) throw new Error('randomStructure: could not place atoms');
    const p = [rng.range(0, L), rng.range(0, L), rng.range(0, L)];
    let ok = true;
    for (let k = 0; k < pos.length && ok; k += 3) {
      let d2 = 0;
      for (let a = 0; a < 3; a++) {
        let dx = p[a] - pos[k + a];
        dx -= L * Math.round(dx / L);
        d2 += dx * dx;
      }
      if (d2 < dmin * dmin) ok = false;
    }
    if (ok) pos.push(...p);
  }
  // alternating species, or (mixed) a random composition with at least one atom of each species
  const sym = Array.from({ length: n }, (_, i) => (mixed && i >= 2 ? symbols[rng.int(2)] : symbols[i % 2]));
  // slightly non-cubic cell so that stress components are all exercised
  return makeStructure({ symbols: sym, positions: pos, cell: [L, 0, 0, 0.3, L * 1.05, 0, -0.2, 0.4, L * 0.97] });
}

/** Label structures with a calculator (energy, forces, stress). */
export function label(structures: Structure[], calc: Calculator): Structure[] {
  return structures.map((s) => {
    const r = calc.calculate(s, { forces: true, stress: true });
    return { ...s, labels: { energyEv: r.energyEv, forcesEvPerA: r.forcesEvPerA, stressEvPerA3: r.stressEvPerA3 } };
  });
}

/** A smooth pair potential as an independent labeller (Morse-like, species-dependent depth, cutoff 4 Å, shifted). */
export function morseCalculator(): Calculator {
  const rc = 4;
  const pairE = (r: number, same: boolean): [number, number] => {
    const D = same ? 0.3 : 0.6, a = 1.2, r0 = same ? 2.6 : 2.2;
    const e = Math.exp(-a * (r - r0));
    const fc = 0.5 * (Math.cos((Math.PI * r) / rc) + 1);
    const dfc = (-0.5 * Math.PI * Math.sin((Math.PI * r) / rc)) / rc;
    const v = D * (e * e - 2 * e);
    const dv = D * (-2 * a * e * e + 2 * a * e);
    return [v * fc, dv * fc + v * dfc];
  };
  return {
    name: 'morse',
    calculate(s, _o) {
      const n = s.species.length;
      const f = new Float64Array(3 * n);
      const st = new Float64Array(9);
      let E = 0;
      const c = s.cell;
      const vol = Math.abs(c[0] * (c[4] * c[8] - c[5] * c[7]) - c[1] * (c[3] * c[8] - c[5] * c[6]) + c[2] * (c[3] * c[7] - c[4] * c[6]));
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++)
          for (let a = -2; a <= 2; a++)
            for (let b = -2; b <= 2; b++)
              for (let cc = -2; cc <= 2; cc++) {
                if (i === j && a === 0 && b === 0 && cc === 0) continue;
                const v = [0, 1, 2].map((k) => s.positions[3 * j + k] + a * c[k] + b * c[3 + k] + cc * c[6 + k] - s.positions[3 * i + k]);
                const r = Math.hypot(v[0], v[1], v[2]);
                if (r >= rc) continue;
                const [e, de] = pairE(r, s.species[i] === s.species[j]);
                E += 0.5 * e;
                for (let k = 0; k < 3; k++) {
                  const g = (0.5 * de * v[k]) / r;
                  f[3 * j + k] -= g;
                  f[3 * i + k] += g;
                  for (let l = 0; l < 3; l++) st[3 * k + l] += (g * v[l]) / vol;
                }
              }
      return { energyEv: E - 1.5 * n, forcesEvPerA: f, stressEvPerA3: st };
    },
  };
}

/** A small sr KernelModel (Na, Cl; 6 random references each, ζ = 4) for tests of the calculate path, not of accuracy. */
export function randomSrModel(): KernelModel {
  const descriptor = { kind: 'sr', species: ['Na', 'Cl'], hypers: {} };
  const D = createDescriptor(descriptor).width, rng = new Rng(4), m = 6;
  const species = ['Na', 'Cl'].map((s) => ({
    species: s, features: Float64Array.from({ length: m * D }, () => rng.range(0, 1)),
    weights: Float64Array.from({ length: m }, () => rng.range(-1, 1)), referenceEnergyEv: -1,
  }));
  return new KernelModel({ descriptor, kernel: { kind: 'polynomial', hypers: { zeta: 4 } }, species });
}
