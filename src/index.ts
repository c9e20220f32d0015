/** farfield: public library surface — the api verbs and the core types. */
export * from './core/index.js';
export * from './api/index.js';
