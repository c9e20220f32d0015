/**
 * Labelling verb: `farfield label --engine cp2k --method gfn1-xtb|pbe IN.xyz -o OUT.xyz` — reads the frames, labels
 * them with CP2K through reference/cp2k (resumable work directory, quality gate), and rewrites OUT atomically after
 * every frame, so an interrupted run leaves a valid file and resumes without redoing finished frames.
 * `--engine fumi-tosi | point-charges | buckingham-zro2` relabels with a reference potential instead (relabel.ts;
 * fast, no work directory): every frame is labelled in memory and OUT is written once, atomically.
 */
import { FarfieldError, type ProgressCallback } from '../core/index.js';
import { checkOutputFile, readStructures, writeStructures } from '../host/index.js';
import { CP2K_METHODS, cp2kAvailable, labelWithCp2k, type Cp2kMethod, type RejectedFrame } from '../reference/index.js';
import { REFERENCE_LABEL_ENGINES, isReferenceLabelEngine, relabelStructures } from './relabel.js';

export const LABEL_ENGINES = ['cp2k', ...REFERENCE_LABEL_ENGINES] as const;

export interface LabelRequest {
  input: string;
  output: string;
  engine: string;
  /** CP2K only (required there): 'gfn1-xtb' | 'pbe'. */
  method?: string;
  /** point-charges: charge per species (e); default: the frames' per-atom charges. */
  charges?: Readonly<Record<string, number>>;
  /** Rigid-ion engines: shift pair energies to zero at the cutoff (default false). */
  shift?: boolean;
  /** MPI ranks (default 2). */
  np?: number;
  /** Work directory (default `<output>.work`). */
  workdir?: string;
  /** `nice` increment for CP2K (default 0). */
  nice?: number;
  /** Quality gate |Σ F|/N, eV/Å (default 1e-3). */
  maxNetForcePerAtom?: number;
  onProgress?: ProgressCallback;
}

export interface LabelSummary {
  engine: string;
  frames: number;
  accepted: number;
  rejected: RejectedFrame[];
  computed: number;
  reused: number;
  secondsPerFrame: number;
  /** CP2K work directory (absent for the reference engines). */
  workdir?: string;
}

export async function labelFile(req: LabelRequest): Promise<LabelSummary> {
  if (!(LABEL_ENGINES as readonly string[]).includes(req.engine))
    throw new FarfieldError('INVALID_INPUT', `unknown labelling engine '${req.engine}' (known: ${LABEL_ENGINES.join(', ')})`);
  checkOutputFile(req.output, 'labelled frames');
  if (isReferenceLabelEngine(req.engine)) return labelWithReference(req);
  if (req.charges !== undefined || req.shift) throw new FarfieldError('INVALID_INPUT', 'charges and shift apply only to the reference engines, not to cp2k');
  if (req.method === undefined) throw new FarfieldError('INVALID_INPUT', `the cp2k engine needs a method (known: ${CP2K_METHODS.join(', ')})`);
  if (!(CP2K_METHODS as readonly string[]).includes(req.method))
    throw new FarfieldError('INVALID_INPUT', `unknown CP2K method '${req.method}' (known: ${CP2K_METHODS.join(', ')})`);
  if (!cp2kAvailable()) throw new FarfieldError('EXTERNAL', 'cp2k.psmp not found on PATH (Debian: apt-get install cp2k cp2k-data)');
  const frames = readStructures(req.input);
  const workdir = req.workdir ?? `${req.output}.work`;
  let written = -1;
  const s = await labelWithCp2k(frames, {
    method: req.method as Cp2kMethod, workdir, np: req.np ?? 2, nice: req.nice ?? 0,
    ...(req.maxNetForcePerAtom !== undefined ? { maxNetForcePerAtom: req.maxNetForcePerAtom } : {}),
    ...(req.onProgress ? { onProgress: req.onProgress } : {}),
    onFrame: (labelled) => {
      if (labelled.length === written) return;
      written = labelled.length;
      writeStructures(req.output, labelled, { format: 'extxyz' });
    },
  });
  if (written !== s.labelled.length) writeStructures(req.output, s.labelled, { format: 'extxyz' });
  return {
    engine: req.engine, frames: frames.length, accepted: s.labelled.length, rejected: s.rejected, computed: s.computed, reused: s.reused,
    secondsPerFrame: s.secondsPerFrame, workdir,
  };
}

function labelWithReference(req: LabelRequest): LabelSummary {
  if (req.method !== undefined) throw new FarfieldError('INVALID_INPUT', `a method applies only to the cp2k engine, not to ${req.engine}`);
  const frames = readStructures(req.input);
  if (frames.length === 0) throw new FarfieldError('INVALID_INPUT', `${req.input}: no structures to label`);
  const t0 = performance.now();
  const labelled = relabelStructures(frames, {
    engine: req.engine, source: req.input,
    ...(req.charges !== undefined ? { charges: req.charges } : {}), ...(req.shift ? { shift: true } : {}),
    ...(req.onProgress ? { onProgress: req.onProgress } : {}),
  });
  writeStructures(req.output, labelled, { format: 'extxyz' });
  const s = (performance.now() - t0) / 1000;
  return { engine: req.engine, frames: frames.length, accepted: labelled.length, rejected: [], computed: labelled.length, reused: 0, secondsPerFrame: s / labelled.length };
}
