/** `farfield eval MODEL TEST [--json]`: errors of a model on labelled structures (exactly one JSON object with --json). */
import type { Command } from 'commander';
import { emitJson } from '../json.js';
import { formatSummary } from './fit.js';

export function register(program: Command): void {
  program
    .command('eval')
    .description('evaluate a fitted model on labelled structures (RMSE, MAE, RMSPE of energies, forces, stress)')
    .argument('<model>', 'model file (farfield fit)')
    .argument('<test...>', "labelled structures: files, a folder or a quoted glob such as 'OUT/OUTCAR.*'")
    .option('--json', 'print exactly one JSON object')
    .action(async (modelPath: string, test: string[], o: { json?: boolean }) => {
      const [{ evaluateFile }, { loadModel }, { resolveInputs }] = await Promise.all([import('../../api/evaluateFile.js'), import('../../api/modelFiles.js'), import('../../api/inputs.js')]);
      const model = loadModel(modelPath, { covariance: false }); // eval reports errors only: the covariance is not read
      const { summary, details } = await evaluateFile(model, resolveInputs(test));
      if (o.json) {
        emitJson(summary);
        return;
      }
      const lines = [formatSummary('test:', summary)];
      for (const [sym, st] of Object.entries(details.forcesBySpecies))
        lines.push(`  forces on ${sym}: RMSE ${(1000 * st.rmse).toFixed(1)} meV/Å, MAE ${(1000 * st.mae).toFixed(1)} meV/Å (${st.n / 3} atoms)`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}
