/**
 * `farfield demo`: the main job on bundled data — Madelung constants and a 64-ion NaCl Ewald/PME example, then sr vs
 * sr+lr kernel models fitted on small subsets of the toy point charges and liquid NaCl, with the comparison tables
 * and the HTML report paths. Thin shell over api/runDemo + api/runModelDemo.
 */
import type { Command } from 'commander';
import { createProgress } from '../progress.js';

export function register(program: Command): void {
  program
    .command('demo')
    .description('run the main farfield job on bundled data: Madelung check, then sr vs sr+lr models with an HTML report')
    .option('--out <dir>', 'report folder', 'farfield-demo')
    .option('--no-fit', 'only the electrostatics part (no model fitting)')
    .action(async (o: { out: string; fit: boolean }) => {
      const { runDemo, runModelDemo } = await import('../../api/index.js');
      const t0 = Date.now();
      const text = await runDemo({ log: (s) => process.stdout.write(s + '\n') });
      process.stdout.write(text);
      if (!o.fit) return;
      const progress = createProgress();
      progress.log('\nsr vs sr+lr (small subsets; `farfield compare` for full learning curves):');
      await runModelDemo({ out: o.out, log: (s) => progress.log(s), onProgress: progress.callback, onStage: (s) => progress.setPrefix(`[${s}]`) });
      progress.done();
      process.stdout.write(`\ndemo finished in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
    });
}
