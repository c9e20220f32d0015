/** reference: reference potentials (point charges, Fumi–Tosi NaCl, Buckingham ZrO₂) and CP2K labelling. */
export * from './fumiTosiParameters.js';
export * from './rigidIon.js';
export * from './potentials.js';
export * from './toy.js';
export * from './cp2k/index.js';
export * from './chargeTransfer.js';
