/**
 * The reference method of `farfield learn`: one labelled structure per call, through the same code as
 * `farfield label` — the built-in potentials via relabel.ts (fumi-tosi, point-charges, buckingham-zro2) and CP2K via
 * reference/cp2k's pipeline (quality gate: SCF converged and |ΣF|/N below the gate; provenance `label_method`,
 * `label_code`). Each CP2K call gets its own work directory `DIR/cp2k/step-000123` (a resumed run that repeats the
 * call reuses a finished result there). A call that throws or is rejected is retried once (CP2K: in a fresh
 * `…-retry` directory, since the pipeline keeps the rejection); a second failure returns the reason and the loop
 * skips the step with a log line.
 *
 * With `cluster` (`learn --scheduler local|slurm`) every call is one executor job instead: `farfield label` on the
 * one frame through labelCluster.ts `labelStructuresOnCluster`, batch `step-000123` under the cluster work directory
 * (`DIR/cluster/batch-step-000123/`, the retry in `…-retry`), with the same retry-once-then-skip rule and the same
 * labelled frame (label_method / label_code) as in process. Jobs may run concurrently (one batch directory per
 * call): with `config.async` the loop submits and MD runs on (learnAsync.ts). A resumed run redoes a call that was
 * in flight (its batch directory is simply rewritten).
 */
import { join, resolve } from 'node:path';
import { FarfieldError, type Structure } from '../core/index.js';
import { labelStructuresOnCluster } from './labelCluster.js';
import { CP2K_METHODS, cp2kAvailable, labelWithCp2k, type Cp2kMethod } from '../reference/index.js';
import { isReferenceLabelEngine, REFERENCE_LABEL_ENGINES } from './relabel.js';
import { builtinLabeller, withRetry, type LearnClusterSpec, type ReferenceLabeller } from './learnSession.js';

export type { ReferenceLabeller, LabelOutcome, LearnClusterSpec } from './learnSession.js';

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
  /** Run each call as an executor job (local processes or SLURM) instead of in this process. */
  cluster?: LearnClusterSpec;
}

/**
 * Validate the engine options and build the labeller (`workdir`: where CP2K calls go; `clusterDir`: the default
 * work directory of executor jobs; `onLog`: the executor's messages, e.g. submitted job ids and failed tasks' stderr).
 */
export function createReferenceLabeller(o: LearnReferenceOptions, workdir: string, clusterDir = join(workdir, '..', 'cluster'),
  onLog?: (message: string) => void): ReferenceLabeller {
  if (!(LEARN_ENGINES as readonly string[]).includes(o.engine))
    throw new FarfieldError('INVALID_INPUT', `learn: unknown reference '${o.engine}' (known: ${LEARN_ENGINES.join(', ')})`);
  if (isReferenceLabelEngine(o.engine)) {
    if (o.method !== undefined) throw new FarfieldError('INVALID_INPUT', `learn: --method applies only to the cp2k reference, not to ${o.engine}`);
    return o.cluster ? clusterLabeller(o, o.engine, o.cluster, clusterDir, onLog) : builtinLabeller(o.engine, o.charges);
  }
  if (o.method === undefined || !(CP2K_METHODS as readonly string[]).includes(o.method))
    throw new FarfieldError('INVALID_INPUT', `learn: the cp2k reference needs --method (known: ${CP2K_METHODS.join(', ')})`);
  const method = o.method as Cp2kMethod;
  if (o.cluster) return clusterLabeller(o, `cp2k-${method}`, o.cluster, clusterDir, onLog); // cp2k runs on the nodes
  if (!cp2kAvailable()) throw new FarfieldError('EXTERNAL', 'cp2k.psmp not found on PATH (Debian: apt-get install cp2k cp2k-data)');
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

/** One executor job per call (see the header); a rejected or failed job counts as a failed attempt. */
function clusterLabeller(o: LearnReferenceOptions, name: string, cluster: LearnClusterSpec, clusterDir: string,
  onLog?: (message: string) => void): ReferenceLabeller {
  const { workdir, ...scheduler } = cluster;
  const dir = resolve(workdir ?? clusterDir);
  return {
    name,
    label: async (s, tag) => withRetry(async (attempt) => {
      const r = await labelStructuresOnCluster([s], {
        name: attempt === 1 ? tag : `${tag}-retry`, workdir: dir, engine: o.engine, chunks: 1,
        ...(o.method !== undefined ? { method: o.method } : {}), ...(o.charges ? { charges: o.charges } : {}),
        ...(o.engine === 'cp2k' ? { np: o.np ?? 2, nice: o.nice ?? 0 } : {}),
        ...(o.maxNetForcePerAtom !== undefined ? { maxNetForcePerAtom: o.maxNetForcePerAtom } : {}),
        cluster: { ...scheduler, onLog: onLog ?? (() => {}) },
      });
      if (r.structures.length === 1) return r.structures[0];
      throw new FarfieldError('EXTERNAL', `${name} job rejected the frame: ${r.summary.rejected[0]?.reason ?? 'no result'}`);
    }),
  };
}
