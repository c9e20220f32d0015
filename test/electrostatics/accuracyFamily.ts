/**
 * A seeded family of ionic cells for accuracy checks of the tuned solvers (issue 13 item 2): reduced triclinic
 * cells (lower-triangular rows a = (Lx,0,0), b = (xy,Ly,0), c = (xz,yz,Lz) with |xy|, |xz| ≤ Lx/2 and |yz| ≤ Ly/2,
 * some at the limits), edge ratios up to 1:10, vacuum fractions up to 95 % (ions confined to a sub-box of the cell
 * along one, two or three directions), 2 … 4096 ions (log-uniform; cells 27, 55, … exactly 4096), charges ±1, +2/−1 or random fractional (neutral cells).
 * Ions sit on a jittered sub-grid of the occupied region (O(N), minimum separation ≳ 0.3 of the grid spacing),
 * at an occupied-region number density of 0.015 … 0.045 Å⁻³. Plus the two reproductions: a 64-ion cell
 * with the unreduced sheared lattice `a 0 0 a a 0 −a −a a`, and two ions in a 1000 Å box.
 */
import { Rng, makeStructure, type Structure } from '../../src/core/index.js';

export interface FamilyCell {
  name: string;
  structure: Structure;
  charges: Float64Array;
  /** Requested relative accuracy for this cell. */
  accuracy: number;
}

const ACCURACIES = [1e-4, 1e-5, 1e-6, 1e-7];

function place(rng: Rng, n: number, cell: number[], extent: number[]): number[] {
  // grid over the occupied fractional box, cells roughly cubic in Cartesian space
  const lens = [0, 1, 2].map((d) => Math.hypot(cell[3 * d], cell[3 * d + 1], cell[3 * d + 2]) * extent[d]);
  const unit = Math.cbrt((lens[0] * lens[1] * lens[2]) / n);
  const g = lens.map((l) => Math.max(1, Math.round(l / unit)));
  while (g[0] * g[1] * g[2] < n) { const d = lens.map((l, k) => l / g[k]).indexOf(Math.max(...lens.map((l, k) => l / g[k]))); g[d]++; }
  const total = g[0] * g[1] * g[2];
  const idx = Int32Array.from({ length: total }, (_, k) => k);
  for (let k = total - 1; k > 0; k--) { const j = rng.int(k + 1); const t = idx[k]; idx[k] = idx[j]; idx[j] = t; }
  const pos: number[] = [];
  for (let a = 0; a < n; a++) {
    const k = idx[a];
    const c = [Math.floor(k / (g[1] * g[2])), Math.floor(k / g[2]) % g[1], k % g[2]];
    const f = [0, 1, 2].map((d) => (extent[d] * (c[d] + 0.5 + rng.range(-0.35, 0.35))) / g[d]);
    for (let x = 0; x < 3; x++) pos.push(f[0] * cell[x] + f[1] * cell[3 + x] + f[2] * cell[6 + x]);
  }
  return pos;
}

function chargesFor(rng: Rng, n: number, kind: number): Float64Array {
  const q = new Float64Array(n);
  if (kind === 1 && n % 3 === 0) for (let i = 0; i < n; i++) q[i] = i < n / 3 ? 2 : -1;
  else if (kind === 2 && n > 2) {
    let s = 0;
    for (let i = 0; i < n; i++) { q[i] = rng.normal() * 0.8; s += q[i]; }
    for (let i = 0; i < n; i++) q[i] -= s / n;
  } else for (let i = 0; i < n; i++) q[i] = i % 2 === 0 ? 1 : -1;
  if (n % 2 === 1 && kind === 0) q[n - 1] = 0;
  // shuffle so that charge and position are uncorrelated
  for (let k = n - 1; k > 0; k--) { const j = rng.int(k + 1); const t = q[k]; q[k] = q[j]; q[j] = t; }
  return q;
}

/** The k-th cell of the family (deterministic in k). */
export function familyCell(k: number, maxIons = 4096): FamilyCell {
  const rng = new Rng(1000 + k);
  // ions: log-uniform 2 … 4096, capped
  const drawn = Math.max(2, Math.round(Math.exp(rng.range(Math.log(2), Math.log(4096)))));
  // cells 27, 55, … carry the largest size (4096 unless capped)
  const n = Math.min(maxIons, k % 28 === 27 ? 4096 : drawn);
  const vacuum = [0, 0, 0.3, 0.6, 0.8, 0.9, 0.95][rng.int(7)];
  const dirs = 1 + rng.int(3);
  const extent = [1, 1, 1];
  for (let d = 0; d < dirs; d++) extent[d] = Math.pow(1 - vacuum, 1 / dirs);
  const rho = rng.range(0.015, 0.045);
  const volume = n / (rho * (1 - vacuum));
  // edge ratios up to 1:10 (log-uniform per edge, normalised), shuffled
  const r = [1, Math.exp(rng.range(0, Math.log(10))), Math.exp(rng.range(0, Math.log(10)))];
  const tilt = (limit: number): number => (rng.uniform() < 0.25 ? (rng.uniform() < 0.5 ? -1 : 1) * limit : rng.range(-limit, limit));
  const first = rng.int(3), second = (first + 1 + rng.int(2)) % 3; // a random permutation of r
  const sx = r[first], sy = r[second], sz = r[3 - first - second];
  const prodR = Math.cbrt(sx * sy * sz);
  const L = Math.cbrt(volume) / prodR;
  const Lx = L * sx, Ly = L * sy, Lz = L * sz;
  const cell = [Lx, 0, 0, tilt(Lx / 2), Ly, 0, tilt(Lx / 2), tilt(Ly / 2), Lz];
  const kind = rng.int(3);
  const q = chargesFor(rng, n, kind);
  const positions = place(rng, n, cell, extent);
  const accuracy = ACCURACIES[rng.int(ACCURACIES.length)];
  const structure = makeStructure({ symbols: Array.from(q, (x) => (x > 0 ? 'Na' : 'Cl')), positions, cell });
  const name = `#${k} N=${n} vac=${vacuum}/${dirs}d edges=${[Lx, Ly, Lz].map((x) => x.toFixed(1)).join(':')} q=${['±1', '+2/−1', 'frac'][kind]}`;
  return { name, structure, charges: q, accuracy };
}

/** The reproductions: frame-0-like 64-ion cell on the sheared lattice, two ions in a 1000 Å box. */
export function reproductionCells(toyFrame0?: Structure, toyCharges?: Float64Array): FamilyCell[] {
  const out: FamilyCell[] = [];
  if (toyFrame0 && toyCharges) {
    const a = toyFrame0.cell[0];
    const cell = [a, 0, 0, a, a, 0, -a, -a, a];
    out.push({ name: 'toy frame 0, sheared lattice a 0 0 a a 0 -a -a a', structure: makeStructure({ symbols: toyFrame0.symbols.length ? Array.from(toyFrame0.species, (s) => toyFrame0.symbols[s]) : [], positions: toyFrame0.positions, cell }), charges: toyCharges, accuracy: 1e-6 });
  }
  out.push({ name: 'two ions in a 1000 Å box', structure: makeStructure({ symbols: ['Na', 'Cl'], positions: [500, 500, 500, 503.1, 501.2, 499.4], cell: [1000, 0, 0, 0, 1000, 0, 0, 0, 1000] }), charges: Float64Array.from([1, -1]), accuracy: 1e-6 });
  return out;
}
