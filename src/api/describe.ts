/**
 * Library verbs for descriptors (what `farfield describe` calls): named descriptor presets, per-atom features of a
 * structure or a file frame, and writing feature matrices (.json or .bin).
 *
 * Species universe: for a structure, its own species; for a file, all species occurring in any frame — both sorted
 * by atomic number (symbols without one last, alphabetically) — so columns are the same for every frame of a file.
 *
 * `.bin` layout (little-endian): 4 bytes ASCII "FFDX", uint32 version (1), uint32 rows, uint32 cols, then rows·cols
 * float64 values row-major (row = atom in file order). Column labels are only in the JSON forms.
 */
import { ATOMIC_NUMBERS, FarfieldError, type Structure } from '../core/index.js';
import { ComputeContext, createDescriptor, type DescriptorSpec, type FeatureMatrix } from '../descriptors/index.js';

/** A named descriptor preset: builds the full spec for a species universe and optional user hypers. */
export interface DescriptorPreset {
  description: string;
  spec(species: string[], hypers?: Record<string, unknown>): DescriptorSpec;
}

/**
 * Named presets for `--kind`: 'sr', 'lr' (FKK), 'lode', 'sr+lr', 'sr+lode'. A preset's `hypers`
 * argument is the content of `--hypers h.json`, passed through to the descriptor (which validates it).
 */
export const DESCRIPTOR_PRESETS: Record<string, DescriptorPreset> = {
  sr: {
    description: 'VASP-style short-range descriptor (√0.1·radial 2-body, √0.9·angular 3-body; VASP defaults)',
    spec: (species, hypers) => ({ kind: 'sr', species, hypers: hypers ?? {} }),
  },
  lr: {
    description: 'FKK long-range descriptor (density on Slater functions; ζ_max = 2 Å⁻¹, s = 2, N = 8, σ = 0.5 Å)',
    spec: (species, hypers) => ({ kind: 'fkk', species, hypers: hypers ?? {} }),
  },
  lode: {
    description: 'LODE ν = 1 (l = 0 potential coefficients on spherical Bessel functions, R_c = 4 Å, N = 6, σ = 0.5 Å)',
    spec: (species, hypers) => ({ kind: 'lode', species, hypers: hypers ?? {} }),
  },
  'sr+lr': {
    description: 'short range + FKK long range, X = (X_sr, √β X_lr); hypers {sr?, lr?, lrWeight? (β, default 1)}',
    spec: (species, hypers) => combinedSpec(species, hypers, 'lr', 'fkk'),
  },
  'sr+lode': {
    description: 'short range + LODE ν = 1, X = (X_sr, √β X_lode); hypers {sr?, lode?, lodeWeight? (β, default 1)}',
    spec: (species, hypers) => combinedSpec(species, hypers, 'lode', 'lode'),
  },
  'sr+lode-ms': {
    description: 'short range + multi-scale SOAP–LODE invariants (density × potential, l ≤ 2; periodic only), X = (X_sr, √β X_lodeMs); hypers {sr?, lodeMs?, lodeMsWeight? (β, default 1)}',
    spec: (species, hypers) => combinedSpec(species, hypers, 'lodeMs', 'lode-ms'),
  },
};

/** Composite of the 'sr' block and a long-range block ('sr+lr', 'sr+lode'), validated here. */
function combinedSpec(species: string[], hypers: Record<string, unknown> | undefined, key: 'lr' | 'lode' | 'lodeMs', kind: string): DescriptorSpec {
  const h = hypers ?? {};
  const weightKey = `${key}Weight`;
  for (const k of Object.keys(h))
    if (k !== 'sr' && k !== key && k !== weightKey)
      throw new FarfieldError('INVALID_INPUT', `sr+${key} hypers: unknown key '${k}' (known: sr, ${key}, ${weightKey})`);
  const obj = (v: unknown, name: string): Record<string, unknown> => {
    if (v === undefined) return {};
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new FarfieldError('INVALID_INPUT', `sr+${key} hypers: '${name}' must be a JSON object`);
    return v as Record<string, unknown>;
  };
  const w = h[weightKey] ?? 1;
  if (typeof w !== 'number') throw new FarfieldError('INVALID_INPUT', `sr+${key} hypers: '${weightKey}' must be a number ≥ 0`);
  return {
    kind: 'composite',
    species,
    hypers: { blocks: [{ spec: { kind: 'sr', hypers: obj(h.sr, 'sr') }, weight: 1 }, { spec: { kind, hypers: obj(h[key], key) }, weight: w }] },
  };
}

/** Sort symbols by atomic number (unknown symbols last, alphabetically). */
export function sortSpecies(symbols: Iterable<string>): string[] {
  const z = (s: string): number => ATOMIC_NUMBERS[s] ?? Number.MAX_SAFE_INTEGER;
  return [...new Set(symbols)].sort((a, b) => z(a) - z(b) || (a < b ? -1 : a > b ? 1 : 0));
}

export interface DescribeOptions {
  /** Preset name (default 'sr'). */
  kind?: string;
  /** Hyperparameters for the preset (JSON object). */
  hypers?: Record<string, unknown>;
  /** Species universe (default: see module header). */
  species?: string[];
}

export interface DescribeResult {
  /** The descriptor actually used (all hyperparameters explicit). */
  spec: DescriptorSpec;
  features: FeatureMatrix;
}

function presetSpec(options: DescribeOptions, species: string[]): DescriptorSpec {
  const kind = options.kind ?? 'sr';
  const preset = DESCRIPTOR_PRESETS[kind];
  if (!preset) throw new FarfieldError('INVALID_INPUT', `unknown descriptor kind '${kind}' (known: ${Object.keys(DESCRIPTOR_PRESETS).join(', ')})`);
  if (options.hypers !== undefined && (options.hypers === null || typeof options.hypers !== 'object' || Array.isArray(options.hypers)))
    throw new FarfieldError('INVALID_INPUT', 'descriptor hypers must be a JSON object');
  return preset.spec(species, options.hypers);
}

/** Per-atom features of one structure (N × D, atoms in structure order). */
export function describeStructure(structure: Structure, options: DescribeOptions = {}): DescribeResult {
  const species = options.species ?? sortSpecies(structure.symbols);
  const d = createDescriptor(presetSpec(options, species));
  const out = d.compute(structure, new ComputeContext(structure));
  return { spec: d.toJSON(), features: out.features };
}

/** The JSON object of `farfield describe --json`: {rows, cols, labels, features: [[...], ...]}. */
export function featuresToJSON(f: FeatureMatrix): { rows: number; cols: number; labels: string[]; features: number[][] } {
  const rows: number[][] = [];
  for (let i = 0; i < f.rows; i++) rows.push(Array.from(f.data.subarray(i * f.cols, (i + 1) * f.cols)));
  return { rows: f.rows, cols: f.cols, labels: [...f.labels], features: rows };
}
