/** geometry: neighbour lists, cells, images, supercells. */
export * from './neighbours.js';
