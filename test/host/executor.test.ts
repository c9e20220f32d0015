/**
 * Executors: the local and SLURM implementations run a task array the same way (argv without a shell, per-task
 * stdout/stderr/exit files, a failed task's stderr tail), a task whose work directory lacks the marker refuses to
 * run, and SIGTERM during a SLURM run cancels the job (scancel) — checked with squeue after the process ended.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LocalExecutor, SlurmExecutor, MARKER, MARKER_EXIT, sbatchArguments, type Executor } from '../../src/host/index.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { skipWithoutSlurm } from '../helpers/slurm.js';

async function threeTasks(ex: Executor, dir: string): Promise<void> {
  const r = await ex.run({
    name: 'ff-test', dir, tasks: [
      { index: 0, argv: ['printf', '%s|', 'a b', "c'd"] },
      { index: 1, argv: ['bash', '-c', 'echo first >&2; echo "bad frame 7" >&2; exit 3'] },
      { index: 5, argv: ['echo', 'five'] },
    ],
  });
  assert.deepEqual(r.map((x) => [x.index, x.state, x.exitCode]), [[0, 'done', 0], [1, 'failed', 3], [5, 'done', 0]]);
  assert.equal(readFileSync(r[0].stdout, 'utf8'), "a b|c'd|");
  assert.ok(r.every((x) => typeof x.cpuSeconds === 'number' && x.cpuSeconds >= 0), 'CPU seconds from the wrapper');
  assert.equal(r[1].stderrTail, 'first\nbad frame 7');
  assert.equal(readFileSync(r[2].stdout, 'utf8'), 'five\n');
}

test('local executor: argv passed verbatim, exit codes and stderr tails per task', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-exec-'));
  try {
    await threeTasks(new LocalExecutor({ parallel: 2, pollMs: 50 }), dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a task refuses to run when its copy of the work directory lacks the submitter\'s marker (unshared directory)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-exec-'));
  try {
    const r = await new LocalExecutor({ pollMs: 20 }).run({ name: 'm', dir, tasks: [{ index: 0, argv: ['true'] }] });
    assert.equal(r[0].state, 'done');
    const token = readFileSync(join(dir, MARKER), 'utf8');
    // what a node sees when --workdir is a node-local directory of the same name: no (or another) marker
    writeFileSync(join(dir, MARKER), 'marker-of-another-run');
    const x = spawnSync('bash', [join(dir, 'run-task.sh'), '0'], { env: { ...process.env, FARFIELD_TASK_DIR: dir, FARFIELD_MARKER: token }, encoding: 'utf8' });
    assert.equal(x.status, MARKER_EXIT);
    assert.match(x.stderr, /must be on a file system all nodes see/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sbatch arguments carry the array indices, log path and the user\'s options', () => {
  const a = sbatchArguments({ name: 'n', dir: '/shared/w', tasks: [{ index: 0, argv: ['x'] }, { index: 3, argv: ['y'] }] },
    { partition: 'short', time: '00:10:00', cpusPerTask: 4, sbatchArgs: ['--account=abc'] });
  assert.ok(a.includes('--array=0,3') && a.includes('--output=/shared/w/slurm-%a.log'));
  assert.deepEqual(a.slice(-4), ['--partition=short', '--time=00:10:00', '--cpus-per-task=4', '--account=abc']);
});

test('slurm executor: the same three tasks through sbatch', { skip: skipWithoutSlurm() }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-exec-slurm-'));
  try {
    await threeTasks(new SlurmExecutor({ pollMs: 250 }), dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGTERM during a SLURM run cancels the job (scancel) and the process ends with CANCELLED', { skip: skipWithoutSlurm() }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-exec-int-'));
  try {
    const prog = join(dir, 'run.mts');
    writeFileSync(prog, `import { SlurmExecutor } from ${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'src/host/index.ts')).href)};
new SlurmExecutor({ pollMs: 200 }).run({ name: 'ff-int', dir: ${JSON.stringify(join(dir, 'tasks'))}, tasks: [{ index: 0, argv: ['sleep', '120'] }, { index: 1, argv: ['sleep', '120'] }] },
  { onSubmit: (id) => console.log('job', id) }).then(() => process.exit(0), (e) => { console.error(e.code, e.message); process.exit(1); });
`);
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), prog], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const jobId = await new Promise<string>((res, rej) => {
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /job (\d+)/.exec(out);
        if (m) res(m[1]);
      });
      child.on('exit', () => rej(new Error(`child ended before submitting: ${err}`)));
    });
    // wait until a task runs, then interrupt
    for (let k = 0; k < 100; k++) {
      if (/RUNNING/.test(spawnSync('squeue', ['-h', '-r', '-j', jobId, '-o', '%T'], { encoding: 'utf8' }).stdout)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    assert.equal(code, 1);
    assert.match(err, new RegExp(`CANCELLED .*SLURM job ${jobId} cancelled`));
    let left = 'x';
    for (let k = 0; k < 50 && left; k++) {
      left = spawnSync('squeue', ['-h', '-r', '-j', jobId, '-o', '%K %T'], { encoding: 'utf8' }).stdout.trim();
      if (left) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(left, '', `tasks of job ${jobId} still queued after the interrupt: ${left}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
