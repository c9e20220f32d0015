/**
 * Library verb `fitModel`: fit a kernel force field to labelled structures (model/fit.ts does the numerics) and
 * report its errors on the training set and an optional validation set. `saveModel` writes the model file
 * atomically (temporary file in the same folder, then rename). Descriptor presets come from `DESCRIPTOR_PRESETS`
 * (describe.ts): 'sr' now, 'sr+lr' / 'sr+lode' when their engineers add them.
 */
import { FarfieldError, type ProgressCallback, type Structure } from '../core/index.js';
import type { DescriptorSpec } from '../descriptors/index.js';
import { KernelModel, type ChargeFitOptions, type FitConfig, type FittedModel, type TrainingMetadata } from '../model/index.js';
import { descriptorPresetOf, fitAnyModel } from './modelKinds.js';
import { DESCRIPTOR_PRESETS, sortSpecies } from './describe.js';
import { evaluateModel, type EvalSummary } from './evaluate.js';
import { validateFitConfig } from './validate.js';
import { longRangeHypersFor, withLongRangeNote } from './longRangeChannels.js';

export interface FitModelConfig extends Omit<FitConfig, 'descriptor'> {
  /** Preset name from DESCRIPTOR_PRESETS (default 'sr') or a full descriptor spec. */
  descriptors?: string | DescriptorSpec;
  /** Hyperparameters passed to the preset. */
  descriptorHypers?: Record<string, unknown>;
  /** Species universe (default: every species of the training and validation data, by atomic number). */
  species?: string[];
  /** Learned-charge model settings (`descriptors: 'sr+q'`; model/chargeFit.ts). */
  charges?: ChargeFitOptions;
}

export interface FitModelOptions {
  validation?: readonly Structure[];
  onProgress?: ProgressCallback;
  /** Receives the solver's warnings (collapsed fit, bound active, no convergence); default: console.warn. */
  onWarning?: (message: string) => void;
}

export interface FitModelResult {
  model: KernelModel;
  metadata: TrainingMetadata;
  descriptor: DescriptorSpec;
  errors: { train: EvalSummary; validation?: EvalSummary };
}

/** Resolve a preset name or spec to a full descriptor spec for the given species. */
export function resolveDescriptor(d: string | DescriptorSpec | undefined, species: string[], hypers?: Record<string, unknown>): DescriptorSpec {
  if (d !== undefined && typeof d === 'object') return d;
  const name = d ?? 'sr';
  const preset = DESCRIPTOR_PRESETS[name];
  if (!preset) throw new FarfieldError('INVALID_INPUT', `unknown descriptor preset '${name}' (known: ${Object.keys(DESCRIPTOR_PRESETS).join(', ')})`);
  return preset.spec(species, hypers);
}

/** The result of `fitAny`: a kernel model or, for a learned-charge kind ('sr+q'), a charge model. */
export interface FitAnyResult extends Omit<FitModelResult, 'model'> {
  model: FittedModel;
}

/**
 * The model-level fit configuration from the api's: model kind, species, descriptor preset or spec, the long-range
 * channel choice (longRangeChannels.ts) and its note. Shared by `fitAny` and the sharded fit (fitCluster.ts).
 */
export function prepareFitConfig(train: readonly Structure[], config: FitModelConfig, validation: readonly Structure[] = []):
  { fitConfig: FitConfig & { charges?: ChargeFitOptions }; note: string | null; kind: string } {
  validateFitConfig(config);
  const all = [...train, ...validation];
  const species = config.species ?? sortSpecies(all.flatMap((s) => s.symbols));
  const kind = typeof config.descriptors === 'string' ? config.descriptors : 'custom';
  const choice = typeof config.descriptors === 'object'
    ? { hypers: config.descriptorHypers, note: null }
    : longRangeHypersFor(descriptorPresetOf(config.descriptors ?? 'sr'), config.descriptorHypers, train, config.weights);
  const descriptor = resolveDescriptor(typeof config.descriptors === 'string' ? descriptorPresetOf(config.descriptors) : config.descriptors, species, choice.hypers);
  const { descriptors: _d, descriptorHypers: _h, species: _s, ...rest } = config;
  return { fitConfig: { ...rest, descriptor }, note: choice.note, kind };
}

/** After the numerics: warnings to the user, errors on the training and validation sets (shared with the sharded fit). */
export function completeFitModel<M extends FittedModel>(model: M, metadata: TrainingMetadata, train: readonly Structure[], note: string | null,
  options: FitModelOptions): Omit<FitAnyResult, 'model'> & { model: M } {
  metadata.solver.warnings = withLongRangeNote(metadata.solver.warnings, note);
  for (const w of metadata.solver.warnings ?? []) (options.onWarning ?? ((m: string) => console.warn(`farfield fit: warning: ${m}`)))(w);
  const errors: FitAnyResult['errors'] = { train: evaluateModel(model, train, options.onProgress).summary };
  if (options.validation && options.validation.length > 0) errors.validation = evaluateModel(model, options.validation, options.onProgress).summary;
  metadata.errors = errors as unknown as Record<string, unknown>;
  return { model, metadata, descriptor: model.descriptor.toJSON(), errors };
}

/** Fit any model kind: descriptor presets → kernel model, 'sr+q' → latent-charge model (api/modelKinds.ts). */
export async function fitAny(train: readonly Structure[], config: FitModelConfig = {}, options: FitModelOptions = {}): Promise<FitAnyResult> {
  const { fitConfig, note, kind } = prepareFitConfig(train, config, options.validation);
  const { model, metadata } = fitAnyModel(kind, train, fitConfig, options.onProgress);
  return completeFitModel(model, metadata, train, note, options);
}

/** Fit a kernel model (descriptor presets or specs); learned-charge kinds such as 'sr+q' go through `fitAny`. */
export async function fitModel(train: readonly Structure[], config: FitModelConfig = {}, options: FitModelOptions = {}): Promise<FitModelResult> {
  const r = await fitAny(train, config, options);
  if (!(r.model instanceof KernelModel))
    throw new FarfieldError('INVALID_INPUT', `fitModel: '${String(config.descriptors)}' is a learned-charge model kind; use fitAny`);
  return { ...r, model: r.model };
}
