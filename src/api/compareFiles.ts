/** Library verb `compareModels`: the comparison of compare.ts on the host's file system (data and test sets may be
 * paths; the report folder is checked before any work and written atomically at the end). */
import { checkOutputDir } from '../host/index.js';
import { compareModelsWith, type CompareFiles, type CompareOptions, type CompareOutput } from './compare.js';
import { loadStructures } from './io.js';
import { writeCompareReport } from './report.js';

const FILES: CompareFiles = {
  load: (path) => loadStructures(path).structures,
  checkReportDir: (dir) => checkOutputDir(dir, 'report folder'),
  writeReport: writeCompareReport,
};

export function compareModels(o: CompareOptions): Promise<CompareOutput> {
  return compareModelsWith(FILES, o);
}
