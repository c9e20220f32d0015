/**
 * `farfield label --engine cp2k --method gfn1-xtb|pbe IN.xyz -o OUT.xyz [--np 2] [--workdir DIR]`: quantum-mechanical
 * labels (energy, forces, stress) with CP2K, resumable, quality-gated (thin shell over api/labelFile).
 */
import type { Command } from 'commander';
import { FarfieldError } from '../../core/index.js';
import { labelFile } from '../../api/index.js';
import { createProgress } from '../progress.js';

export function register(program: Command): void {
  program
    .command('label')
    .description('label structures with a quantum-mechanical code (CP2K: GFN1-xTB or PBE); resumes an interrupted run')
    .argument('<input>', 'structure file (extxyz, POSCAR, …), fully periodic frames')
    .requiredOption('-o, --output <file.xyz>', 'labelled frames (extended XYZ; rewritten after every frame)')
    .option('--engine <name>', 'labelling engine', 'cp2k')
    .requiredOption('--method <name>', 'gfn1-xtb | pbe')
    .option('--np <n>', 'MPI ranks for CP2K', '2')
    .option('--nice <k>', 'run CP2K with this nice increment', '0')
    .option('--workdir <dir>', 'work directory with one sub-directory per frame (default OUTPUT.work)')
    .option('--max-net-force <eV/A>', 'quality gate: reject frames with |Σ F|/N above this', '1e-3')
    .action(async (input: string, o: Record<string, string | undefined>) => {
      const np = Number(o.np), nice = Number(o.nice), gate = Number(o.maxNetForce);
      if (!Number.isInteger(np) || np < 0) throw new FarfieldError('INVALID_INPUT', `--np expects a non-negative integer, got '${o.np}'`);
      if (!Number.isInteger(nice) || nice < 0) throw new FarfieldError('INVALID_INPUT', `--nice expects a non-negative integer, got '${o.nice}'`);
      if (!(gate > 0)) throw new FarfieldError('INVALID_INPUT', `--max-net-force expects a positive number, got '${o.maxNetForce}'`);
      const progress = createProgress();
      const r = await labelFile({
        input, output: String(o.output), engine: String(o.engine), method: String(o.method), np, nice,
        maxNetForcePerAtom: gate, ...(o.workdir ? { workdir: o.workdir } : {}), onProgress: progress.callback,
      });
      progress.done();
      process.stdout.write(`${r.accepted}/${r.frames} frames labelled → ${o.output} (computed ${r.computed}, reused ${r.reused}` +
        `${r.computed ? `, ${r.secondsPerFrame.toFixed(1)} s/frame` : ''}; work directory ${r.workdir})\n`);
      if (r.rejected.length) {
        process.stdout.write(`rejected ${r.rejected.length} frame(s):\n`);
        for (const f of r.rejected) process.stdout.write(`  frame ${f.index}: ${f.reason}\n`);
      }
    });
}
