/**
 * Full VASP-style short-range descriptor, kind 'sr' (science.md §1.6): X = (√β⁽²⁾ X⁽²⁾, √β⁽³⁾ X⁽³⁾) with
 * β⁽²⁾ = ML_W1 = 0.1 and β⁽³⁾ = 0.9 by default — a composite of the 'radial' and 'angular' blocks whose JSON form is
 * `{kind: 'sr', species, hypers: ShortRangeHypers}` (all values explicit).
 */
import { CompositeDescriptor } from '../composite.js';
import { resolveShortRangeHypers, type ShortRangeHypers } from './hypers.js';
import { RadialDescriptor, type RadialOptions } from './radial.js';
import { AngularDescriptor, type AngularOptions } from './angular.js';
import { checkSpeciesUniverse } from './common.js';

/** `options` reach both blocks (their kernels; they change no value). */
export function createShortRangeDescriptor(species: readonly string[], hypers: unknown = {}, options: AngularOptions & RadialOptions = {}): CompositeDescriptor {
  const sp = checkSpeciesUniverse(species, 'sr descriptor');
  const h: ShortRangeHypers = resolveShortRangeHypers(hypers);
  const blocks = [new RadialDescriptor(sp, h.radial, options), new AngularDescriptor(sp, h.angular, options)];
  return new CompositeDescriptor(sp, blocks, [h.radialWeight, h.angularWeight], {
    kind: 'sr',
    toJSON: () => ({ kind: 'sr', species: [...sp], hypers: JSON.parse(JSON.stringify(h)) as Record<string, unknown> }),
  });
}
