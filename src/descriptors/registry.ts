/**
 * Descriptor registry: kind name → factory. Concrete descriptors register themselves in their own modules, and
 * `descriptors/index.ts` imports those modules, so `createDescriptor` knows every kind.
 */
import { FarfieldError, Registry } from '../core/index.js';
import type { Descriptor, DescriptorSpec } from './descriptor.js';

export type DescriptorFactory = (species: readonly string[], hypers: Record<string, unknown>) => Descriptor;

export const DESCRIPTORS = new Registry<DescriptorFactory>('descriptor');

export function createDescriptor(spec: DescriptorSpec): Descriptor {
  if (!spec || typeof spec.kind !== 'string' || !Array.isArray(spec.species))
    throw new FarfieldError('INVALID_INPUT', 'descriptor spec must be {kind, species, hypers}');
  return DESCRIPTORS.get(spec.kind)(spec.species, spec.hypers ?? {});
}
