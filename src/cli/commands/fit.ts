/**
 * `farfield fit TRAIN -o model.json`: fit a kernel force field (thin shell over api/fitModel), progress bars on
 * stderr (cli/progress.ts, 'table' layout: descriptors, selection, normal equations, solve, evaluate) and a final
 * error summary on stdout.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { FarfieldError } from '../../core/index.js';
import type { EvalSummary, FitModelConfig } from '../../api/index.js';
import { CHARGE_MODEL_KIND_NAMES, DESCRIPTOR_PRESET_NAMES } from '../../api/names.js';
import { emitJson } from '../json.js';
import { createProgress } from '../progress.js';
import { addSchedulerOptions, parseSchedulerOptions, positiveInt } from '../scheduler.js';

export function readJsonFile(path: string, what: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new FarfieldError('IO', `${path}: cannot read ${what} (${e instanceof Error ? e.message : String(e)})`);
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('expected a JSON object');
    return v as Record<string, unknown>;
  } catch (e) {
    throw new FarfieldError('PARSE', `${path}: ${what} is not a valid JSON object (${e instanceof Error ? e.message : String(e)})`);
  }
}

const fmt = (v: number | null | undefined, digits = 3): string => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits));

export function formatSummary(name: string, s: EvalSummary): string {
  const parts = [`${name.padEnd(11)} ${s.structures} structures`];
  if (s.energy) parts.push(`energy RMSE ${fmt(s.energy.rmseMevPerAtom)} meV/atom (RMSPE ${fmt(s.energy.rmspePercent)} %)`);
  if (s.forces) parts.push(`forces RMSE ${fmt(s.forces.rmseMevPerA, 1)} meV/Å (RMSPE ${fmt(s.forces.rmspePercent, 2)} %)`);
  if (s.stress) parts.push(`stress RMSE ${fmt(s.stress.rmseMevPerA3, 3)} meV/Å³ (RMSPE ${fmt(s.stress.rmspePercent, 2)} %)`);
  return parts.join(' | ');
}

export function register(program: Command): void {
  const cmd = program
    .command('fit')
    .description('fit a kernel force field to labelled structures (energies, forces, stress)')
    .argument('<train...>', "training structures with energies and forces (extxyz, ML_AB, OUTCAR, vasprun.xml, …): files, a folder or a quoted glob such as 'OUT/OUTCAR.*' (read as one dataset)")
    .requiredOption('-o, --output <model.ffm>', 'model file to write: binary (fast to load) unless the name ends in .json (JSON text)')
    .option('--config <cfg.json>', 'fit configuration: {kernel, selection, weights, solver, uncertainty, descriptorHypers, …}')
    .option('--descriptors <preset>', `descriptor preset or model kind: ${[...DESCRIPTOR_PRESET_NAMES, ...CHARGE_MODEL_KIND_NAMES].join(', ')} (sr+q, sr+lr+q, sr+qeq, sr+lr+qeq: learned charges on the sr or sr+lr descriptor, settings in the config's 'charges')`, 'sr')
    .option('--validation <files>', 'validation structures (a file, folder or quoted glob): errors reported after the fit')
    .option('--json', 'print the final summary as one JSON object')
    .option('--shards <k>', 'with --scheduler: split the training set into K shards (map–reduce fit; docs/cluster.md)', '4');
  addSchedulerOptions(cmd, 'the descriptors and normal equations of K shards')
    .action(async (train: string[], o: { output: string; config?: string; descriptors: string; validation?: string; json?: boolean; shards: string } & Record<string, unknown>) => {
      const { chargeStatistics, checkOutputFile, fitAny, fitModelSharded, kernelSpecOf, loadInputs, referenceCountsOf, saveModel, validateFitConfig } = await import('../../api/index.js');
      const cluster = parseSchedulerOptions(o);
      const shards = positiveInt(o.shards, '--shards');
      checkOutputFile(o.output, 'model');
      const cfg = (o.config ? readJsonFile(o.config, 'fit configuration') : {}) as FitModelConfig;
      validateFitConfig(cfg, o.config ? `${o.config}` : 'fit configuration');
      if (cfg.descriptors === undefined) cfg.descriptors = o.descriptors;
      const trainS = loadInputs(train).structures;
      const validation = o.validation ? loadInputs(o.validation).structures : undefined;
      const progress = createProgress({ layout: 'table', logStream: process.stderr });
      const r = cluster
        ? await fitModelSharded(trainS, cfg, { ...cluster, shards, output: o.output, onLog: (m) => progress.log(m) }, { validation, onProgress: progress.callback })
        : await fitAny(trainS, cfg, { validation, onProgress: progress.callback });
      progress.done();
      saveModel(r.model, o.output);
      const charges = chargeStatistics(r.model, trainS);
      if (o.json) {
        // timings_s: the pre-0.2 name, kept one release as a deprecated alias (docs/conventions.md)
        emitJson({ model: o.output, solver: r.metadata.solver, timingsS: r.metadata.timingsS, errors: r.errors, timings_s: r.metadata.timingsS, ...(charges ? { chargesE: charges } : {}) });
        return;
      }
      const m = r.metadata;
      const refs = Object.entries(referenceCountsOf(r.model)).map(([k, v]) => `${k} ${v}`).join(', ');
      const sv = m.solver;
      const lines = [
        `model:       ${o.output}`,
        `descriptor:  ${r.descriptor.kind} (${r.model.descriptor.width} columns), kernel ${kernelSummary(kernelSpecOf(r.model))}`,
        `references:  ${refs} (${m.selection.method}, seed ${m.selection.seed})`,
        `rows:        ${m.rows.energy} energies, ${m.rows.forces} force components, ${m.rows.stress} stress components`,
        `solver:      ${sv.kind}${sv.kind === 'bayes' ? ` σ_v ${fmt(sv.sigmaV, 4)} σ_w ${fmt(sv.sigmaW, 4)} γ ${fmt(sv.effectiveParameters, 1)}/${sv.unknowns} (${sv.iterations} iterations${sv.converged ? '' : ', NOT converged'})` : ` ${fmt(sv.effectiveParameters, 0)}/${sv.unknowns} parameters`}`,
        `time:        ${Object.entries(m.timingsS).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ')}`,
        formatSummary('train:', r.errors.train),
      ];
      if (r.errors.validation) lines.push(formatSummary('validation:', r.errors.validation));
      if (charges) lines.push(`charges:     ${Object.entries(charges).map(([k, c]) => `${k} ${c.mean.toFixed(4)} ± ${c.std.toFixed(4)} e`).join(', ')} (train, mean ± std)`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}

/**
 * The kernel spec for the summary line, with fitted arrays (a whitening's `center` and `transform`, thousands of
 * numbers) replaced by their shape: `"transform": "[84×84]"`. The model file keeps them whole.
 */
export function kernelSummary(spec: unknown): string {
  return JSON.stringify(spec, (key, value: unknown) => {
    if ((key === 'center' || key === 'transform') && Array.isArray(value))
      return Array.isArray(value[0]) ? `[${value.length}×${(value[0] as unknown[]).length}]` : `[${value.length}]`;
    return value;
  });
}
