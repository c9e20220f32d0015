/** Long-range descriptors: the FKK density-based descriptor (kind 'fkk') and its pair functions and planning. */
export * from './pairFunction.js';
export * from './hypers.js';
export * from './plan.js';
export * from './fkk.js';
export * from './factored.js';
