/**
 * Rank correlation (Spearman's ρ): the Pearson correlation of the ranks, tied values sharing their average rank.
 * Used to check that an uncertainty orders errors (docs/uncertainty.md).
 */

/** Ranks 0 … n−1 of v, ties given the mean of the ranks they span. */
export function ranks(v: readonly number[]): number[] {
  const idx = v.map((x, i): [number, number] => [x, i]).sort((p, q) => p[0] - q[0]);
  const r = new Array<number>(v.length);
  for (let k = 0; k < idx.length;) {
    let e = k;
    while (e + 1 < idx.length && idx[e + 1][0] === idx[k][0]) e++;
    for (let q = k; q <= e; q++) r[idx[q][1]] = (k + e) / 2;
    k = e + 1;
  }
  return r;
}

/** Spearman's rank correlation of x and y (same length ≥ 2; NaN when either is constant). */
export function spearman(x: readonly number[], y: readonly number[]): number {
  const a = ranks(x), b = ranks(y), n = a.length;
  const ma = a.reduce((p, q) => p + q, 0) / n, mb = b.reduce((p, q) => p + q, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) ** 2; sbb += (b[i] - mb) ** 2; }
  return sab / Math.sqrt(saa * sbb);
}

/**
 * Per-atom calibration pairs of a force uncertainty: |σ_i| = the norm of atom i's three component standard deviations
 * and |F_i − F_i^ref| = its actual force error (all arrays 3N, atom-major). Feed both to `spearman` to see whether σ
 * orders the errors (issue 15's calibration check, docs/uncertainty.md).
 */
export function perAtomForceCalibration(
  sigma: ArrayLike<number>, predicted: ArrayLike<number>, reference: ArrayLike<number>,
): { sigma: number[]; error: number[] } {
  const n = sigma.length / 3, s: number[] = [], e: number[] = [];
  for (let i = 0; i < n; i++) {
    s.push(Math.hypot(sigma[3 * i], sigma[3 * i + 1], sigma[3 * i + 2]));
    e.push(Math.hypot(predicted[3 * i] - reference[3 * i], predicted[3 * i + 1] - reference[3 * i + 1], predicted[3 * i + 2] - reference[3 * i + 2]));
  }
  return { sigma: s, error: e };
}
