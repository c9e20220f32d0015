/**
 * `farfield label --engine cp2k --method gfn1-xtb|pbe IN.xyz -o OUT.xyz [--np 2] [--workdir DIR]`: quantum-mechanical
 * labels (energy, forces, stress) with CP2K, resumable, quality-gated; or `--engine fumi-tosi|point-charges|
 * buckingham-zro2` to relabel with one of the project's reference potentials (thin shell over api/labelFile).
 */
import type { Command } from 'commander';
import { FarfieldError } from '../../core/index.js';
import { LABEL_ENGINES, REFERENCE_LABEL_ENGINES, REFERENCE_LABEL_ENGINE_INFO, labelFile, parseChargeMap } from '../../api/index.js';
import { createProgress } from '../progress.js';

export function register(program: Command): void {
  const engines = [
    '  cp2k               CP2K (--method gfn1-xtb | pbe); resumable work directory, quality gate',
    ...REFERENCE_LABEL_ENGINES.map((e) => `  ${e.padEnd(18)} ${REFERENCE_LABEL_ENGINE_INFO[e]}`),
  ];
  program
    .command('label')
    .description('label structures with CP2K (GFN1-xTB or PBE; resumes an interrupted run) or a reference potential (Fumi–Tosi, point charges, Buckingham ZrO₂)')
    .argument('<input>', 'structure file (extxyz, POSCAR, …)')
    .requiredOption('-o, --output <file.xyz>', 'labelled frames (extended XYZ; written atomically — by CP2K after every frame)')
    .option('--engine <name>', `labelling engine: ${LABEL_ENGINES.join(' | ')}`, 'cp2k')
    .option('--method <name>', 'cp2k only (required there): gfn1-xtb | pbe')
    .option('--charges <map>', 'point-charges: charge per species, e.g. Na=1,Cl=-1 (default: the per-atom charges column)')
    .option('--shift', 'fumi-tosi / buckingham-zro2: shift pair energies to zero at the cutoff (default: unshifted, as LAMMPS and our sampling)')
    .option('--np <n>', 'MPI ranks for CP2K', '2')
    .option('--nice <k>', 'run CP2K with this nice increment', '0')
    .option('--workdir <dir>', 'CP2K work directory with one sub-directory per frame (default OUTPUT.work)')
    .option('--max-net-force <eV/A>', 'CP2K quality gate: reject frames with |Σ F|/N above this', '1e-3')
    .addHelpText('after', `\nEngines:\n${engines.join('\n')}\n`)
    .action(async (input: string, o: Record<string, string | boolean | undefined>) => {
      const engine = String(o.engine);
      if (!(LABEL_ENGINES as readonly string[]).includes(engine))
        throw new FarfieldError('INVALID_INPUT', `unknown labelling engine '${engine}' (known: ${LABEL_ENGINES.join(', ')})`);
      const progress = createProgress();
      if (engine !== 'cp2k') {
        const r = await labelFile({
          input, output: String(o.output), engine,
          ...(o.method !== undefined ? { method: String(o.method) } : {}),
          ...(o.charges !== undefined ? { charges: parseChargeMap(String(o.charges)) } : {}),
          ...(o.shift ? { shift: true } : {}),
          onProgress: progress.callback,
        });
        progress.done();
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
      process.stdout.write(`${r.accepted}/${r.frames} frames labelled → ${o.output} (computed ${r.computed}, reused ${r.reused}` +
        `${r.computed ? `, ${r.secondsPerFrame.toFixed(1)} s/frame` : ''}; work directory ${r.workdir})\n`);
      if (r.rejected.length) {
        process.stdout.write(`rejected ${r.rejected.length} frame(s):\n`);
        for (const f of r.rejected) process.stdout.write(`  frame ${f.index}: ${f.reason}\n`);
      }
    });
}
