/** descriptors: the contract (descriptor.ts, upstream.ts), the per-structure context and the registry (model/ imports only this file). */
export * from './descriptor.js';
export * from './upstream.js';
export * from './context.js';
export * from './registry.js';
export * from './composite.js';
export * from './meanDensity.js';
export * from './longRange/index.js';
export * from './lode/index.js';
export * from './radial/index.js';
export * from './shortRange/index.js';
