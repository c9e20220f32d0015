/**
 * Nightly (real `sbatch`, jobs of waiting): `farfield learn --scheduler slurm`, synchronous and with asynchronous
 * labelling (MD running on while the jobs are out), gives the files of the in-process run with the same seed. The
 * same comparison through local processes is learnCluster.test.ts (default set); SLURM's own round trip is
 * test/host/executor.test.ts. Skips without a SLURM controller (.ci/run starts one).
 */
import { test } from 'node:test';
import { skipWithoutShared } from '../helpers/paths.js';
import { skipWithoutSlurm } from '../helpers/slurm.js';
import { sameAsInProcess } from './learnClusterRun.js';

test('learn --scheduler slurm (real sbatch): the training set and model of the in-process run', { skip: skipWithoutShared() || skipWithoutSlurm() }, () => sameAsInProcess('slurm'));

test('learn --scheduler slurm, MD running on while jobs label (async after-lag): the in-process run', { skip: skipWithoutShared() || skipWithoutSlurm() }, () => sameAsInProcess('slurm', true));
