/** `farfield convert IN… OUT`: convert between structure file formats (thin shell over api/convertInputs). */
import type { Command } from 'commander';
import { FarfieldError } from '../../core/index.js';
import { FORMAT_NAMES } from '../../api/names.js';

export function register(program: Command): void {
  program
    .command('convert')
    .description('convert structures between file formats (format from the file name/content, or --from/--to)')
    .usage('[options] <input...> <output>')
    .argument('<paths...>', "input file(s), a folder or a quoted glob such as 'OUT/OUTCAR.*' (concatenated), then the output file (written atomically)")
    .option('--from <format>', `input format (${FORMAT_NAMES.join(', ')})`)
    .option('--to <format>', 'output format (default: from the output file name; .xyz → extxyz)')
    .option('--index <spec>', "frames to keep, ASE's index syntax: 3, -1, 10:, :20, ::8, 5:100:5 (default: all)")
    .action(async (paths: string[], opts: { from?: string; to?: string; index?: string }) => {
      const { convertInputs } = await import('../../api/inputs.js');
      if (paths.length < 2) throw new FarfieldError('INVALID_INPUT', 'convert needs an input and an output: farfield convert IN… OUT');
      const output = paths[paths.length - 1];
      const r = await convertInputs(paths.slice(0, -1), output, { from: opts.from, to: opts.to, index: opts.index });
      process.stdout.write(`wrote ${r.frames} structure${r.frames === 1 ? '' : 's'} (${r.from} → ${r.to}) to ${output}\n`);
    });
}
