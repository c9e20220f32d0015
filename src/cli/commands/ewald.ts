/** `farfield ewald FILE`: electrostatic energy, forces and stress of point charges (thin shell over api/runEwald). */
import type { Command } from 'commander';
import { FarfieldError } from '../../core/index.js';
import { emitJson } from '../json.js';

export function register(program: Command): void {
  program
    .command('ewald')
    .description('Coulomb energy (eV), forces (eV/Å) and stress (eV/Å³) of point charges, with the solver parameters used')
    .argument('<file>', 'structure file (extxyz, POSCAR, …)')
    .option('--charges <list>', 'charges per species, e.g. Na=1,Cl=-1')
    .option('--charges-from <column>', "per-atom charge column in the file (default 'charges')")
    .option('--accuracy <eps>', 'relative RMS force accuracy', '1e-6')
    .option('--method <method>', 'auto | ewald | pme | direct', 'auto')
    .option('--frame <k>', 'frame index (negative counts from the end)', '0')
    .option('--json', 'print one JSON object {energyEv, forcesEvPerA, stressEvPerA3, parameters, totalCharge, frame} on stdout (messages on stderr)')
    .action(async (file: string, o: { charges?: string; chargesFrom?: string; accuracy: string; method: string; frame: string; json?: boolean }) => {
      const { formatEwaldReport, parseChargeSpec, runEwald } = await import('../../api/electrostatics.js');
      const method = o.method as 'auto' | 'ewald' | 'pme' | 'direct';
      const frame = Number(o.frame);
      if (!Number.isInteger(frame)) throw new FarfieldError('INVALID_INPUT', `--frame must be an integer, got '${o.frame}'`);
      const r = await runEwald(file, {
        charges: o.charges ? parseChargeSpec(o.charges) : undefined,
        chargesFrom: o.chargesFrom,
        accuracy: Number(o.accuracy),
        method,
        frame,
      });
      for (const w of r.warnings) process.stderr.write(`farfield ewald: warning: ${w}\n`);
      // energy, forces, stress and parameters.alpha/kCutoff: pre-0.2 names, kept one release as deprecated aliases
      // (docs/conventions.md)
      if (o.json) {
        const p = r.parameters;
        const parameters = { ...p, ...(p.alphaPerA !== undefined ? { alpha: p.alphaPerA } : {}), ...(p.kCutoffPerA !== undefined ? { kCutoff: p.kCutoffPerA } : {}) };
        emitJson({
          energyEv: r.energyEv, forcesEvPerA: r.forcesEvPerA, stressEvPerA3: r.stressEvPerA3, parameters, totalCharge: r.totalCharge, frame: r.frame,
          energy: r.energyEv, forces: r.forcesEvPerA, stress: r.stressEvPerA3,
        });
      } else process.stdout.write(formatEwaldReport(r));
    });
}
