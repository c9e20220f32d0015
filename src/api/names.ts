/**
 * The api's third public surface (beside index.ts and browser.ts), for the CLI's option definitions and help: the
 * names of presets, engines, schedulers, thermostats, built-in calculators, i-PI unit systems and file formats as plain
 * string lists. Imports nothing, so `farfield --help`, `farfield fit --help` and a usage error load this module and
 * not the ~230 modules behind index.ts (each command loads those lazily in its action). The lists restate names whose
 * definitions live in the heavy modules; test/api/names.test.ts proves each equals its source.
 */

/** Keys of DESCRIPTOR_PRESETS (api/describe.ts). */
export const DESCRIPTOR_PRESET_NAMES: readonly string[] = ['sr', 'lr', 'lode', 'sr+lr', 'sr+lode', 'sr+lode-ms'];
/** Keys of CHARGE_MODEL_KINDS (api/modelKinds.ts). */
export const CHARGE_MODEL_KIND_NAMES: readonly string[] = ['sr+q', 'sr+qeq', 'sr+lr+q', 'sr+lr+qeq'];
/** THERMOSTATS (api/mdConfig.ts). */
export const THERMOSTAT_NAMES = ['nve', 'bussi', 'langevin'] as const;
/** SCHEDULERS (api/clusterRun.ts). */
export const SCHEDULER_NAMES = ['local', 'slurm'] as const;
/** REFERENCE_LABEL_ENGINES (api/relabel.ts). */
export const REFERENCE_LABEL_ENGINE_NAMES = ['fumi-tosi', 'point-charges', 'buckingham-zro2'] as const;
/** REFERENCE_LABEL_ENGINE_INFO (api/relabel.ts): one line per engine for `--help`. */
export const REFERENCE_LABEL_ENGINE_HELP: Readonly<Record<(typeof REFERENCE_LABEL_ENGINE_NAMES)[number], string>> = {
  'fumi-tosi': 'Fumi–Tosi NaCl (±1, 6 Å pair cutoff, unshifted as in the LAMMPS sampling; --shift to shift)',
  'point-charges': 'bare point charges, Ewald (--charges Na=1,Cl=-1, or the per-atom charges column)',
  'buckingham-zro2': 'rigid-ion Buckingham ZrO₂ (Zr +4, O −2, 10 Å pair cutoff)',
};
/** LABEL_ENGINES (api/label.ts). */
export const LABEL_ENGINE_NAMES = ['cp2k', ...REFERENCE_LABEL_ENGINE_NAMES] as const;
/** LEARN_ENGINES (api/learnReference.ts). */
export const LEARN_ENGINE_NAMES = ['cp2k', ...REFERENCE_LABEL_ENGINE_NAMES] as const;
/** Keys of MD_CALCULATORS (api/md.ts). */
export const MD_CALCULATOR_NAMES: readonly string[] = ['fumi-tosi', 'coulomb'];
/** Keys of IPI_UNITS (host/ipi.ts). */
export const IPI_UNIT_NAMES = ['ase', 'ipi', 'codata2018'] as const;
/** formatNames() (io/registry.ts): the registered formats, then their aliases. */
export const FORMAT_NAMES: readonly string[] = [
  'extxyz', 'xyz', 'poscar', 'ml_ab', 'outcar', 'vasprun', 'xdatcar', 'vasp', 'contcar', 'mlab', 'ml_abn', 'vasp-out', 'vasp-xml', 'vasp-xdatcar',
];
/** LABEL_TARGETS (api/compare.ts). */
export const LABEL_TARGET_NAMES = ['energy', 'forces', 'stress'] as const;
/** The defaults of `compare` (api/compare.ts: DEFAULT_MODELS, DEFAULT_TRAIN_SIZES, DEFAULT_LODE_WEIGHTS, DEFAULT_LR_WEIGHTS,
 * DEFAULT_CHARGE_WIDTHS, DEFAULT_CHARGE_FORCE_WEIGHTS). */
export const COMPARE_DEFAULTS = {
  models: ['sr', 'sr+lr', 'sr+lode'], trainSizes: [25, 50, 100, 200], lodeWeights: [0.1, 1, 10], lrWeights: [], chargeWidths: [], chargeForceWeights: [],
} as const satisfies Record<string, readonly (string | number)[]>;
