/**
 * farfield: the public library surface (`import … from 'farfield'`). An explicit, curated list — the api verbs and
 * the contracts (structures, calculators, descriptors, models, electrostatics, reference potentials, structure files)
 * with the types of their options and results. Plot/report internals, 3×3 matrix helpers, name-suggestion helpers,
 * progress internals and CLI/web-only helpers stay inside their layers (importable from `src/<layer>/index.js` in a
 * checkout). test/publicApi.test.ts pins the runtime names: changing this surface means editing that list on purpose.
 */

// ── core: structures, the Calculator contract, errors, units ───────────────────────────────────────────────────────
export {
  makeStructure, cloneStructure, validateStructure, withPositions, strained, atomSymbols, speciesCounts, volumeA3,
  type Structure, type StructureInit, type StructureLabels, type InfoValue, type PerAtomArray,
} from './core/index.js';
export type { Calculator, CalculateOptions, CalculationResult } from './core/index.js';
export { FarfieldError, isFarfieldError, type FarfieldErrorCode, type ErrorLocation } from './core/index.js';
export {
  COULOMB_EV_A, BOLTZMANN_EV_PER_K, HARTREE_EV, BOHR_A, EV_PER_A3_IN_GPA, EV_PER_A3_IN_KBAR, AMU_EV_FS2_PER_A2, atomicMassAmu,
} from './core/index.js';
export type { ProgressEvent, ProgressCallback } from './core/index.js';

// ── io: structure files (low level; the api verbs below add frame selection and summaries) ──────────────────────
export { readStructures, writeStructures, readFrames, type ReadOptions, type WriteOptions } from './host/index.js';

// ── descriptors: the contract and its factory ──────────────────────────────────────────────────────────────────────
export {
  createDescriptor, ComputeContext,
  type Descriptor, type DescriptorSpec, type DescriptorOutput, type DescriptorGradients, type FeatureMatrix,
} from './descriptors/index.js';

// ── model: the fitted kernel model (a Calculator) and its file format ────────────────────────────────────────────
export {
  KernelModel, serializeModel, parseModel, type KernelModelParams, type SpeciesModel, type TrainingMetadata,
} from './model/index.js';

// ── electrostatics: kernels, tuning, solvers, the Calculator ─────────────────────────────────────────────────────
export {
  ElectrostaticsCalculator, ElectrostaticsWorkspace, computeElectrostatics, tuneElectrostatics,
  coulombKernel, gaussianChargeKernel, fourierKernel,
  type ElectrostaticsCalculatorOptions, type ElectrostaticsSystem, type ElectrostaticsResult, type ComputeOptions,
  type TuneOptions, type TunedParameters, type SolverParameters, type Method,
  type ElectrostaticKernel, type FourierKernel, type SplitKernel, type CoulombOptions, type GaussianOptions, type FourierKernelOptions,
} from './electrostatics/index.js';

// ── reference potentials (Calculators) ──────────────────────────────────────────────────────────────────────────────
export {
  fumiTosiNaCl, pointCharges, buckinghamZrO2, RigidIonCalculator,
  type ReferencePotentialOptions, type RigidIonOptions, type BornPairParameters,
} from './reference/index.js';

// ── api verbs ────────────────────────────────────────────────────────────────────────────────────────────────────
export {
  loadStructures, saveStructures, convertFile, readFrameAt, summarizeDataset, setIoWarningHandler,
  type LoadOptions, type SaveOptions, type ConvertOptions, type ConvertResult, type FrameAt, type FrameAtOptions,
  type DatasetSummary, type IoWarning, type IoWarningHandler,
} from './api/index.js';
export { loadInputs, resolveInputs, convertInputs, type InputsOptions } from './api/index.js';
export { runEwald, ewaldStructure, madelungTable, type EwaldOptions, type EwaldReport, type MadelungRow } from './api/index.js';
export {
  describeStructure, describeFile, readFeaturesBin, DESCRIPTOR_PRESETS,
  type DescriptorPreset, type DescribeOptions, type DescribeResult, type DescribeFileOptions, type DescribeFileResult,
} from './api/index.js';
export { fitModel, saveModel, type FitModelConfig, type FitModelOptions, type FitModelResult } from './api/index.js';
export { predictStructure, predictStructures, predictFile, loadModel, type PredictOptions, type PredictFileOptions } from './api/index.js';
export { evaluateModel, evaluateFile, type EvaluateResult, type EvalSummary, type PropertyErrors } from './api/index.js';
export { compareModels, type CompareOptions, type CompareOutput } from './api/index.js';
export {
  runMolecularDynamics, loadCalculator,
  type MolecularDynamicsOptions, type MdLogRecord, type MdSummary, type Thermostat, type CalculatorSource,
} from './api/index.js';
export { analyzeRdf, type RdfAnalysisOptions, type RdfAnalysis } from './api/index.js';
export { generateToyDataset, type ToyDatasetRequest, type ToyDatasetSummary } from './api/index.js';
export { labelFile, type LabelRequest, type LabelSummary } from './api/index.js';
export {
  relabelStructures, referenceCalculator, type RelabelOptions, type ReferenceLabelEngine,
} from './api/index.js';
export { runDriver, type DriverOptions, type IpiDriverSummary, type IpiUnitsName } from './api/index.js';
