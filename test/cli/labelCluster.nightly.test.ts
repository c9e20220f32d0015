/**
 * Nightly (real `sbatch`, three rounds of jobs): `farfield label --scheduler slurm --array-size 2` gives the file of a
 * local run, reports a failed chunk and resumes it alone (labelClusterRun.ts). The same run through local processes is
 * labelCluster.test.ts (default set). Skips without a SLURM controller (.ci/run starts one).
 */
import { test } from 'node:test';
import { existsSync } from 'node:fs';
import { skipWithoutSlurm } from '../helpers/slurm.js';
import { chunkedLabelRun, LABEL_DATA } from './labelClusterRun.js';

test('label --scheduler slurm --array-size 2: same output as a local run; a failed chunk is reported and resumed alone', { skip: (existsSync(LABEL_DATA) ? false : `${LABEL_DATA} missing`) || skipWithoutSlurm() }, () => chunkedLabelRun('slurm'));
