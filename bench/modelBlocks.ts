/** Bench helpers for loaded models: the FKK block of a (possibly composite) descriptor; interleaved MD step timing. */
import type { Structure } from '../src/core/index.js';
import { FkkDescriptor, type Descriptor } from '../src/descriptors/index.js';
import { createIntegrator } from '../src/md/index.js';
import type { KernelModel } from '../src/model/index.js';

/** The first FkkDescriptor in `d` or its blocks (depth first), or null. */
export function findFkk(d: Descriptor): FkkDescriptor | null {
  if (d instanceof FkkDescriptor) return d;
  for (const b of (d as { blocks?: readonly Descriptor[] }).blocks ?? []) {
    const f = findFkk(b);
    if (f) return f;
  }
  return null;
}

/**
 * Median CPU ms per velocity-Verlet step (1 fs, 1200 K start, seed 1) of each model on `s0`, the models stepped in turn
 * (interleaved, so load changes hit all alike): `warm` untimed rounds, then `timed` timed ones.
 */
export function interleavedStepMedians(models: readonly KernelModel[], s0: Structure, warm: number, timed: number): number[] {
  const runs = models.map((m) => {
    const integ = createIntegrator(m, { kind: 'verlet', timestepFs: 1 });
    return { integ, state: integ.init(s0, { temperatureK: 1200, seed: 1 }), t: [] as number[] };
  });
  for (let k = 0; k < warm + timed; k++)
    for (const r of runs) {
      const c0 = process.cpuUsage();
      r.integ.step(r.state);
      const c = process.cpuUsage(c0);
      if (k >= warm) r.t.push((c.user + c.system) / 1000);
    }
  return runs.map((r) => r.t.sort((a, b) => a - b)[Math.floor(r.t.length / 2)]);
}
