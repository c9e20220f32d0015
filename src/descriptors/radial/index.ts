/** Shared radial bases: truncated spherical Bessel χ_nl and the Gaussian projection h_nl (science.md §1.2–1.3). */
export * from './sphericalBessel.js';
export * from './gaussianProjection.js';
