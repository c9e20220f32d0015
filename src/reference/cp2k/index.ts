/** CP2K labelling: input writer, runner, output parser, resumable pipeline with a quality gate. */
export * from './input.js';
export * from './output.js';
export * from './runner.js';
export * from './label.js';
