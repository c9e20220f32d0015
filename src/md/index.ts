/** md: molecular dynamics — state, operators, integrators (registry), observers. Sees only core, math, geometry. */
export * from './state.js';
export * from './operators.js';
export * from './integrators.js';
export * from './observers.js';
export * from './constraints.js';
export * from './guard.js';
export * from './ramp.js';
