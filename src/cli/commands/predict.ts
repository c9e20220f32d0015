/** `farfield predict MODEL IN -o OUT.xyz`: energies, forces, stress and uncertainties as extxyz properties. */
import type { Command } from 'commander';
import { checkOutputFile, loadModel, predictFile, resolveInputs } from '../../api/index.js';
import { createProgress } from '../progress.js';

export function register(program: Command): void {
  program
    .command('predict')
    .description('predict energy, forces, stress (and uncertainty) with a fitted model; writes extended XYZ')
    .argument('<model>', 'model file (farfield fit)')
    .argument('<input...>', "structures to predict: files, a folder or a quoted glob such as 'OUT/OUTCAR.*'")
    .requiredOption('-o, --output <out.xyz>', 'output file (energy, forces, stress, energies, energy_uncertainty)')
    .option('--no-uncertainty', 'skip the uncertainty estimate')
    .action(async (modelPath: string, input: string[], o: { output: string; uncertainty: boolean }) => {
      checkOutputFile(o.output);
      const model = loadModel(modelPath, { covariance: o.uncertainty });
      const progress = createProgress();
      const n = await predictFile(model, resolveInputs(input), o.output, { uncertainty: o.uncertainty && model.params.covarianceFactor !== undefined, onProgress: progress.callback });
      progress.done();
      process.stderr.write(`predicted ${n} structures → ${o.output}\n`);
    });
}
