/**
 * `farfield compare DATA [--test TEST] [--models sr,sr+lr,sr+lode] [--train-sizes 25,50,100,200] [--seed 1]
 * [--energy-key KEY] [--targets energy,forces,stress] [--out report/]`: fit every model on identical splits (only the descriptor differs), evaluate on the test set,
 * print the table and write results.json + index.html. Thin shell over api/compareModels.
 */
import type { Command } from 'commander';
import { FarfieldError } from '../../core/index.js';
import type { CompareOptions } from '../../api/index.js';
import { COMPARE_DEFAULTS, LABEL_TARGET_NAMES } from '../../api/names.js';
import { createProgress } from '../progress.js';
import { readJsonFile } from './fit.js';
import { emitJson } from '../json.js';

function list(v: string, name: string, integer: boolean): number[] {
  return v.split(',').map((x) => {
    const n = Number(x);
    if (x.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new FarfieldError('INVALID_INPUT', `--${name} expects a comma-separated list of ${integer ? 'integers' : 'numbers'}, got '${v}'`);
    return n;
  });
}

export function register(program: Command): void {
  program
    .command('compare')
    .description('compare descriptor models (sr, sr+lr, sr+lode) on identical splits: learning curves, parity plots, HTML report')
    .argument('<data>', 'labelled structures (training pool; also the test set source without --test)')
    .option('--test <file>', 'separate test set (default: 20 % of DATA held out)')
    .option('--energy-key <key>', 'fit and evaluate this per-frame info key (eV) as the energy, e.g. inter_energy (default: the energy label)')
    .option('--targets <list>', `label types used in fitting and evaluation (${LABEL_TARGET_NAMES.join(',')}); e.g. energy when the forces are not the gradient of the energy key`, LABEL_TARGET_NAMES.join(','))
    .option('--models <list>', 'descriptor presets to compare', COMPARE_DEFAULTS.models.join(','))
    .option('--train-sizes <list>', 'training-set sizes (structures)', COMPARE_DEFAULTS.trainSizes.join(','))
    .option('--seed <s>', 'seed of the split', '1')
    .option('--test-fraction <f>', 'held-out fraction when there is no --test', '0.2')
    .option('--validation-size <n>', 'validation structures carved from the training pool (for tuning)')
    .option('--lode-weights <list>', 'candidate LODE block weights β, tuned on the validation split', COMPARE_DEFAULTS.lodeWeights.join(','))
    .option('--lr-weights <list>', 'candidate FKK block weights β of sr+lr, tuned on the validation split (one value fixes it; default: no search)', COMPARE_DEFAULTS.lrWeights.join(','))
    .option('--charge-widths <list>', 'candidate Gaussian charge widths s (Å, charges.sigmaA) of the learned-charge kinds (sr+q, sr+lr+q, …; each its own search), tuned on the validation split (one value fixes it; default: the configuration\'s)', COMPARE_DEFAULTS.chargeWidths.join(','))
    .option('--charge-force-weights <list>', 'candidate force-row weights W_F of the learned-charge kinds, tuned jointly with --charge-widths (default: the configuration\'s)', COMPARE_DEFAULTS.chargeForceWeights.join(','))
    .option('--tune-size <n>', 'training size at which the tuned weights/widths are chosen (default: the largest)')
    .option('--references <n>', 'reference environments per species (default 1000 or all)')
    .option('--config <cfg.json>', 'shared fit settings {kernel, selection, solver, weights} and {descriptorHypers: {model: hypers}}')
    .option('--out <dir>', 'report folder (results.json, index.html)', 'report')
    .option('--json', 'print results.json to stdout instead of the table')
    .action(async (data: string, o: Record<string, string | boolean | undefined>) => {
      const { compareModels, resolveTargets, resultsTableText } = await import('../../api/index.js');
      const cfg = o.config ? readJsonFile(String(o.config), 'compare configuration') : {};
      const { descriptorHypers, ...fit } = cfg as { descriptorHypers?: Record<string, Record<string, unknown>> } & CompareOptions['fit'] & Record<string, unknown>;
      if (o.references !== undefined) {
        const n = list(String(o.references), 'references', true)[0];
        fit.selection = { ...(fit.selection ?? {}), count: n };
      }
      const energyKey = o.energyKey === undefined ? undefined : String(o.energyKey);
      const targets = resolveTargets(String(o.targets).split(',').map((s) => s.trim()).filter(Boolean), energyKey);
      const progress = createProgress();
      const opts: CompareOptions = {
        data,
        test: o.test as string | undefined,
        ...(energyKey !== undefined ? { energyKey } : {}),
        targets,
        models: String(o.models).split(',').map((s) => s.trim()).filter(Boolean),
        trainSizes: list(String(o.trainSizes), 'train-sizes', true),
        seed: list(String(o.seed), 'seed', true)[0],
        testFraction: list(String(o.testFraction), 'test-fraction', false)[0],
        validationSize: o.validationSize === undefined ? undefined : list(String(o.validationSize), 'validation-size', true)[0],
        lodeWeights: list(String(o.lodeWeights), 'lode-weights', false),
        lrWeights: String(o.lrWeights) === '' ? [] : list(String(o.lrWeights), 'lr-weights', false),
        chargeWidths: String(o.chargeWidths) === '' ? [] : list(String(o.chargeWidths), 'charge-widths', false),
        chargeForceWeights: String(o.chargeForceWeights) === '' ? [] : list(String(o.chargeForceWeights), 'charge-force-weights', false),
        tuneTrainSize: o.tuneSize === undefined ? undefined : list(String(o.tuneSize), 'tune-size', true)[0],
        fit: fit as CompareOptions['fit'],
        descriptorHypers,
        out: String(o.out),
        command: ['farfield', ...process.argv.slice(2)].join(' '),
        onProgress: progress.callback,
        onStage: (s) => {
          progress.setPrefix(`[${s}]`);
        },
        onRun: (r) =>
          progress.log(`${r.model.padEnd(8)} ${String(r.trainSize).padStart(5)} train: E ${r.energy ? r.energy.rmseMevPerAtom.toPrecision(3) + ' meV/atom' : '–'}, F ${r.forces ? r.forces.rmseMevPerA.toPrecision(3) + ' meV/Å' : '–'}, fit ${r.fitTimeS.toFixed(1)} s`),
      };
      const { results, written } = await compareModels(opts);
      progress.done();
      if (o.json) {
        emitJson(results);
        return;
      }
      const lines = ['', resultsTableText(results)];
      const lb = results.dataset.labels;
      if (lb && (lb.energyKey !== 'energy' || lb.targets.length < LABEL_TARGET_NAMES.length))
        lines.push(`labels: ${lb.targets.map((t) => (t === 'energy' && lb.energyKey !== 'energy' ? `energy ← info '${lb.energyKey}'` : t)).join(', ')} (others not used)`);
      for (const t of results.hyperparameters.tuned)
        lines.push(`tuned ${t.model} ${t.parameter}: ${t.tried.map((x) => `${x.value} → ${x.score.toPrecision(3)}`).join(', ')}; chosen ${t.chosen} (${t.metric}, ${t.trainSize} train / ${t.validationSize} validation)`);
      for (const n of results.notes) lines.push(`note: ${n}`);
      if (written) lines.push(`report: ${written.html}`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}
