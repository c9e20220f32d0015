/**
 * The reference method of `farfield learn`: one labelled structure per call, through the same code as
 * `farfield label` — the built-in potentials via relabel.ts (fumi-tosi, point-charges, buckingham-zro2) and CP2K via
 * reference/cp2k's pipeline (quality gate: SCF converged and |ΣF|/N below the gate; provenance `label_method`,
 * `label_code`). Each CP2K call gets its own work directory `DIR/cp2k/step-000123` (a resumed run that repeats the
 * call reuses a finished result there). A call that throws or is rejected is retried once (CP2K: in a fresh
 * `…-retry` directory, since the pipeline keeps the rejection); a second failure returns the reason and the loop
 * skips the step with a log line.
 */
import { join } from 'node:path';
import { FarfieldError, type Structure } from '../core/index.js';
import { CP2K_METHODS, cp2kAvailable, labelWithCp2k, type Cp2kMethod } from '../reference/index.js';
import { isReferenceLabelEngine, REFERENCE_LABEL_ENGINES } from './relabel.js';
import { builtinLabeller, withRetry, type ReferenceLabeller } from './learnSession.js';

export type { ReferenceLabeller, LabelOutcome } from './learnSession.js';

export const LEARN_ENGINES = ['cp2k', ...REFERENCE_LABEL_ENGINES] as const;

export interface LearnReferenceOptions {
  engine: string;
  /** cp2k only: 'gfn1-xtb' | 'pbe'. */
  method?: string;
  /** point-charges: charges per species. */
  charges?: Readonly<Record<string, number>>;
  /** cp2k: MPI ranks (default 2), nice increment, quality gate (eV/Å). */
  np?: number;
  nice?: number;
  maxNetForcePerAtom?: number;
}

/** Validate the engine options and build the labeller (`workdir`: where CP2K calls go). */
export function createReferenceLabeller(o: LearnReferenceOptions, workdir: string): ReferenceLabeller {
  if (!(LEARN_ENGINES as readonly string[]).includes(o.engine))
    throw new FarfieldError('INVALID_INPUT', `learn: unknown reference '${o.engine}' (known: ${LEARN_ENGINES.join(', ')})`);
  if (isReferenceLabelEngine(o.engine)) {
    if (o.method !== undefined) throw new FarfieldError('INVALID_INPUT', `learn: --method applies only to the cp2k reference, not to ${o.engine}`);
    return builtinLabeller(o.engine, o.charges);
  }
  if (o.method === undefined || !(CP2K_METHODS as readonly string[]).includes(o.method))
    throw new FarfieldError('INVALID_INPUT', `learn: the cp2k reference needs --method (known: ${CP2K_METHODS.join(', ')})`);
  if (!cp2kAvailable()) throw new FarfieldError('EXTERNAL', 'cp2k.psmp not found on PATH (Debian: apt-get install cp2k cp2k-data)');
  const method = o.method as Cp2kMethod;
  const run = async (s: Structure, dir: string): Promise<Structure> => {
    const r = await labelWithCp2k([s], {
      method, workdir: dir, np: o.np ?? 2, nice: o.nice ?? 0,
      ...(o.maxNetForcePerAtom !== undefined ? { maxNetForcePerAtom: o.maxNetForcePerAtom } : {}),
    });
    if (r.labelled.length === 1) return r.labelled[0];
    throw new FarfieldError('EXTERNAL', `cp2k call rejected: ${r.rejected[0]?.reason ?? 'no result'}`);
  };
  return {
    name: `cp2k-${method}`,
    label: async (s, tag) => withRetry(async (attempt) => run(s, join(workdir, attempt === 1 ? tag : `${tag}-retry`))),
  };
}
