/** host: the layer that talks to the operating system on behalf of the api (sockets now; files, processes later). */
export * from './ipi.js';
