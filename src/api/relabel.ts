/**
 * Relabelling with the project's reference potentials (the non-CP2K engines of `farfield label`):
 *
 * - `fumi-tosi`: Born–Mayer–Huggins NaCl (reference/fumiTosiNaCl), formal charges ±1, short-range cutoff 6 Å,
 *   truncated **without shift** by default — the LAMMPS `born/coul/long 6.0` set the committed NaCl configurations
 *   were sampled with (data/README.md, "configs/"); `shift: true` gives φ(r) − φ(r_c) (same forces, continuous energy).
 * - `point-charges`: bare Coulomb (Ewald/PME, tin-foil), charges per species (`charges: {Na: 1, Cl: -1}`) or, without
 *   a map, the per-atom `charges` column of every frame.
 * - `buckingham-zro2`: rigid-ion Buckingham zirconia (reference/buckinghamZrO2), formal charges Zr +4, O −2.
 *
 * Every frame gets energy, forces and (periodic frames) stress from the calculator; its `info` is kept, with
 * `label_method=<engine>` (plus `label_shift=true` when shifted) and a stale `label_code` of a previous labeller
 * removed; per-atom charges (if any) are kept. Cost: one reference calculation per frame (Ewald/PME at relative
 * accuracy 1e-8, tuned per frame).
 */
import { FarfieldError, cloneStructure, type Calculator, type ProgressCallback, type Structure } from '../core/index.js';
import { ElectrostaticsCalculator } from '../electrostatics/index.js';
import { buckinghamZrO2, fumiTosiNaCl, pointCharges } from '../reference/browser.js';

export const REFERENCE_LABEL_ENGINES = ['fumi-tosi', 'point-charges', 'buckingham-zro2'] as const;
export type ReferenceLabelEngine = (typeof REFERENCE_LABEL_ENGINES)[number];

/** One-line descriptions (for `--help`). */
export const REFERENCE_LABEL_ENGINE_INFO: Record<ReferenceLabelEngine, string> = {
  'fumi-tosi': 'Fumi–Tosi NaCl (±1, 6 Å pair cutoff, unshifted as in the LAMMPS sampling; --shift to shift)',
  'point-charges': 'bare point charges, Ewald (--charges Na=1,Cl=-1, or the per-atom charges column)',
  'buckingham-zro2': 'rigid-ion Buckingham ZrO₂ (Zr +4, O −2, 10 Å pair cutoff)',
};

export interface RelabelOptions {
  engine: string;
  /** point-charges: charge per species (e); default: each frame's per-atom `charges`. */
  charges?: Readonly<Record<string, number>>;
  /** Rigid-ion engines: shift pair energies to zero at the cutoff (default false, as in the sampling). */
  shift?: boolean;
  /** Used in error messages (e.g. the input file name). */
  source?: string;
  onProgress?: ProgressCallback;
}

export function isReferenceLabelEngine(engine: string): engine is ReferenceLabelEngine {
  return (REFERENCE_LABEL_ENGINES as readonly string[]).includes(engine);
}

/** The reference calculator of an engine (throws for unknown engines or a misplaced option). */
export function referenceCalculator(options: Omit<RelabelOptions, 'onProgress' | 'source'>): Calculator {
  const { engine, charges, shift } = options;
  if (!isReferenceLabelEngine(engine))
    throw new FarfieldError('INVALID_INPUT', `unknown reference engine '${engine}' (known: ${REFERENCE_LABEL_ENGINES.join(', ')})`);
  if (charges !== undefined && engine !== 'point-charges')
    throw new FarfieldError('INVALID_INPUT', `charges apply only to the point-charges engine; ${engine} uses its own formal charges`);
  if (shift && engine === 'point-charges') throw new FarfieldError('INVALID_INPUT', 'shift applies only to the rigid-ion engines (fumi-tosi, buckingham-zro2)');
  if (engine === 'fumi-tosi') return fumiTosiNaCl({ shift: shift ?? false });
  if (engine === 'buckingham-zro2') return buckinghamZrO2({ shift: shift ?? false });
  if (charges !== undefined) {
    for (const [k, v] of Object.entries(charges))
      if (!Number.isFinite(v)) throw new FarfieldError('INVALID_INPUT', `point-charges: charge of '${k}' must be a finite number, got ${v}`);
    return pointCharges(charges);
  }
  const c = new ElectrostaticsCalculator({ charges: 'labels', accuracy: 1e-8 });
  return { name: 'point-charges', calculate: (s, o) => c.calculate(s, o) };
}

/** Relabel frames with a reference potential; returns new structures (inputs untouched). */
export function relabelStructures(frames: readonly Structure[], options: RelabelOptions): Structure[] {
  referenceCalculator(options); // option errors before any frame
  // a fresh calculator per frame: a calculator keeps state along a trajectory (the rigid-ion pair list with a skin,
  // equal to a fresh one only to rounding), and a label must not depend on which frames were labelled before it —
  // chunked, resumed and cluster runs write the same bytes as one local run
  const where = options.source ? `${options.source}: ` : '';
  if (options.engine === 'point-charges' && options.charges === undefined)
    frames.forEach((s, k) => {
      if (!s.labels.charges)
        throw new FarfieldError('INVALID_INPUT', `${where}frame ${k} has no per-atom charges; point-charges needs a 'charges' column in every frame or a charge map (--charges Na=1,Cl=-1)`);
    });
  return frames.map((s, k) => {
    const periodic = s.pbc.every((p) => p);
    let r;
    try {
      r = referenceCalculator(options).calculate(s, { forces: true, stress: periodic });
    } catch (e) {
      if (e instanceof FarfieldError) throw new FarfieldError(e.code, `${where}frame ${k}: ${e.message}`, undefined, { cause: e });
      throw e;
    }
    if (!Number.isFinite(r.energyEv) || !r.forcesEvPerA) throw new FarfieldError('NUMERIC', `${where}frame ${k}: ${options.engine} gave no finite energy/forces`);
    const out = cloneStructure(s);
    out.labels = { energyEv: r.energyEv, forcesEvPerA: Float64Array.from(r.forcesEvPerA) };
    if (r.stressEvPerA3) out.labels.stressEvPerA3 = Float64Array.from(r.stressEvPerA3);
    if (s.labels.charges) out.labels.charges = Float64Array.from(s.labels.charges);
    delete out.info.label_code;
    delete out.info.label_shift;
    out.info.label_method = options.engine;
    if (options.shift) out.info.label_shift = true;
    options.onProgress?.({ phase: `label (${options.engine})`, done: k + 1, total: frames.length });
    return out;
  });
}

/** Parse `Na=1,Cl=-1` into a charge map. */
export function parseChargeMap(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(',')) {
    const m = /^\s*([A-Za-z][A-Za-z0-9_]*)\s*=\s*([^=\s]+)\s*$/.exec(part);
    const v = m ? Number(m[2]) : NaN;
    if (!m || !Number.isFinite(v)) throw new FarfieldError('INVALID_INPUT', `charges: expected 'Symbol=charge,…' (e.g. Na=1,Cl=-1), got '${text}'`);
    if (m[1] in out) throw new FarfieldError('INVALID_INPUT', `charges: species '${m[1]}' given twice in '${text}'`);
    out[m[1]] = v;
  }
  return out;
}
