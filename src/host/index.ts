/**
 * host: the layer that talks to the operating system on behalf of the api — files (reading, streaming, atomic and
 * live writing of the io formats), sockets (the i-PI client), the HTTP server of the web page, and processes and
 * schedulers (executor/: local processes, SLURM job arrays).
 */
export * from './ipi.js';
export {
  detectFormat, formatForWriting, formatFiles, readStructures, readStructuresWithMeta, readFrames, writeStructures,
  readXyz, streamXyz, writeXyz, openXyzWriter, openXyzLiveWriter, readMlab, writeMlab,
  type FormatFiles, type FrameWriter, type ReadOptions, type WriteOptions,
} from './files.js';
export { readFileText, readLinesSync, streamLines, readHead, wholeFileLimit } from './read.js';
export {
  AtomicFile, ShortWriteError, writeAtomically, writeFileAtomic, writeFully, checkOutputFile, checkOutputDir, removeStaleTempFiles, liveTempFileCount,
} from './atomic.js';
export { startWebServer, ensureWebBuilt, defaultWebDir, packageRoot, ISOLATION_HEADERS, type WebServer, type WebServerOptions } from './webServer.js';
export * from './executor/index.js';
