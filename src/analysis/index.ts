/** analysis: metrics, parity data, learning curves, radial distribution functions. */
export * from './rdf.js';
export * from './metrics.js';
export * from './correlation.js';
