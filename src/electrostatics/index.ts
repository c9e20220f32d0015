/**
 * electrostatics: kernels (physics) and solvers (direct, Ewald, smooth PME), the reusable reciprocal-space machinery
 * (k-vectors, structure factors, per-atom reciprocal/mesh evaluator with its reverse pass), accuracy tuning, and a
 * Calculator. Imports core, math, geometry.
 */
export * from './kernels.js';
export { kVectors, structureFactors, phaseTables, phaseTableLength, phasesAt, type KVectorSet, type StructureFactors } from './kvectors.js';
export { ewaldReciprocal, type ReciprocalRequest, type ReciprocalResult } from './reciprocal.js';
export { pmeReciprocal, bspline, PmeWorkspace, type PmeParameters, type PmeScratchPool } from './pme.js';
export { RealSpaceWorkspace } from './realspace.js';
export * from './solve.js';
export * from './tune.js';
export * from './kernelAccuracy.js';
export * from './planner.js';
export * from './calculator.js';
export { reduceCell } from './reduceCell.js';
export * from './qeq.js';
export { pmeChannelsForward, pmeChannelsReverse, pmeChannelsReverseLinear, PmeChannelsWorkspace, type PmeChannelsRequest, type PmeChannelsResult, type PmeChannelsState, type PmeChannelsWasmHolder } from './pmeChannels.js';
