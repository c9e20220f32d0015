/** `farfield predict MODEL IN -o OUT.xyz`: energies, forces, stress and uncertainties as extxyz properties. */
import type { Command } from 'commander';
import { createProgress } from '../progress.js';

export function register(program: Command): void {
  program
    .command('predict')
    .description('predict energy, forces, stress (and uncertainty) with a fitted model; writes extended XYZ')
    .argument('<model>', 'model file (farfield fit)')
    .argument('<input...>', "structures to predict: files, a folder or a quoted glob such as 'OUT/OUTCAR.*'")
    .requiredOption('-o, --output <out.xyz>', 'output file (energy, forces, stress, energies, energy_uncertainty, force_uncertainty; charges for sr+q models)')
    .option('--no-uncertainty', 'skip the uncertainty estimate')
    .option('--no-force-uncertainty', 'keep the energy σ but skip the per-atom force σ (exact: about the design rows of each frame, docs/uncertainty.md)')
    .action(async (modelPath: string, input: string[], o: { output: string; uncertainty: boolean; forceUncertainty: boolean }) => {
      const [{ checkOutputFile }, { hasCovariance }, { loadModel }, { predictFile }, { resolveInputs }] = await Promise.all([import('../../api/io.js'), import('../../api/modelKinds.js'), import('../../api/modelFiles.js'), import('../../api/predictFile.js'), import('../../api/inputs.js')]);
      checkOutputFile(o.output);
      const model = loadModel(modelPath, { covariance: o.uncertainty });
      const progress = createProgress();
      const n = await predictFile(model, resolveInputs(input), o.output, { uncertainty: o.uncertainty && hasCovariance(model), forceUncertainty: o.forceUncertainty, onProgress: progress.callback });
      progress.done();
      process.stderr.write(`predicted ${n} structures → ${o.output}\n`);
    });
}
