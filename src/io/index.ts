/** io: structure files — extended/plain XYZ, POSCAR/CONTCAR, VASP ML_AB, OUTCAR, vasprun.xml, XDATCAR — behind a format registry. */
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
export { parseOutcar, readOutcar, streamOutcar, OutcarParser } from './outcar.js';
export { parseVasprun, readVasprun, streamVasprun, VasprunParser } from './vasprun.js';
export { parseXdatcar, readXdatcar, streamXdatcar, XdatcarParser } from './xdatcar.js';
export { parseLines, readLinesSync, streamLines, type LineParser } from './lines.js';
export { setIoWarningHandler, type IoWarning, type IoWarningHandler } from './warnings.js';
