/**
 * Model kinds beyond the descriptor presets: the learned-charge models (issue 18). A kind is metadata: the descriptor
 * preset under ε and g, and how the charges follow from g (`charges`: 'latent' — q = g projected onto Σq = Q, sr+q;
 * 'qeq' — g read as electronegativities, charge equilibration with fitted hardness, sr+qeq). `fitAnyModel`
 * dispatches on that metadata, so `fit`, `compare` and the web page accept every kind wherever they accept a
 * descriptor preset, and a new kind is one table row ('sr+lr+q': the same charges on top of the sr+lr descriptor,
 * whose FKK block gives ε the pair capacity that the sr descriptor lacks on NaCl, docs/charges.md). Loaded models
 * choose their class from the file's format and `kind` (model/chargeModelFile.ts, parseAnyModel); the descriptor is
 * stored in the file, so an sr+lr+q file is an sr+q-scheme file with an sr+lr descriptor.
 */
import { FarfieldError, type ProgressCallback, type Structure } from '../core/index.js';
import type { DescriptorSpec } from '../descriptors/index.js';
import {
  ChargeModel, KernelModel, fitChargeModel, fitKernelModel, type ChargeFitOptions, type FitConfig, type FittedModel, type KernelSpec, type TrainingMetadata,
} from '../model/index.js';

/** How the charges of a learned-charge kind follow from the charge kernel model g. */
export type ChargeScheme = 'latent' | 'qeq';

export interface ModelKind {
  /** Descriptor preset the model is built on (ε and g share it). */
  descriptor: string;
  /** 'latent': q = g − (Σg − Q)/N (ChargeModel); 'qeq': χ = g, charge equilibration (QeqModel). */
  charges: ChargeScheme;
  description: string;
}

/** Learned-charge model kinds by name. */
export const CHARGE_MODEL_KINDS: Record<string, ModelKind> = {
  'sr+q': { descriptor: 'sr', charges: 'latent', description: 'sr kernel energies + latent Gaussian charges from a kernel model, Ewald/PME electrostatics (LES-like)' },
  'sr+qeq': { descriptor: 'sr', charges: 'qeq', description: 'sr kernel energies + charge equilibration with kernel electronegativities and fitted hardness per species (4G-HDNNP/kQEq-like; charges.hardness = start values, default 10 eV/e²)' },
  'sr+lr+q': { descriptor: 'sr+lr', charges: 'latent', description: 'sr+lr kernel energies (FKK block) + latent Gaussian charges from a kernel model on the same descriptor, Ewald/PME electrostatics' },
  'sr+lr+qeq': { descriptor: 'sr+lr', charges: 'qeq', description: 'sr+lr kernel energies (FKK block) + charge equilibration with kernel electronegativities on the same descriptor and fitted hardness per species' },
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
    // charges.hardness is the qeq switch inside the fit (start values, fitted unless fitHardness is false; {} = 10
    // eV/e² each); latent kinds ignore it (so compare can share one configuration)
    const charges = CHARGE_MODEL_KINDS[kind].charges === 'latent'
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
