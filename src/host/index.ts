/** host: the layer that talks to the operating system on behalf of the api (sockets; processes and schedulers: executor/). */
export * from './ipi.js';
export * from './executor/index.js';
