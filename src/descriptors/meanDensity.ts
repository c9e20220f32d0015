/**
 * The descriptor spec without its uniform-density (G = 0) terms, for measuring mean-density directions
 * (model/meanDensity.ts): `includeZero: false` on every FKK block that has the G = 0 term (science.md §4.3), nested
 * composites included. Other kinds have no such term (LODE omits k = 0). Null when nothing changes.
 */
import type { DescriptorSpec } from './descriptor.js';

export function withoutMeanDensity(spec: DescriptorSpec): DescriptorSpec | null {
  const h = (spec.hypers ?? {}) as Record<string, unknown>;
  if (spec.kind === 'fkk') return h.includeZero === false ? null : { ...spec, hypers: { ...h, includeZero: false } };
  if (spec.kind !== 'composite' || !Array.isArray(h.blocks)) return null;
  let changed = false;
  const blocks = (h.blocks as { spec: DescriptorSpec; weight?: number }[]).map((b) => {
    const s = withoutMeanDensity(b.spec);
    if (!s) return b;
    changed = true;
    return { ...b, spec: s };
  });
  return changed ? { ...spec, hypers: { ...h, blocks } } : null;
}
