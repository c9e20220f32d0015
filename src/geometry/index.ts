/** geometry: neighbour lists, cells, images, supercells. */
export * from './neighbours.js';
export * from './cell.js';
export * from './transform.js';
export * from './verlet.js';
export * from './pairList.js';
export * from './binning.js';
