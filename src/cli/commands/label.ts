/**
 * `farfield label --engine cp2k --method gfn1-xtb|pbe IN.xyz -o OUT.xyz [--np 2] [--workdir DIR]`: quantum-mechanical
 * labels (energy, forces, stress) with CP2K, resumable, quality-gated; or `--engine fumi-tosi|point-charges|
 * buckingham-zro2` to relabel with one of the project's reference potentials (thin shell over api/labelFile).
 */
import { Option, type Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { FarfieldError } from '../../core/index.js';
import type { LabelSummary } from '../../api/index.js';
import { LABEL_ENGINE_NAMES, REFERENCE_LABEL_ENGINE_HELP, REFERENCE_LABEL_ENGINE_NAMES } from '../../api/names.js';
import { createProgress } from '../progress.js';
import { addSchedulerOptions, parseSchedulerOptions, positiveInt } from '../scheduler.js';

export function register(program: Command): void {
  const engines = [
    '  cp2k               CP2K (--method gfn1-xtb | pbe); resumable work directory, quality gate',
    ...REFERENCE_LABEL_ENGINE_NAMES.map((e) => `  ${e.padEnd(18)} ${REFERENCE_LABEL_ENGINE_HELP[e]}`),
  ];
  const cmd = program
    .command('label')
    .description('label structures with CP2K (GFN1-xTB or PBE; resumes an interrupted run) or a reference potential (Fumi–Tosi, point charges, Buckingham ZrO₂)')
    .argument('<input>', 'structure file (extxyz, POSCAR, …)')
    .requiredOption('-o, --output <file.xyz>', 'labelled frames (extended XYZ; written atomically — by CP2K after every frame)')
    .option('--engine <name>', `labelling engine: ${LABEL_ENGINE_NAMES.join(' | ')}`, 'cp2k')
    .option('--method <name>', 'cp2k only (required there): gfn1-xtb | pbe')
    .option('--charges <map>', 'point-charges: charge per species, e.g. Na=1,Cl=-1 (default: the per-atom charges column)')
    .option('--shift', 'fumi-tosi / buckingham-zro2: shift pair energies to zero at the cutoff (default: unshifted, as LAMMPS and our sampling)')
    .option('--np <n>', 'MPI ranks for CP2K', '2')
    .option('--nice <k>', 'run CP2K with this nice increment', '0')
    .option('--workdir <dir>', 'CP2K work directory with one sub-directory per frame (default OUTPUT.work); with --scheduler, the shared work directory of the chunks (default OUTPUT.cluster)')
    .option('--max-net-force <eV/A>', 'CP2K quality gate: reject frames with |Σ F|/N above this', '1e-3')
    .option('--array-size <k>', 'with --scheduler: number of chunks (array tasks)', '4')
    .option('--resume', 'with --scheduler: re-submit only the chunks of an earlier run without a finished output')
    .addOption(new Option('--summary-json <file>', 'write the LabelSummary as JSON (used by the chunk tasks)').hideHelp())
    .addHelpText('after', `\nEngines:\n${engines.join('\n')}\n\nWith --scheduler, --workdir is the shared work directory of the chunks (default OUTPUT.cluster; docs/cluster.md);\nwithout it, CP2K's work directory with one sub-directory per frame (default OUTPUT.work).\n`);
  addSchedulerOptions(cmd, 'K chunks of the frames', false)
    .action(async (input: string, o: Record<string, unknown>) => {
      const [{ labelFile }, { parseChargeMap }] = await Promise.all([import('../../api/label.js'), import('../../api/relabel.js')]);
      const engine = String(o.engine);
      if (!(LABEL_ENGINE_NAMES as readonly string[]).includes(engine))
        throw new FarfieldError('INVALID_INPUT', `unknown labelling engine '${engine}' (known: ${LABEL_ENGINE_NAMES.join(', ')})`);
      const cluster = parseSchedulerOptions(o);
      if (!cluster && (o.resume || o.arraySize !== '4')) throw new FarfieldError('INVALID_INPUT', '--array-size and --resume need --scheduler local | slurm');
      const progress = createProgress({ logStream: process.stderr });
      const summaryJson = (r: LabelSummary): void => {
        if (o.summaryJson) writeFileSync(String(o.summaryJson), JSON.stringify(r));
      };
      if (cluster) {
        const { labelFileOnCluster } = await import('../../api/labelCluster.js');
        const np = o.np === undefined ? undefined : Number(o.np);
        const r = await labelFileOnCluster({
          input, output: String(o.output), engine, chunks: positiveInt(o.arraySize, '--array-size'), resume: Boolean(o.resume),
          cluster: { ...cluster, onProgress: progress.callback, onLog: (m) => progress.log(m) },
          ...(o.method !== undefined ? { method: String(o.method) } : {}),
          ...(o.charges !== undefined ? { charges: parseChargeMap(String(o.charges)) } : {}),
          ...(o.shift ? { shift: true } : {}),
          ...(engine === 'cp2k' ? { np, nice: Number(o.nice), maxNetForcePerAtom: Number(o.maxNetForce) } : {}),
        });
        progress.done();
        summaryJson(r);
        process.stdout.write(`${r.accepted}/${r.frames} frames labelled with ${engine} in ${r.chunks} chunk(s) (${r.submitted.length} submitted) → ${o.output} (work directory ${r.workdir})\n`);
        for (const f of r.rejected) process.stdout.write(`  rejected frame ${f.index}: ${f.reason}\n`);
        return;
      }
      if (engine !== 'cp2k') {
        const r = await labelFile({
          input, output: String(o.output), engine,
          ...(o.method !== undefined ? { method: String(o.method) } : {}),
          ...(o.charges !== undefined ? { charges: parseChargeMap(String(o.charges)) } : {}),
          ...(o.shift ? { shift: true } : {}),
          onProgress: progress.callback,
        });
        progress.done();
        summaryJson(r);
        process.stdout.write(`${r.accepted}/${r.frames} frames labelled with ${engine}${o.shift ? ' (shifted pairs)' : ''} → ${o.output} (${(1000 * r.secondsPerFrame).toFixed(0)} ms/frame)\n`);
        return;
      }
      if (o.method === undefined) throw new FarfieldError('INVALID_INPUT', `--engine cp2k needs --method (gfn1-xtb | pbe)`);
      if (o.charges !== undefined || o.shift) throw new FarfieldError('INVALID_INPUT', '--charges and --shift apply only to the reference engines, not to cp2k');
      const np = Number(o.np), nice = Number(o.nice), gate = Number(o.maxNetForce);
      if (!Number.isInteger(np) || np < 0) throw new FarfieldError('INVALID_INPUT', `--np expects a non-negative integer, got '${o.np}'`);
      if (!Number.isInteger(nice) || nice < 0) throw new FarfieldError('INVALID_INPUT', `--nice expects a non-negative integer, got '${o.nice}'`);
      if (!(gate > 0)) throw new FarfieldError('INVALID_INPUT', `--max-net-force expects a positive number, got '${o.maxNetForce}'`);
      const r = await labelFile({
        input, output: String(o.output), engine, method: String(o.method), np, nice,
        maxNetForcePerAtom: gate, ...(o.workdir ? { workdir: String(o.workdir) } : {}), onProgress: progress.callback,
      });
      progress.done();
      summaryJson(r);
      process.stdout.write(`${r.accepted}/${r.frames} frames labelled → ${o.output} (computed ${r.computed}, reused ${r.reused}` +
        `${r.computed ? `, ${r.secondsPerFrame.toFixed(1)} s/frame` : ''}; work directory ${r.workdir})\n`);
      if (r.rejected.length) {
        process.stdout.write(`rejected ${r.rejected.length} frame(s):\n`);
        for (const f of r.rejected) process.stdout.write(`  frame ${f.index}: ${f.reason}\n`);
      }
    });
}
