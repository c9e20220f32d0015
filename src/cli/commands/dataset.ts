/** `farfield dataset toy --n 200 --atoms 64 --seed 1 -o toy.xyz`: the point-charge toy set (thin shell over api). */
import type { Command } from 'commander';
import { FarfieldError } from '../../core/index.js';
import { generateToyDataset } from '../../api/index.js';
import { createProgress } from '../progress.js';

function num(v: string, name: string, integer = false): number {
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || (integer && !Number.isInteger(x)))
    throw new FarfieldError('INVALID_INPUT', `--${name} expects ${integer ? 'an integer' : 'a number'}, got '${v}'`);
  return x;
}

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
    .action((o: Record<string, string | undefined>) => {
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
}
