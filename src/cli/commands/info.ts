/** `farfield info FILE…`: frames, atoms, species, labels and their statistics (thin shell over api/summarizeDataset). */
import type { Command } from 'commander';
import { FORMAT_NAMES } from '../../api/names.js';
import { emitJson } from '../json.js';

export function register(program: Command): void {
  program
    .command('info')
    .description('summarise a structure file: frames, atoms, species, labels, energy/force statistics, dataset caveats')
    .argument('<file...>', "structure file(s), a folder or a quoted glob such as 'OUT/OUTCAR.*' (summarised as one dataset)")
    .option('--format <format>', `file format (${FORMAT_NAMES.join(', ')}); default: from the name/content`)
    .option('--json', 'print the summary as JSON')
    .action(async (file: string[], opts: { format?: string; json?: boolean }) => {
      const [{ formatDatasetSummary, summarizeDataset }, { resolveInputs }] = await Promise.all([import('../../api/io.js'), import('../../api/inputs.js')]);
      const s = await summarizeDataset(resolveInputs(file), { format: opts.format });
      if (opts.json) emitJson(s);
      else process.stdout.write(formatDatasetSummary(s));
    });
}
