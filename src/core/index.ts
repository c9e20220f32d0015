/** core: Structure, units, errors, registry, Calculator contract, seeded RNG, 3×3 helpers. Imports nothing. */
export * from './units.js';
export * from './errors.js';
export * from './mat3.js';
export * from './random.js';
export * from './structure.js';
export * from './calculator.js';
export * from './registry.js';
export * from './progress.js';
export * from './names.js';
