/** `farfield dataset toy …` (the point-charge toy set) and `farfield dataset charge-transfer …` (thin shells over api). */
import type { Command } from 'commander';
import { FarfieldError } from '../../core/index.js';
import { createProgress } from '../progress.js';
import { num } from '../options.js';


export function register(program: Command): void {
  const dataset = program.command('dataset').description('generate datasets');
  dataset
    .command('toy')
    .description('point-charge toy model: random ±1 charges in random cubic cells, Ewald energy/forces/stress labels')
    .option('--n <frames>', 'number of configurations', '200')
    .option('--atoms <n>', 'atoms per configuration (even; half +1, half −1)', '64')
    .option('--seed <s>', 'random seed', '1')
    .option('--min-separation <A>', 'minimum distance between atoms, Å', '2')
    .option('--edge-min <A>', 'smallest cubic cell edge, Å (default 11·(atoms/64)^⅓)')
    .option('--edge-max <A>', 'largest cubic cell edge, Å (default 15·(atoms/64)^⅓)')
    .requiredOption('-o, --output <file.xyz>', 'output file (extended XYZ)')
    .action(async (o: Record<string, string | undefined>) => {
      const { generateToyDataset } = await import('../../api/dataset.js');
      const progress = createProgress();
      const r = generateToyDataset({
        n: num(String(o.n), 'n', true), atoms: num(String(o.atoms), 'atoms', true), seed: num(String(o.seed), 'seed', true),
        minSeparationA: num(String(o.minSeparation), 'min-separation'),
        ...(o.edgeMin !== undefined ? { edgeMinA: num(o.edgeMin, 'edge-min') } : {}),
        ...(o.edgeMax !== undefined ? { edgeMaxA: num(o.edgeMax, 'edge-max') } : {}),
        output: String(o.output), onProgress: progress.callback,
      });
      progress.done();
      process.stdout.write(`${r.frames} frames × ${r.atoms} atoms → ${o.output}; cell edges ${r.edgeRangeA.map((x) => x.toFixed(2)).join('–')} Å, ` +
        `energies ${r.energyRangeEv.map((x) => x.toFixed(3)).join(' … ')} eV\n`);
    });
  dataset
    .command('charge-transfer')
    .description('charge-transfer benchmark: two rattled rock-salt clusters, charge equilibration (known χ, J) + repulsion; every geometry undoped and with a far donor (info pair, doped, gap)')
    .option('--n <geometries>', 'number of geometries (2 frames each)', '40')
    .option('--gap <min,max>', 'range of the gap between the clusters, Å', '9,36')
    .option('--seed <s>', 'random seed', '1')
    .requiredOption('-o, --output <file.xyz>', 'output file (extended XYZ)')
    .action(async (o: Record<string, string | undefined>) => {
      const { generateChargeTransferDataset } = await import('../../api/dataset.js');
      const progress = createProgress();
      const gap = String(o.gap).split(',').map((x) => num(x, 'gap'));
      if (gap.length !== 2) throw new FarfieldError('INVALID_INPUT', `dataset charge-transfer: --gap takes two numbers 'min,max' (Å), got '${o.gap}'`);
      const r = generateChargeTransferDataset({
        n: num(String(o.n), 'n', true), seed: num(String(o.seed), 'seed', true), gapA: [gap[0], gap[1]],
        output: String(o.output), onProgress: progress.callback,
      });
      progress.done();
      process.stdout.write(`${r.frames} frames × ${r.atoms} atoms → ${o.output}; doping energies ${r.dopingEnergyEv.map((x) => x.toFixed(3)).join(' … ')} eV\n`);
    });
}
