/** `farfield describe FILE`: per-atom descriptor features of one frame (thin shell over api/describeFile). */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { FarfieldError } from '../../core/index.js';
import { DESCRIPTOR_PRESET_NAMES } from '../../api/names.js';
import { emitJson } from '../json.js';

function readHypers(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new FarfieldError('IO', `${path}: cannot read hypers (${e instanceof Error ? e.message : String(e)})`);
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new FarfieldError('PARSE', `${path}: hypers file is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

export function register(program: Command): void {
  program
    .command('describe')
    .description('per-atom descriptor features of one frame of a structure file')
    .argument('<file>', 'structure file (extxyz, POSCAR, ML_AB, …)')
    .option('--kind <name>', `descriptor preset: ${DESCRIPTOR_PRESET_NAMES.join(', ')}`, 'sr')
    .option('--hypers <file.json>', 'hyperparameters (JSON object) for the preset')
    .option('--frame <k>', 'frame index (negative counts from the end)', '0')
    .option('--out <file>', 'write features to .json or .bin')
    .option('--json', 'print one JSON object {rows, cols, labels, features}')
    .action(async (file: string, o: { kind: string; hypers?: string; frame: string; out?: string; json?: boolean }) => {
      const [{ checkOutputFile }, { describeFile, writeFeatures }, { featuresToJSON }] = await Promise.all([import('../../api/io.js'), import('../../api/describeFile.js'), import('../../api/describe.js')]);
      const frame = Number(o.frame);
      if (!Number.isInteger(frame)) throw new FarfieldError('INVALID_INPUT', `--frame must be an integer, got '${o.frame}'`);
      if (o.out) checkOutputFile(o.out, 'features');
      const r = await describeFile(file, { kind: o.kind, hypers: o.hypers ? readHypers(o.hypers) : undefined, frame });
      if (o.out) writeFeatures(o.out, r);
      if (o.json) {
        emitJson(featuresToJSON(r.features));
        return;
      }
      const f = r.features;
      const lines = [
        `file:        ${file} (frame ${r.frame} of ${r.frames})`,
        `descriptor:  ${JSON.stringify(r.spec)}`,
        `features:    ${f.rows} atoms × ${f.cols} columns`,
      ];
      if (o.out) lines.push(`wrote:       ${o.out}`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}
