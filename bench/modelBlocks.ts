/** Bench helper: the FKK block of a (possibly composite) descriptor of a loaded model. */
import { FkkDescriptor, type Descriptor } from '../src/descriptors/index.js';

/** The first FkkDescriptor in `d` or its blocks (depth first), or null. */
export function findFkk(d: Descriptor): FkkDescriptor | null {
  if (d instanceof FkkDescriptor) return d;
  for (const b of (d as { blocks?: readonly Descriptor[] }).blocks ?? []) {
    const f = findFkk(b);
    if (f) return f;
  }
  return null;
}
