/** Diagnostic for docs/RESULTS.md (charge-transfer benchmark): sr+qeq with χ per species, started at the reference χ. */
import { fitAny } from '../src/api/index.js';
import type { ChargeModel } from '../src/model/index.js';
import { chargeTransferDataset, CHARGE_TRANSFER_HARDNESS } from '../src/reference/index.js';
const train = chargeTransferDataset({ n: 10, seed: 1 });
for (const [kind, w, init, its] of [['sr+qeq', 1, { Na: -2, Cl: 2, Al: -5 }, 0], ['sr+qeq', 1, { Na: -2, Cl: 2, Al: -5 }, 30]] as const) {
  const r = await fitAny(train, { descriptors: kind, selection: { count: 64 }, threads: 1, weights: { forces: w },
    charges: { hardness: { ...CHARGE_TRANSFER_HARDNESS }, count: 0, iterations: its, tolerance: 1e-8, initial: { ...init } } }, { onWarning: () => {}, onProgress: (p) => { if (p.phase === 'charges') console.log(p.done, p.message); } });
  const m = r.model as ChargeModel;
  console.log(kind, 'iterations', its, 'objective', (r.model as ChargeModel).params.chargeTraining?.objective, 'forces weight', w, 'offsets χ', Array.from(m.chargeOffsets), 'train E RMSE meV/atom', r.errors.train.energy?.rmse_meV_per_atom, 'F', r.errors.train.forces?.rmse_meV_per_A);
  const dE: number[] = [];
  for (let k = 0; k < train.length; k += 2) dE.push(m.calculate(train[k + 1]).energyEv - m.calculate(train[k]).energyEv - (train[k + 1].labels.energyEv! - train[k].labels.energyEv!));
  console.log('train ΔE errors meV', dE.map((x) => (1000 * x).toFixed(0)).join(' '));
}
