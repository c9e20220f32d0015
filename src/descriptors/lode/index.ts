/** LODE ν = 1 (kind 'lode'): potential-based comparator of the FKK descriptor. */
export * from './basis.js';
export * from './lode.js';
export * from './split.js';
export * from './multiscale.js';
