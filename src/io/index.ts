/** io: structure files — extended/plain XYZ, POSCAR/CONTCAR, VASP ML_AB — behind a format registry. */
export {
  FORMATS, getFormat, detectFormat, formatForWriting, formatNames, readStructures, readStructuresWithMeta, readFrames, writeStructures,
  type FileFormat, type FormatMeta, type FrameWriter, type ReadOptions, type WriteOptions,
} from './registry.js';
export { detectFormatName, type DetectedFormat } from './detect.js';
export { readXyz, streamXyz, writeXyz, openXyzWriter, openXyzLiveWriter, parseXyzText, formatExtxyzFrame, formatPlainXyzFrame, parseProperties, type PropertySpec } from './extxyz.js';
export { readPoscar, writePoscar, parsePoscar, formatPoscar } from './poscar.js';
export { readMlab, writeMlab, parseMlab, formatMlab, defaultMlabHeader, type MlabHeader } from './mlab.js';
export { parseKeyValues, formatKeyValues } from './keyvalue.js';
export { formatReal } from './text.js';
export {
  AtomicFile, ShortWriteError, writeAtomically, writeFileAtomic, writeFully, checkOutputFile, checkOutputDir, removeStaleTempFiles, liveTempFileCount,
} from './atomic.js';
export { CHEMICAL_SYMBOLS } from './elements.js';
