/** `farfield predict MODEL IN -o OUT.xyz`: energies, forces, stress and uncertainties as extxyz properties. */
import type { Command } from 'commander';
import { loadInputs, loadModel, predictStructures, saveStructures } from '../../api/index.js';

export function register(program: Command): void {
  program
    .command('predict')
    .description('predict energy, forces, stress (and uncertainty) with a fitted model; writes extended XYZ')
    .argument('<model>', 'model file (farfield fit)')
    .argument('<input...>', "structures to predict: files, a folder or a quoted glob such as 'OUT/OUTCAR.*'")
    .requiredOption('-o, --output <out.xyz>', 'output file (energy, forces, stress, energies, energy_uncertainty)')
    .option('--no-uncertainty', 'skip the uncertainty estimate')
    .action((modelPath: string, input: string[], o: { output: string; uncertainty: boolean }) => {
      const model = loadModel(modelPath);
      const structures = loadInputs(input).structures;
      const out = predictStructures(model, structures, { uncertainty: o.uncertainty && model.params.covarianceFactor !== undefined });
      saveStructures(o.output, out);
      process.stderr.write(`predicted ${out.length} structures → ${o.output}\n`);
    });
}
