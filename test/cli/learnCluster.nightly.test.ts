/**
 * Nightly (learning runs twice each; real `sbatch`): `farfield learn --scheduler local`, synchronous and with
 * asynchronous labelling (MD running on while the jobs are out), and `--scheduler slurm` synchronous and asynchronous,
 * give the files of the in-process run with the same seed. In the default set: the synchronous local run killed and
 * resumed at the api level (test/api/learnCluster.test.ts), the CLI's option checks (learnCluster.test.ts); SLURM's
 * own round trip is test/host/executor.test.ts. The SLURM runs skip without a controller.
 */
import { test } from 'node:test';
import { skipWithoutShared } from '../helpers/paths.js';
import { skipWithoutSlurm } from '../helpers/slurm.js';
import { sameAsInProcess } from './learnClusterRun.js';

test('learn --scheduler local: the training set and model of the in-process run', { skip: skipWithoutShared() }, () => sameAsInProcess('local'));

test('learn --scheduler local, MD running on while jobs label (async after-lag): the in-process run', { skip: skipWithoutShared() }, () => sameAsInProcess('local', true));

test('learn --scheduler slurm (real sbatch): the training set and model of the in-process run', { skip: skipWithoutShared() || skipWithoutSlurm() }, () => sameAsInProcess('slurm'));

test('learn --scheduler slurm, MD running on while jobs label (async after-lag): the in-process run', { skip: skipWithoutShared() || skipWithoutSlurm() }, () => sameAsInProcess('slurm', true));
