/** VASP-style short-range descriptors: 'radial' (2-body), 'angular' (3-body), 'sr' (both, weighted). Registers them. */
import { DESCRIPTORS } from '../registry.js';
import { RadialDescriptor } from './radial.js';
import { AngularDescriptor } from './angular.js';
import { createShortRangeDescriptor } from './sr.js';

export * from './hypers.js';
export { RadialDescriptor, type RadialOptions } from './radial.js';
export { AngularDescriptor, type AngularOptions } from './angular.js';
export { createShortRangeDescriptor } from './sr.js';

DESCRIPTORS.register('radial', (species, hypers) => new RadialDescriptor(species, hypers));
DESCRIPTORS.register('angular', (species, hypers) => new AngularDescriptor(species, hypers));
DESCRIPTORS.register('sr', (species, hypers) => createShortRangeDescriptor(species, hypers));
