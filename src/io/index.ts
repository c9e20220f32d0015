/**
 * io: structure file formats — extended/plain XYZ, POSCAR/CONTCAR, VASP ML_AB, OUTCAR, vasprun.xml, XDATCAR — as
 * parsers and formatters of texts behind a format registry. No file access here (host/files.ts binds the formats to
 * the file system), so the browser page uses the same code on text it was given.
 */
export {
  FORMATS, getFormat, formatNames, readFormatFor, writeFormatFor, baseName,
  type FileFormat, type FormatMeta, type FrameReading,
} from './registry.js';
export { detectFormatName, SNIFF_BYTES, type DetectedFormat } from './detect.js';
export { parseXyzText, parseFrame, parseProperties, type PropertySpec, type PropertyType, type ColumnData } from './extxyzParse.js';
export { formatExtxyzFrame, formatPlainXyzFrame } from './extxyzFormat.js';
export { parsePoscar, formatPoscar, formatPoscarFile } from './poscar.js';
export { parseMlab, formatMlab, defaultMlabHeader, type MlabHeader } from './mlab.js';
export { parseKeyValues, formatKeyValues } from './keyvalue.js';
export { formatReal, readError, stripBom, isGzip, LineCursor, NEED_MORE } from './text.js';
export { CHEMICAL_SYMBOLS } from './elements.js';
export { parseOutcar, OutcarParser } from './outcar.js';
export { parseVasprun, VasprunParser } from './vasprun.js';
export { parseXdatcar, XdatcarParser } from './xdatcar.js';
export { parseLines, LineSplitter, type LineParser } from './lines.js';
export { setIoWarningHandler, type IoWarning, type IoWarningHandler } from './warnings.js';
