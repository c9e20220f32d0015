/**
 * Descriptor registry: kind name → factory. Concrete descriptors register themselves in their own modules, and
 * `descriptors/index.ts` imports those modules, so `createDescriptor` knows every kind. It also notes which
 * Gaussian-projection tabulations a created descriptor uses (`descriptorProjections`: what a model file stores).
 */
import { FarfieldError, Registry } from '../core/index.js';
import type { Descriptor, DescriptorSpec } from './descriptor.js';
import { recordGaussianProjections, type GaussianProjection } from './radial/index.js';

const projectionsOf = new WeakMap<Descriptor, readonly GaussianProjection[]>();

export type DescriptorFactory = (species: readonly string[], hypers: Record<string, unknown>) => Descriptor;

export const DESCRIPTORS = new Registry<DescriptorFactory>('descriptor');

export function createDescriptor(spec: DescriptorSpec): Descriptor {
  if (!spec || typeof spec.kind !== 'string' || !Array.isArray(spec.species))
    throw new FarfieldError('INVALID_INPUT', 'descriptor spec must be {kind, species, hypers}');
  const factory = DESCRIPTORS.get(spec.kind);
  const { result, projections } = recordGaussianProjections(() => factory(spec.species, spec.hypers ?? {}));
  projectionsOf.set(result, projections);
  return result;
}

/** The Gaussian-projection tabulations `createDescriptor` handed the descriptor (and its blocks); undefined when it
 * was built otherwise. */
export function descriptorProjections(d: Descriptor): readonly GaussianProjection[] | undefined {
  return projectionsOf.get(d);
}
