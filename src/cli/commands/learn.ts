/**
 * `farfield learn START --reference ENGINE [--method gfn1-xtb|pbe] --steps N --dt FS --temperature K --out DIR`
 * and `farfield learn --resume DIR`: on-the-fly learning (api/learn.ts). Progress on stderr (step, T, largest
 * Bayesian force error vs threshold, calls, refits, ETA); events (threshold updates, skipped calls) as lines; a
 * summary at the end (or JSON with --json). `--scheduler local|slurm` makes each reference call an executor job
 * (the options of scheduler.ts, as label/fit; stored in the run, so `--resume` submits the same way). Thin shell.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { FarfieldError } from '../../core/index.js';
import type { LearnSummary } from '../../api/index.js';
import { LEARN_ENGINE_NAMES } from '../../api/names.js';
import { addDynamicsOptions, num, parseDynamicsOptions } from '../options.js';
import { emitJson } from '../json.js';
import { createProgress } from '../progress.js';
import { addSchedulerOptions, parseSchedulerOptions } from '../scheduler.js';


function readConfig(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new FarfieldError('IO', `cannot read learn configuration: ${(e as Error).message}`, { file: path });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FarfieldError('PARSE', `learn configuration is not valid JSON: ${(e as Error).message}`, { file: path });
  }
}

export function register(program: Command): void {
  const cmd = addDynamicsOptions(program
    .command('learn')
    .description('on-the-fly learning: MD with the current model, reference calls where its Bayesian force error says so, incremental refits')
    .argument('[start]', 'starting structure (last frame); omit with --resume')
    .option('--reference <engine>', `reference method: ${LEARN_ENGINE_NAMES.join(' | ')}`)
    .option('--method <m>', 'cp2k method: gfn1-xtb | pbe')
    .option('--charges <map>', 'point-charges: Na=1,Cl=-1')
    .option('--descriptors <preset>', 'descriptor preset (sr, sr+lr, …) or learned-charge kind (sr+q, sr+qeq, sr+lr+q, sr+lr+qeq; each refit is a full charge fit)')
    .option('--steps <n>', 'MD steps'), 'Berendsen barostat at this pressure (isotropic; the reference and the model give the stress)')
    .option('--model <file>', 'start from this model (its descriptor; the first step is still labelled)')
    .option('--training <file>', 'labelled structures that seed the training set')
    .option('--config <file.json>', 'learn configuration (threshold, fit; docs/learn.md)')
    .option('--test <file>', 'held-out labelled frames for the parity plots of the report')
    .option('--np <n>', 'cp2k: MPI ranks', '2')
    .option('--out <dir>', 'output directory (training.xyz, model.json, trajectory.xyz, log.csv, state.json, index.html)')
    .option('--resume <dir>', 'continue the run in DIR from its last checkpoint')
    .option('--json', 'print the summary as JSON');
  addSchedulerOptions(cmd, 'each reference call', false)
    .option('--workdir <dir>', 'with --scheduler: work directory of the jobs, on a file system all nodes see (default OUT/cluster)')
    .action(async (start: string | undefined, o: Record<string, string | boolean | undefined>) => {
      const { isKernelModel, loadFrame, loadModel, loadStructures, parseChargeMap, resumeLearn, runLearn, validateLearnConfig } = await import('../../api/index.js');
      const progress = createProgress(o.json ? { logStream: process.stderr } : {});
      const say = (s: string) => progress.log(s);
      const test = o.test ? loadStructures(String(o.test)).structures : [];
      const hooks = { onProgress: progress.callback, onMessage: (m: string) => say(`# ${m}`), test };
      let summary: LearnSummary;
      if (o.workdir !== undefined && o.scheduler === undefined) throw new FarfieldError('INVALID_INPUT', 'learn: --workdir needs --scheduler local | slurm');
      const cluster = parseSchedulerOptions(o);
      if (o.resume) {
        if (start !== undefined || o.out !== undefined) throw new FarfieldError('INVALID_INPUT', '--resume DIR continues a run: give no START or --out');
        if (cluster) throw new FarfieldError('INVALID_INPUT', '--resume DIR continues a run with the scheduler it was started with (stored in its state.json): give no --scheduler options');
        summary = await resumeLearn(String(o.resume), hooks);
      } else {
        if (start === undefined) throw new FarfieldError('INVALID_INPUT', 'learn needs a START structure (or --resume DIR)');
        if (o.reference === undefined) throw new FarfieldError('INVALID_INPUT', `learn needs --reference (${LEARN_ENGINE_NAMES.join(', ')})`);
        if (o.steps === undefined) throw new FarfieldError('INVALID_INPUT', 'learn needs --steps N');
        if (o.out === undefined) throw new FarfieldError('INVALID_INPUT', 'learn needs --out DIR');
        const dyn = parseDynamicsOptions(o);
        const { thermostat } = dyn;
        const config = o.config ? validateLearnConfig(readConfig(String(o.config)), String(o.config)) : {};
        const structure = await loadFrame(start);
        const loaded = o.model ? loadModel(String(o.model)) : undefined;
        if (loaded && !isKernelModel(loaded))
          throw new FarfieldError('UNSUPPORTED', `learn: --model ${String(o.model)} is a learned-charge model; on-the-fly learning starts from kernel models (sr, sr+lr, …) only; a charge kind (--descriptors sr+q, …) starts without --model`);
        const startModel = loaded && isKernelModel(loaded) ? loaded : undefined;
        say(`# learn: ${structure.species.length} atoms, ${o.steps} steps × ${o.dt} fs, ${thermostat} at ${dyn.temperatureK}${dyn.temperatureEndK !== undefined ? ` → ${dyn.temperatureEndK}` : ''} K, reference ${o.reference}${o.method ? ` (${o.method})` : ''}${cluster ? ` as ${cluster.scheduler} jobs` : ''}${o.pressure !== undefined ? `, Berendsen barostat at ${o.pressure} GPa` : ''}${dyn.densityGcm3 ? `, density ${dyn.densityGcm3[0]} → ${dyn.densityGcm3[1]} g/cm³` : ''}, out ${o.out}`);
        summary = await runLearn({
          start: structure, steps: num(String(o.steps), 'steps', true), ...dyn,
          reference: {
            engine: String(o.reference), ...(o.method ? { method: String(o.method) } : {}),
            ...(o.charges ? { charges: parseChargeMap(String(o.charges)) } : {}), np: num(String(o.np), 'np', true),
            ...(cluster ? { cluster: { ...cluster, ...(cluster.workdir !== undefined ? { workdir: resolve(cluster.workdir) } : {}) } } : {}),
          },
          ...(o.descriptors ? { descriptors: String(o.descriptors) } : {}),
          ...(o.training ? { training: loadStructures(String(o.training)).structures } : {}),
          ...(startModel ? { startModel, startModelPath: String(o.model) } : {}),
          out: String(o.out), config,
        }, hooks);
      }
      progress.done();
      const { model: _m, ...rest } = summary;
      if (o.json) {
        emitJson(rest);
        return;
      }
      say(`${summary.steps} steps: ${summary.calls} reference calls (${summary.failedCalls} failed), ${summary.refits} refits, ${summary.trainingStructures} training structures, references ${JSON.stringify(summary.references)}`);
      say(`calls per 100 steps: first quarter ${summary.callsPer100.firstQuarter.toFixed(1)}, last quarter ${summary.callsPer100.lastQuarter.toFixed(1)}; threshold ${summary.finalThresholdEvPerA.toPrecision(3)} eV/Å after ${summary.thresholdUpdates} updates`);
      say(`exact force σ at ${summary.exactForceSigmaSteps} of ${summary.steps} steps (the rest screened); escapes caught ${summary.escapes}`);
      say(`wrote ${summary.dir}/model.json, training.xyz, log.csv, index.html (${summary.wallS.toFixed(1)} s)`);
    });
}
