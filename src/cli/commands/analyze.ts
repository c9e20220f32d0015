/**
 * `farfield analyze traj.xyz --rdf [--rmax 8] [--bins 160] [--reference REF.xyz] [--skip K] [--out rdf/]`:
 * radial distribution functions as JSON + an HTML/SVG page (trajectory and reference curves in one plot per pair).
 * Thin shell over api/analyzeRdf.
 */
import type { Command } from 'commander';
import { FarfieldError } from '../../core/index.js';
import { emitJson } from '../json.js';
import { num } from '../options.js';


export function register(program: Command): void {
  program
    .command('analyze')
    .description('analyse a trajectory: radial distribution functions (JSON + HTML plot), optionally against reference data')
    .argument('<trajectory>', 'structure file (e.g. the output of farfield md)')
    .option('--rdf', 'radial distribution functions g_AB(r)')
    .option('--rmax <A>', 'largest distance, Å', '8')
    .option('--bins <n>', 'number of bins', '160')
    .option('--skip <k>', 'discard the first k trajectory frames (equilibration)', '0')
    .option('--reference <file>', 'reference structures (e.g. the DFT/xTB data) plotted with the trajectory')
    .option('--out <dir>', 'output folder for rdf.json and index.html', 'rdf')
    .option('--json', 'print the curves as JSON instead of a summary')
    .action(async (trajectory: string, o: { rdf?: boolean; rmax: string; bins: string; skip: string; reference?: string; out: string; json?: boolean }) => {
      const { analyzeRdf } = await import('../../api/analyze.js');
      if (!o.rdf) throw new FarfieldError('INVALID_INPUT', 'nothing to do: give an analysis, e.g. --rdf');
      const r = analyzeRdf({ trajectory, reference: o.reference, rMaxA: num(o.rmax, 'rmax'), bins: num(o.bins, 'bins', true), skip: num(o.skip, 'skip', true), out: o.out });
      if (o.json) {
        emitJson({ sets: r.sets, difference: r.difference });
        return;
      }
      const lines = r.sets.map((s) => `${s.label}: ${s.file}, ${s.frames} frames, pairs ${Object.keys(s.curves).join(', ')}`);
      if (r.difference)
        for (const [pair, d] of Object.entries(r.difference)) lines.push(`  ${pair.padEnd(8)} max |Δg| ${d.maxAbs.toFixed(3)}, mean |Δg| ${d.meanAbs.toFixed(4)}`);
      if (r.written) lines.push(`wrote ${r.written.json} and ${r.written.html}`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}
