/** api: the library's public verbs (what the CLI and the web page call). */
export * from './demo.js';
export * from './io.js';
export * from './inputs.js';
export * from './electrostatics.js';
export * from './describe.js';
export * from './describeFile.js';
export * from './fit.js';
export { longRangeHypersFor, withLongRangeNote, SLOW_FKK_CHANNELS, type LongRangeChoice } from './longRangeChannels.js';
export * from './modelFiles.js';
export * from './predict.js';
export * from './predictFile.js';
export * from './evaluate.js';
export * from './evaluateFile.js';
export * from './report.js';
export * from './md.js';
export * from './analyze.js';
export * from './compare.js';
export * from './compareFiles.js';
export * from './dataset.js';
export * from './label.js';
export * from './relabel.js';
export * from './driver.js';
export * from './validate.js';
/** The web page's static server (`farfield serve`) lives with the other sockets in host/. */
export { startWebServer, ensureWebBuilt, defaultWebDir, type WebServer, type WebServerOptions } from '../host/index.js';
export * from './learn.js';
export { LEARN_DEFAULTS, validateLearnConfig, type LearnConfig, type LearnFitConfig, type LearnThresholdConfig } from './learnConfig.js';
export { LEARN_ENGINES, type LearnReferenceOptions } from './learnReference.js';
