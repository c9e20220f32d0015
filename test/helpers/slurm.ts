/**
 * SLURM in tests: the cluster tests run through real `sbatch` when a controller answers (CI starts one with
 * scripts/slurm-local-cluster.sh and exports SLURM_CONF) and skip with this message otherwise.
 */
import { slurmAvailable } from '../../src/host/index.js';

export const HAVE_SLURM = slurmAvailable();

export function skipWithoutSlurm(): string | false {
  return HAVE_SLURM ? false
    : 'SLURM not reachable (sbatch/squeue): start a single-node cluster with `eval "$(scripts/slurm-local-cluster.sh start)"` (root, Debian slurm-wlm + munge); .ci/run does this';
}
