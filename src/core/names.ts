/**
 * Closest-name suggestions for misspelled keys and kinds ("unknown hyperparameter 'rcutt'; did you mean 'rcut'?"),
 * shared by the config validation of `api/` and the hyperparameter checks of descriptors and kernels.
 * Distance: Levenshtein (minimum number of single-character insertions, deletions and substitutions), case-insensitive.
 */

/** Levenshtein edit distance of two strings (two-row dynamic programme, O(|a|·|b|)). */
export function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** The candidate closest to `name` (ties: the first listed), or undefined when there are none. */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined, bestD = Infinity;
  for (const c of candidates) {
    const d = levenshtein(name.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

/** "; did you mean 'y'?" for the closest of `known`, or '' when there is none. */
export function didYouMean(name: string, known: readonly string[]): string {
  const c = closestName(name, known);
  return c !== undefined ? `; did you mean '${c}'?` : '';
}
