/** `farfield convert IN OUT`: convert between structure file formats (thin shell over api/convertFile). */
import type { Command } from 'commander';
import { convertFile } from '../../api/index.js';
import { formatNames } from '../../api/index.js';

export function register(program: Command): void {
  program
    .command('convert')
    .description('convert structures between file formats (format from the file name/content, or --from/--to)')
    .argument('<input>', 'input file')
    .argument('<output>', 'output file (written atomically)')
    .option('--from <format>', `input format (${formatNames().join(', ')})`)
    .option('--to <format>', 'output format (default: from the output file name; .xyz → extxyz)')
    .option('--index <spec>', "frames to keep, ASE's index syntax: 3, -1, 10:, :20, ::8, 5:100:5 (default: all)")
    .action(async (input: string, output: string, opts: { from?: string; to?: string; index?: string }) => {
      const r = await convertFile(input, output, { from: opts.from, to: opts.to, index: opts.index });
      process.stdout.write(`wrote ${r.frames} structure${r.frames === 1 ? '' : 's'} (${r.from} → ${r.to}) to ${output}\n`);
    });
}
