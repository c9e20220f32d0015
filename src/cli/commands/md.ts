/**
 * `farfield md MODEL START.xyz --steps N --dt 2 --temperature 1200 [--thermostat bussi|langevin|nve] -o traj.xyz`:
 * molecular dynamics with a fitted model (or a built-in reference calculator), progress bar on stderr, a periodic
 * log of T / E / conserved energy / uncertainty on stdout and a final summary. Thin shell over api/runMolecularDynamics.
 * A run that blows up (md/guard.ts; thresholds --max-temperature-factor, --max-drift, --max-displacement) stops with
 * an error naming the step and the quantity, keeps the frames written so far and exits non-zero.
 */
import type { Command } from 'commander';
import type { MdLogRecord } from '../../api/index.js';
import { MD_CALCULATOR_NAMES } from '../../api/names.js';
import { addDynamicsOptions, num, parseDynamicsOptions } from '../options.js';
import { emitJson } from '../json.js';
import { createProgress } from '../progress.js';


const f = (x: number, d: number) => x.toFixed(d);

export function register(program: Command): void {
  addDynamicsOptions(program
    .command('md')
    .description('run molecular dynamics with a fitted model and write an extended-XYZ trajectory')
    .argument('<model>', 'fitted model file (farfield fit -o model.ffm; .json models load too); omit it when --calculator is given')
    .argument('[start]', 'starting structure file (the last frame is used unless --frame)')
    .requiredOption('--steps <n>', 'number of time steps'), 'isotropic Berendsen barostat at this pressure (the calculator gives the stress; periodic cells)')
    .option('--every <k>', 'write every k-th frame', '10')
    .option('--log-every <k>', 'log every k-th step (default: ~20 lines, at most one per 10 steps)')
    .option('--frame <i>', 'frame of START to use (negative counts from the end)', '-1')
    .option('--calculator <name>', `built-in reference calculator instead of a model: ${MD_CALCULATOR_NAMES.join(', ')}`)
    .option('-o, --output <traj.xyz>', 'trajectory file (extended XYZ)')
    .option('--max-temperature-factor <x>', 'stop when T exceeds x × max(target, initial T, 300 K); 0 = off', '10')
    .option('--max-drift <eV/atom>', 'stop when the conserved energy drifts by more than this per atom; 0 = off', '1')
    .option('--max-displacement <A>', 'stop when an atom moves more than this in one step, Å; 0 = off (default: min(5 Å, smallest cell width))')
    .option('--no-guard', 'do not stop runs that blow up (see the three options above)')
    .option('--no-uncertainty', "do not read the model's covariance factor and log no σ (less memory: the covariance is most of a model file)")
    .option('--no-force-uncertainty', 'log only the energy σ of a model, not the largest per-atom force σ (cheaper log lines)')
    .option('--json', 'print the final summary as JSON')
    .action(async (first: string, second: string | undefined, o: Record<string, string | boolean | undefined>) => {
      const { checkTrajectoryOutput, loadCalculator, loadFrame, runMolecularDynamics } = await import('../../api/index.js');
      const [model, start] = second === undefined ? [undefined, first] : [first, second];
      const dyn = parseDynamicsOptions(o);
      const { thermostat, timestepFs: dt, temperatureK } = dyn;
      if (o.output !== undefined) checkTrajectoryOutput(String(o.output));
      const calculator = loadCalculator({ model, calculator: o.calculator as string | undefined, covariance: o.uncertainty !== false });
      const structure = await loadFrame(start, num(String(o.frame), 'frame', true));
      const steps = num(String(o.steps), 'steps', true);
      const progress = createProgress(o.json ? { logStream: process.stderr } : {});
      const out = (s: string) => progress.log(s);
      out(`# md: ${structure.species.length} atoms, ${steps} steps × ${dt} fs, ${thermostat} at ${temperatureK}${dyn.temperatureEndK !== undefined ? ` → ${dyn.temperatureEndK}` : ''} K${dyn.densityGcm3 ? `, density ${dyn.densityGcm3[0]} → ${dyn.densityGcm3[1]} g/cm³` : ''}, calculator ${calculator.name}${model ? ` (${model})` : ''}, seed ${o.seed}`);
      out(`# ${'step'.padStart(8)} ${'time/ps'.padStart(9)} ${'T/K'.padStart(8)} ${'Epot/eV'.padStart(14)} ${'Econs/eV'.padStart(14)} ${'drift/(eV/atom)'.padStart(16)} ${'sigma_E/(meV/atom)'.padStart(18)} ${'maxsigma_F/(eV/A)'.padStart(17)}`);
      const log = (r: MdLogRecord) =>
        out(`  ${String(r.step).padStart(8)} ${f(r.timeFs / 1000, 4).padStart(9)} ${f(r.temperatureK, 1).padStart(8)} ${f(r.potentialEv, 5).padStart(14)} ${f(r.conservedEv, 5).padStart(14)} ${r.conservedDriftEvPerAtom.toExponential(2).padStart(16)} ${(r.uncertaintyEvPerAtom === undefined ? '–' : f(1000 * r.uncertaintyEvPerAtom, 3)).padStart(18)} ${(r.maxForceUncertaintyEvPerA === undefined ? '–' : f(r.maxForceUncertaintyEvPerA, 4)).padStart(17)}`);
      const summary = runMolecularDynamics({
        calculator, start: structure, steps, ...dyn, every: num(String(o.every), 'every', true),
        logEvery: o.logEvery === undefined ? undefined : num(String(o.logEvery), 'log-every', true),
        output: o.output as string | undefined, onLog: log, onProgress: progress.callback, forceUncertainty: o.forceUncertainty !== false,
        guard: o.guard === false ? false : {
          temperatureFactor: num(String(o.maxTemperatureFactor), 'max-temperature-factor'),
          conservedDriftEvPerAtom: num(String(o.maxDrift), 'max-drift'),
          ...(o.maxDisplacement === undefined ? {} : { maxStepDisplacementA: num(String(o.maxDisplacement), 'max-displacement') }),
        },
      });
      progress.done();
      if (o.json) {
        emitJson(summary);
        return;
      }
      const lines = [
        `simulated ${f(summary.simulatedFs / 1000, 3)} ps in ${f(summary.wallS, 1)} s (${summary.nsPerDay.toPrecision(3)} ns/day); mean T ${f(summary.meanTemperatureK, 1)} K`,
        `conserved-energy drift ${summary.conservedDriftEvPerAtom.toExponential(3)} eV/atom (largest excursion ${summary.maxConservedExcursionEvPerAtom.toExponential(3)} eV/atom)`,
      ];
      if (summary.fixedCoordinates > 0) lines.push(`${summary.fixedCoordinates} fixed coordinates (selective dynamics / move_mask); temperature over ${summary.degreesOfFreedom} degrees of freedom`);
      if (summary.maxUncertaintyEvPerAtom !== undefined) lines.push(`largest model uncertainty ${f(1000 * summary.maxUncertaintyEvPerAtom, 3)} meV/atom`);
      if (summary.maxForceUncertaintyEvPerA !== undefined) lines.push(`largest per-atom force uncertainty ${f(summary.maxForceUncertaintyEvPerA, 4)} eV/Å`);
      if (summary.output) lines.push(`wrote ${summary.framesWritten} frames to ${summary.output}`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}
