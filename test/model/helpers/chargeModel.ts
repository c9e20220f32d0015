/** A random sr+q model on the 'test-pair' descriptor (seeded references, weights and offsets ±0.8 e). */
import { Rng } from '../../../src/core/index.js';
import { ChargeModel, type ChargeModelParams } from '../../../src/model/index.js';
import './pairDescriptor.js';

const DESC = { kind: 'test-pair', species: ['Na', 'Cl'], hypers: { cutoffA: 4, gaussians: 5 } };
const D = 10;

function randomArray(rng: Rng, n: number, scale: number): Float64Array {
  return Float64Array.from({ length: n }, () => scale * rng.normal());
}

/** A model with random references and weights (seeded); `params` fixes the solver when given. */
export function randomChargeModel(seed: number, parameters?: ChargeModelParams['electrostatics']['parameters']): ChargeModel {
  const rng = new Rng(seed);
  const sp = ['Na', 'Cl'];
  const refs = (m: number) => Float64Array.from({ length: m * D }, () => Math.abs(rng.normal()));
  return new ChargeModel({
    energy: {
      descriptor: DESC,
      kernel: { kind: 'polynomial', hypers: { zeta: 2 } },
      species: sp.map((s) => ({ species: s, features: refs(3), weights: randomArray(rng, 3, 0.5), referenceEnergyEv: rng.normal() })),
    },
    charges: sp.map((s, t) => ({ species: s, features: refs(4), weights: randomArray(rng, 4, 0.3), offsetE: t === 0 ? 0.8 : -0.8 })),
    electrostatics: { sigmaA: 0.7, ...(parameters ? { parameters } : {}) },
  });
}

