/**
 * How far sound MD runs stay from the blow-up guard's thresholds (md/guard.ts): for each run, the largest
 * T / T_ref, the largest conserved-energy excursion per atom and the largest one-step displacement, next to the
 * default limits (10, 1 eV/atom, min(5 Å, cell width)). Usage:
 *   node --import tsx scripts/analysis/md-guard-margins.ts START.xyz [MODEL.json] [steps=2000]
 * Without MODEL the Fumi–Tosi reference potential is used.
 */
import { blowUpGuard, conservedEnergyEv, createIntegrator, defaultMaxStepDisplacementA, runMd, temperatureK, type MdState } from '../../src/md/index.js';
import { integratorConfig, loadCalculator, loadFrame, type Thermostat } from '../../src/api/index.js';

const [start, model, stepsArg] = process.argv.slice(2);
const steps = Number(stepsArg ?? 2000);
const calc = loadCalculator(model && model !== '-' ? { model } : { calculator: 'fumi-tosi' });
const s = await loadFrame(start, -1);
const runs: [Thermostat, number][] = [['nve', 2], ['bussi', 2], ['langevin', 2], ['bussi', 5]];
for (const [thermostat, dt] of runs) {
  const md = createIntegrator(calc, integratorConfig(thermostat, dt, 1200));
  const st = md.init(s, { temperatureK: 1200, seed: 1 });
  const tRef = Math.max(300, temperatureK(st), md.config.temperatureK ?? 0);
  const e0 = conservedEnergyEv(st), n = s.species.length;
  let prev = st.positions.slice(), maxT = 0, maxDrift = 0, maxDisp = 0;
  const watch = (x: MdState) => {
    maxT = Math.max(maxT, temperatureK(x) / tRef);
    maxDrift = Math.max(maxDrift, Math.abs(conservedEnergyEv(x) - e0) / n);
    for (let i = 0; i < n; i++) maxDisp = Math.max(maxDisp, Math.hypot(x.positions[3 * i] - prev[3 * i], x.positions[3 * i + 1] - prev[3 * i + 1], x.positions[3 * i + 2] - prev[3 * i + 2]));
    prev = x.positions.slice();
  };
  runMd(md, st, steps, { observers: [blowUpGuard(md, st), watch] });
  console.log(`${thermostat.padEnd(8)} dt ${dt} fs, ${steps} steps: max T/T_ref ${maxT.toFixed(2)} (limit 10), max |drift| ${maxDrift.toExponential(2)} eV/atom (limit 1), max step ${maxDisp.toFixed(3)} Å (limit ${defaultMaxStepDisplacementA(s.cell, s.pbc).toFixed(2)})`);
}
