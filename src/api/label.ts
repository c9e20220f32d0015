/**
 * Labelling verb: `farfield label --engine cp2k --method gfn1-xtb|pbe IN.xyz -o OUT.xyz` — reads the frames, labels
 * them with CP2K through reference/cp2k (resumable work directory, quality gate), and rewrites OUT atomically after
 * every frame, so an interrupted run leaves a valid file and resumes without redoing finished frames.
 */
import { FarfieldError, type ProgressCallback } from '../core/index.js';
import { readStructures, writeStructures } from '../io/index.js';
import { CP2K_METHODS, cp2kAvailable, labelWithCp2k, type Cp2kMethod, type RejectedFrame } from '../reference/index.js';

export const LABEL_ENGINES = ['cp2k'] as const;

export interface LabelRequest {
  input: string;
  output: string;
  engine: string;
  method: string;
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
  frames: number;
  accepted: number;
  rejected: RejectedFrame[];
  computed: number;
  reused: number;
  secondsPerFrame: number;
  workdir: string;
}

export async function labelFile(req: LabelRequest): Promise<LabelSummary> {
  if (!(LABEL_ENGINES as readonly string[]).includes(req.engine))
    throw new FarfieldError('INVALID_INPUT', `unknown labelling engine '${req.engine}' (known: ${LABEL_ENGINES.join(', ')})`);
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
    frames: frames.length, accepted: s.labelled.length, rejected: s.rejected, computed: s.computed, reused: s.reused,
    secondsPerFrame: s.secondsPerFrame, workdir,
  };
}
