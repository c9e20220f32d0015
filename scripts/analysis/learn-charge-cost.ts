/**
 * Cost of on-the-fly learning with a learned-charge kind (api/learnCharges.ts; docs/learn.md "Learned-charge
 * kinds"): CPU time of one full charge fit (what every refit of a charge kind runs) on k = 4, 8, 16, 32 toy NaCl
 * frames of 8 ions, and the median CPU time of a learn step's evaluation (exact σ of the ε part + the charge model's
 * energy/forces/stress) vs the ε part's σ step alone. Reduced hypers of test/api/learnCharges.test.ts unless
 * `default` is given.
 *
 *   node --import tsx scripts/analysis/learn-charge-cost.ts [sr+q|sr+qeq|…] [default]
 */
import { fitChargeKind, posteriorPart, evaluateChargeStep } from '../../src/api/learnCharges.js';
import { evaluateStep } from '../../src/api/learnUncertainty.js';
import { resolveThreshold } from '../../src/api/learnConfig.js';
import { initialThresholdState } from '../../src/api/learnThreshold.js';
import { toyNaClDataset } from '../../src/api/web.js';
const H = { radial: { nmax: 8, cutoffA: 6 }, angular: { nmax: 4, lmax: 2, cutoffA: 4.5 } };
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const med = (a: number[]) => a.slice().sort((x, y) => x - y)[a.length >> 1];
const kind = process.argv[2] ?? 'sr+q';
const hyp = process.argv[3] === 'default' ? undefined : H;
for (const k of [4, 8, 16, 32]) {
  const frames = toyNaClDataset({ frames: k, repeat: 1, seed: 5 });
  const t0 = cpu();
  const m = fitChargeKind(kind, frames, ['Na', 'Cl'], hyp, {});
  const fit = cpu() - t0;
  const eps = posteriorPart(m), c = resolveThreshold({ forceSigma: 'exact' });
  const s = frames[0];
  const a: number[] = [], b: number[] = [];
  for (let r = 0; r < 5; r++) {
    let t = cpu(); evaluateChargeStep(m, eps, s, initialThresholdState(c), c, 1); a.push(cpu() - t);
    t = cpu(); evaluateStep(eps, s, initialThresholdState(c), c, 1); b.push(cpu() - t);
  }
  console.log(`${kind} ${hyp ? 'tiny' : 'default'} hypers: ${k} frames × 8 ions: charge fit ${fit.toFixed(2)} s CPU; step (exact σ) ${(1000 * med(a)).toFixed(1)} ms vs ε part alone ${(1000 * med(b)).toFixed(1)} ms`);
}
