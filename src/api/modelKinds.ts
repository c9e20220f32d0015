/**
 * Model kinds beyond the descriptor presets: the learned-charge models (issue 18). A kind names the descriptor
 * preset it builds on and how it is fitted; `fitAnyModel` dispatches on it, so `fit`, `compare` and the web page
 * accept 'sr+q' wherever they accept a descriptor preset. Loaded models choose their kind from the file's format
 * (model/chargeModelFile.ts, parseAnyModel), never from a name.
 */
import { FarfieldError, type ProgressCallback, type Structure } from '../core/index.js';
import type { DescriptorSpec } from '../descriptors/index.js';
import {
  ChargeModel, KernelModel, fitChargeModel, fitKernelModel, type ChargeFitOptions, type FitConfig, type FittedModel, type KernelSpec, type TrainingMetadata,
} from '../model/index.js';

export interface ModelKind {
  /** Descriptor preset the model is built on. */
  descriptor: string;
  description: string;
}

/** Learned-charge model kinds by name. */
export const CHARGE_MODEL_KINDS: Record<string, ModelKind> = {
  'sr+q': { descriptor: 'sr', description: 'sr kernel energies + latent Gaussian charges from a kernel model, Ewald/PME electrostatics (LES-like)' },
  'sr+qeq': { descriptor: 'sr', description: 'sr kernel energies + charge equilibration with kernel electronegativities and fitted hardness per species (4G-HDNNP/kQEq-like; charges.hardness = start values, default 10 eV/e²)' },
};

export function isChargeKind(name: string | undefined): boolean {
  return name !== undefined && Object.prototype.hasOwnProperty.call(CHARGE_MODEL_KINDS, name);
}

/** The descriptor preset behind a model name (itself for descriptor presets). */
export function descriptorPresetOf(name: string): string {
  return isChargeKind(name) ? CHARGE_MODEL_KINDS[name].descriptor : name;
}

/** Fit a model of the named kind (a descriptor preset → kernel model; a charge kind → charge model). */
export function fitAnyModel(kind: string, train: readonly Structure[], config: FitConfig & { charges?: ChargeFitOptions }, onProgress?: ProgressCallback): { model: FittedModel; metadata: TrainingMetadata } {
  if (isChargeKind(kind)) {
    // charges.hardness is the sr+qeq switch inside the fit (start values, fitted unless fitHardness is false; {} = 10
    // eV/e² each); sr+q ignores it (so compare can share one configuration)
    const charges = kind === 'sr+q'
      ? (config.charges ? { ...config.charges, hardness: undefined } : undefined)
      : { ...(config.charges ?? {}), hardness: config.charges?.hardness ?? {} };
    const r = fitChargeModel(train, { ...config, charges }, onProgress);
    return { model: r.model, metadata: r.metadata };
  }
  const { charges: _c, ...rest } = config;
  return fitKernelModel(train, rest, onProgress);
}

/** References per species of the (energy part of the) model. */
export function referenceCountsOf(model: FittedModel): Record<string, number> {
  const sp = model instanceof ChargeModel ? model.params.energy.species : model.params.species;
  return Object.fromEntries(sp.map((s) => [s.species, s.weights.length]));
}

export function kernelSpecOf(model: FittedModel): KernelSpec {
  return model instanceof ChargeModel ? model.params.energy.kernel : model.params.kernel;
}

export function descriptorSpecOf(model: FittedModel): DescriptorSpec {
  return model.descriptor.toJSON();
}

/** Mean and standard deviation of the predicted charges per species over structures (e); null for kernel models. */
export function chargeStatistics(model: FittedModel, structures: readonly Structure[]): Record<string, { mean: number; std: number; count: number }> | null {
  if (!(model instanceof ChargeModel)) return null;
  const acc: Record<string, { s: number; s2: number; n: number }> = {};
  for (const s of structures) {
    const q = model.calculate(s, { forces: false, stress: false }).charges!;
    for (let i = 0; i < q.length; i++) {
      const a = (acc[s.symbols[s.species[i]]] ??= { s: 0, s2: 0, n: 0 });
      a.s += q[i]; a.s2 += q[i] * q[i]; a.n++;
    }
  }
  return Object.fromEntries(Object.entries(acc).map(([k, a]) => {
    const mean = a.s / a.n;
    return [k, { mean, std: Math.sqrt(Math.max(0, a.s2 / a.n - mean * mean)), count: a.n }];
  }));
}

/** Whether the model stored a posterior covariance (uncertainties available). */
export function hasCovariance(model: FittedModel): boolean {
  return (model instanceof ChargeModel ? model.params.energy.covarianceFactor : model.params.covarianceFactor) !== undefined;
}

/** True for a kernel model (sr, sr+lr, …), false for a learned-charge model. */
export function isKernelModel(model: FittedModel): model is KernelModel {
  return model instanceof KernelModel;
}
