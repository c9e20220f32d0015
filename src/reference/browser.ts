/** reference, browser surface: the built-in reference potentials without the CP2K driver (which spawns processes). */
export * from './fumiTosiParameters.js';
export * from './rigidIon.js';
export * from './potentials.js';
export * from './toy.js';
