#!/usr/bin/env node
// Runs test/**/*.test.ts with Node's built-in test runner, one process per file, files in parallel, and reports what
// each file cost.
// Usage: node scripts/run-tests.mjs [--nightly | --all] [--typecheck] [--tsx | --tsc-emit] [--no-batch] [--list] [--timings FILE.json]
//          [--top N] [substring filters...]            e.g. `npm test -- io/extxyz`
//  - default (`npm test`, the CI command): every *.test.ts except the nightly set;
//  - --nightly (`npm run test:nightly`): only the nightly set, files named *.nightly.test.ts (long end-to-end flows
//    and minutes-of-CPU probes; see docs/development.md);
//  - --all: both sets (`npm run test:browser` runs every browser test this way);
//  - --typecheck (`npm test`): a type error fails the run (without it, type errors are printed as a warning);
//  - --tsx: run the TypeScript sources through tsx instead of compiling them (about 1 CPU s more per file);
//  - --tsc-emit: compile with one type-checking `tsc` before the tests instead of esbuild + a parallel `tsc --noEmit`;
//  - --no-batch: one process per file also for the small files of BATCHED (per-file costs for all of them);
//  - --timings FILE.json: also write every file's start (s from the run's start), wall and CPU seconds to FILE.json;
//  - --top N: the cost table at the end lists the N costliest files (default 15; 0 for none);
//  - --list: print the processes that would run (files, estimated CPU s, in start order) and exit.
// First the whole project (src, test, bench, scripts, web: tsconfig.json's folders) is transpiled file by file by
// esbuild into dist-test/run-PID (≈ 1 s; no type-check, no bundling: the same module layout as `tsc` emits), and
// `tsc -p tsconfig.json --noEmit` type-checks it as the first job of the CPU lanes, beside the first test files; then
// each file runs as `node …/test/….test.js` (FARFIELD_TEST_SOURCE_MAPS=1 emits source maps and adds
// --enable-source-maps: stack traces in .ts lines, about 0.15 CPU s more per file).
// The tests' helpers find the checkout from there (test/helpers/paths.ts REPO_ROOT) and the CLI tests run the
// compiled CLI of the same compilation (test/helpers/cli.ts; FARFIELD_CLI for the tasks the executors start).
// The small files of most folders (BATCHED) run in batches of up to BATCH_SIZE files (BATCH_COST CPU s) of one folder
// in one process (an entry module importing them in order; node:test runs their tests one after the other), which
// saves a process start and the loading of the library per file (≈ 0.4 CPU s). They hold no top-level hooks and
// restore what they change; a file that needs a process of its own goes to ALONE. Files run FARFIELD_TEST_CONCURRENCY
// at once (default os.availableParallelism()), the costliest first (COSTS), plus one lane for the files that mostly
// wait (WAITING: Chromium, SLURM jobs). Every test
// file must therefore be safe to run beside any other: temporary directories (mkdtemp), port 0, fresh socket names,
// no writes to shared paths in the repository. A file's output is printed in one block when it ends; the runner
// prints one summary (ℹ tests/pass/fail...) and a table of the costliest files (wall seconds, and CPU = user + system
// seconds of the file's process and everything it waited for, from bash's `times`), and exits non-zero when any
// test fails.
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawn, spawnSync } from 'node:child_process';

const NIGHTLY = '.nightly.test.ts';
/** When the run started (each job's start and end in --timings are seconds from here). */
const RUN_T0 = performance.now();
// a fresh compilation per run (no stale outputs; a second run beside this one does not rewrite its files), removed at
// the end unless FARFIELD_TEST_KEEP=1
const OUT = join('dist-test', `run-${process.pid}`);

// What each file costs: CPU seconds (user + system, its children included), measured by this runner on 2 cores
// (`--timings F.json`; a batch's cost shared among its files by their tests' durations; refresh when a file's cost
// changes much; files under 1 s are left out). Jobs start costliest first (a batch costs the sum of its files, a file
// not listed here DEFAULT_COST), so that no long file forms a tail at the end of a parallel run; files of ALONE_COST or
// more run in a process of their own.
const COSTS = {
  'test/api/compare.test.ts': 9.6, 'test/model/blockBalance.test.ts': 14.3, 'test/host/ipi-ase.test.ts': 12.5,
  'test/model/densityTransfer.test.ts': 14.8, 'test/api/md.test.ts': 9.9, 'test/cli/charges.test.ts': 7.5,
  'test/model/forceUncertainty.test.ts': 11.1, 'test/model/parallelNormal.test.ts': 11.7,
  'test/cli/early-checks.test.ts': 2.1, 'test/cli/streaming.test.ts': 8.3, 'test/cli/labelCluster.test.ts': 11.0,
  'test/api/learn.test.ts': 11.0, 'test/api/learnCluster.test.ts': 10.6, 'test/api/fitCluster.test.ts': 7.4,
  'test/reference/cp2k-label.test.ts': 9.8, 'test/cli/learn.test.ts': 6.6, 'test/cli/short-writes.test.ts': 6.1,
  'test/cli/json-output.test.ts': 8.3, 'test/descriptors/longRange/toyModel.test.ts': 7.7,
  'test/api/demo.test.ts': 6.2, 'test/api/learnBarostat.test.ts': 8.9, 'test/model/chargeFit.test.ts': 9.1,
  'test/browser/smoke.test.ts': 7.1, 'test/model/api.test.ts': 5.9, 'test/reference/cp2k-md-input.test.ts': 5.8,
  'test/model/weightedKernel.test.ts': 2.9, 'test/cli/interrupts.test.ts': 3.8, 'test/browser/report.test.ts': 3.8,
  'test/io/ase-cases.test.ts': 5.0, 'test/model/kernelBlocks.test.ts': 4.9, 'test/reference/potentials.test.ts': 4.9,
  'test/io/mlab-vasp.test.ts': 4.8, 'test/api/learnScreen.test.ts': 4.7, 'test/host/farfieldCommand.test.ts': 4.5,
  'test/cli/vasp-commands.test.ts': 4.5, 'test/descriptors/lode/multiscale.test.ts': 4.3,
  'test/descriptors/longRange/fkkGradient.test.ts': 4.3, 'test/md/constraints.test.ts': 4.2,
  'test/cli/io-commands.test.ts': 4.0, 'test/cli/label.test.ts': 3.9, 'test/geometry/neighbours.test.ts': 3.8,
  'test/io/ase-crosscheck.test.ts': 3.5, 'test/math/linalg/wasm.test.ts': 2.5, 'test/api/modelFiles.test.ts': 3.4,
  'test/host/ipi.test.ts': 2.2, 'test/electrostatics/planner.test.ts': 3.3, 'test/cli/compare.test.ts': 3.2,
  'test/api/learnAsync.test.ts': 3.1, 'test/md/guard.test.ts': 3.0, 'test/electrostatics/singleIon.test.ts': 3.0,
  'test/model/parallelFeatures.test.ts': 2.9, 'test/descriptors/vjp.test.ts': 2.8,
  'test/descriptors/computeWorkspace.test.ts': 2.7, 'test/descriptors/lode/lode.test.ts': 2.7,
  'test/cli/describe.test.ts': 2.7, 'test/io/fuzz-vasp.test.ts': 1.8, 'test/host/executor.test.ts': 1.9,
  'test/descriptors/lode/split.test.ts': 2.4, 'test/io/outcar.test.ts': 2.3,
  'test/descriptors/longRange/factored.test.ts': 2.3, 'test/io/vasprun.test.ts': 2.2,
  'test/api/learnFinalRefit.test.ts': 2.2, 'test/electrostatics/cli.test.ts': 2.2,
  'test/api/webSession.test.ts': 2.1, 'test/io/extxyz.test.ts': 2.1,
  'test/descriptors/lode/lodeGradient.test.ts': 2.1, 'test/cli/learnCluster.test.ts': 2.0,
  'test/web/build.test.ts': 2.0, 'test/api/labelCluster.test.ts': 2.0, 'test/model/oldModelFiles.test.ts': 1.9,
  'test/io/xdatcar.test.ts': 1.8, 'test/descriptors/longRange/pme.test.ts': 1.8, 'test/io/fuzz.test.ts': 1.8,
  'test/md/integrators.test.ts': 1.7, 'test/electrostatics/workspace.test.ts': 1.6,
  'test/descriptors/shortRange/shortRange.test.ts': 1.6, 'test/electrostatics/tuneAccuracy.test.ts': 1.4,
  'test/descriptors/longRange/backwardMany.test.ts': 1.3, 'test/electrostatics/adjoint.test.ts': 1.3,
  'test/electrostatics/realspace.test.ts': 1.2, 'test/model/qeqModel.test.ts': 1.1,
  'test/model/selectionFast.test.ts': 1.1, 'test/reference/chargeTransfer.test.ts': 1.0,
  'test/descriptors/shortRange/wasmKernels.test.ts': 1.0, 'test/descriptors/workspace.test.ts': 1.0,
  'test/api/chargeKinds.test.ts': 8.0, 'test/api/learnCalibration.test.ts': 9.3, 'test/api/learnRebuild.test.ts': 6.6, 'test/md/ramp.test.ts': 5.3,
  'test/math/erf.test.ts': 1.0, 'test/descriptors/shortRange/radialBasis.test.ts': 1.0,
};
const DEFAULT_COST = 0.5;
const ALONE_COST = 14;
const cost = (f) => COSTS[f] ?? DEFAULT_COST;

// Files that mostly wait (Chromium, SLURM jobs): with 2 or more lanes they run in one extra lane beside the
// `concurrency` CPU lanes, started first, one at a time, so that their waiting overlaps the CPU-bound files.
const WAITING = ['test/browser/smoke.test.ts', 'test/browser/report.test.ts', 'test/host/executor.test.ts'];

// Folders whose small files are batched: up to BATCH_SIZE files of one folder and BATCH_COST CPU s in one process;
// files that keep their own process (they time themselves, send signals, serve sockets, change module settings)
// are in ALONE, and the costly files (ALONE_COST) run alone too.
const BATCHED = ['test/core/', 'test/math/', 'test/geometry/', 'test/io/', 'test/analysis/', 'test/electrostatics/',
  'test/descriptors/', 'test/md/', 'test/model/', 'test/helpers/', 'test/web/', 'test/reference/', 'test/api/', 'test/cli/',
  'test/host/'];
const BATCH_SIZE = 16;
const BATCH_COST = 28;
const ALONE = ['test/math/worker.test.ts', 'test/reference/md-nve.test.ts', 'test/io/fuzz-vasp.test.ts',
  'test/math/linalg/wasm.test.ts', 'test/web/build.test.ts', 'test/cli/interrupts.test.ts', 'test/host/executor.test.ts',
  'test/host/ipi.test.ts', 'test/model/parallelNormal.test.ts'];

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts')) out.push(p.split('\\').join('/'));
  }
  return out;
}

/** Every file under `dir` (sorted), as paths with '/'. */
function walkAll(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walkAll(p));
    else out.push(p.split('\\').join('/'));
  }
  return out;
}

function parseArgs(argv) {
  const o = { nightly: false, all: false, typecheck: false, tsx: false, tscEmit: false, noBatch: false, list: false, timings: null, top: 15, filters: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--nightly') o.nightly = true;
    else if (a === '--all') o.all = true;
    else if (a === '--typecheck') o.typecheck = true;
    else if (a === '--tsx') o.tsx = true;
    else if (a === '--tsc-emit') o.tscEmit = true;
    else if (a === '--no-batch') o.noBatch = true;
    else if (a === '--list') o.list = true;
    else if (a === '--timings') o.timings = argv[++i];
    else if (a === '--top') o.top = Number(argv[++i]);
    else o.filters.push(a);
  }
  if (o.timings === undefined || !Number.isInteger(o.top) || o.top < 0) {
    console.error('usage: node scripts/run-tests.mjs [--nightly | --all] [--typecheck] [--tsx | --tsc-emit] [--no-batch] [--list] [--timings FILE.json] [--top N] [filters...]');
    process.exit(2);
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const files = walk('test')
  .filter((f) => opts.all || f.endsWith(NIGHTLY) === opts.nightly)
  .filter((f) => opts.filters.length === 0 || opts.filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error(`no ${opts.nightly ? 'nightly ' : ''}test files match ${opts.filters.join(' ')}`);
  process.exit(1);
}
// jobs: a file, or a batch of small files of one folder
const batchable = (f) => !opts.tsx && !opts.noBatch && !f.endsWith(NIGHTLY) && !ALONE.includes(f) && !WAITING.includes(f)
  && cost(f) < ALONE_COST && BATCHED.some((d) => f.startsWith(d));
const jobs = files.filter((f) => !batchable(f)).map((f) => ({ name: f, files: [f], cost: cost(f) }));
const byFolder = new Map();
for (const f of files.filter(batchable)) {
  const d = BATCHED.find((x) => f.startsWith(x));
  byFolder.set(d, [...(byFolder.get(d) ?? []), f]);
}
for (const [d, fs] of byFolder) {
  // consecutive files of the folder, up to BATCH_SIZE files and BATCH_COST s
  let part = [], sum = 0;
  const flush = () => {
    if (part.length) jobs.push({ name: part.length === 1 ? part[0] : `${d} batch: ${part.map((f) => f.slice(d.length)).join(', ')}`, files: part, cost: sum });
    part = [];
    sum = 0;
  };
  for (const f of fs) {
    if (part.length === BATCH_SIZE || (part.length && sum + cost(f) > BATCH_COST)) flush();
    part.push(f);
    sum += cost(f);
  }
  flush();
}
// costliest first (ties: by name, for a stable order)
jobs.sort((a, b) => b.cost - a.cost || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
if (opts.list) {
  for (const j of jobs) process.stdout.write(`${j.cost.toFixed(1).padStart(6)}  ${WAITING.includes(j.name) ? '(waiting lane) ' : ''}${j.name}\n`);
  process.stdout.write(`${files.length} files in ${jobs.length} processes, estimated ${jobs.reduce((s, j) => s + j.cost, 0).toFixed(0)} CPU s\n`);
  process.exit(0);
}
const requested = Number(process.env.FARFIELD_TEST_CONCURRENCY);
const concurrency = Number.isInteger(requested) && requested >= 1 ? requested : Math.max(1, availableParallelism());

// bash's `times` (user and system seconds of the shell's children, i.e. the process and all it waited for) is
// written to fd 3; without bash the table shows wall seconds only.
const HAVE_BASH = spawnSync('bash', ['-c', 'exit 0']).status === 0;

/** "1m2.500s" → 62.5 */
const seconds = (t) => {
  const m = /^(\d+)m([\d.]+)s$/.exec(t);
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
};

const requestedGrace = Number(process.env.FARFIELD_TEST_EXIT_GRACE_S);
const EXIT_GRACE_S = requestedGrace > 0 ? requestedGrace : 60;
const requestedTimeout = Number(process.env.FARFIELD_TEST_TIMEOUT_S);
const FILE_TIMEOUT_S = requestedTimeout > 0 ? requestedTimeout : 1800;
const ANSI = /\x1b\[[0-9;]*m/g;
/** Child process groups still running (killed when the runner is interrupted: they run detached, see run()). */
const live = new Set();
/** node:test's last summary line (spec reporter). */
const FINAL_SUMMARY = /ℹ\S* duration_ms [\d.]+\s*$/m;
const requestedStall = Number(process.env.FARFIELD_TEST_STALL_S);
const STALL_S = requestedStall > 0 ? requestedStall : 300;
// Jobs of the CPU lanes compute, or wait on children that compute (their CPU counts, see treeTicks): a minute with no
// output and no CPU in the whole tree is already the deadlock (it struck the three-file analysis batch again in a quiet
// clean-clone run of this session and cost 300 s of wall time); the waiting lane (Chromium, SLURM jobs, which run
// outside the tree) keeps STALL_S.
const requestedCpuStall = Number(process.env.FARFIELD_TEST_CPU_STALL_S);
const CPU_STALL_S = Math.min(STALL_S, requestedCpuStall > 0 ? requestedCpuStall : 60);

/** CPU clock ticks used so far by process `pid` and all its descendants (Linux /proc; null elsewhere). */
function treeTicks(pid) {
  let sum = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    try {
      const f = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
      sum += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]); // utime stime cutime cstime
      for (const t of readdirSync(`/proc/${p}/task`))
        for (const c of readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim().split(/\s+/)) if (c) stack.push(Number(c));
    } catch {
      if (p === pid) return null; // no /proc (or the process is gone)
    }
  }
  return sum;
}

/** Run `node ARGS` (under bash for its CPU seconds); resolves with the exit, wall and CPU seconds and the output. */
function run(name, args, env, stallS = STALL_S) {
  return new Promise((done) => {
    const t0 = performance.now();
    const child = HAVE_BASH
      ? spawn('bash', ['-c', '"$@"; s=$?; times >&3; exit $s', 'bash', process.execPath, ...args], { env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'], detached: true })
      : spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out = [], err = [], times = [];
    // Watchdog for a known Node bug (nodejs/node#54918: the process can deadlock at shutdown in
    // NodePlatform::DrainTasks after its last test has reported; seen once in CI here, on a batch of three quick
    // files). Once node:test has printed its final summary, a process that has not exited within EXIT_GRACE_S is
    // killed and its exit taken from that summary; a process that never reports is killed after
    // FARFIELD_TEST_TIMEOUT_S (default 1800 s) and counts as failed. The deadlock can also strike before the summary
    // (seen here once more on the same three-file batch: every test reported, then the main thread waiting on a
    // futex, no CPU): a process with no output and no CPU in it or its children for FARFIELD_TEST_STALL_S (default
    // 300 s; checked through /proc on Linux) is killed as stalled and its job run once more (worker() below).
    live.add(child.pid);
    let summarised = false, hung = false, stalled = false, tail = '';
    const kill = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { child.kill('SIGKILL'); } };
    const timeout = setTimeout(() => { hung = true; kill(); }, FILE_TIMEOUT_S * 1000);
    let grace = null;
    let lastTicks = -1, lastActive = performance.now();
    const stallCheck = setInterval(() => {
      const ticks = treeTicks(child.pid);
      if (ticks === null) return;
      if (ticks !== lastTicks) {
        lastTicks = ticks;
        lastActive = performance.now();
      } else if (!summarised && performance.now() - lastActive > stallS * 1000) {
        stalled = true;
        kill();
      }
    }, Math.min(30, stallS / 4) * 1000);
    child.stdout.on('data', (d) => {
      out.push(d);
      lastActive = performance.now();
      if (summarised) return;
      tail = (tail + d.toString()).slice(-4096);
      if (FINAL_SUMMARY.test(tail.replace(ANSI, ''))) {
        summarised = true;
        grace = setTimeout(() => { hung = true; kill(); }, EXIT_GRACE_S * 1000);
      }
    });
    child.stderr.on('data', (d) => {
      err.push(d);
      lastActive = performance.now();
    });
    if (HAVE_BASH) child.stdio[3].on('data', (d) => times.push(d));
    child.on('close', (code, signal) => {
      live.delete(child.pid);
      clearTimeout(timeout);
      clearInterval(stallCheck);
      if (grace) clearTimeout(grace);
      if (hung && summarised) {
        // the tests ran to their summary: take its verdict, and say what happened
        const failed = /ℹ\S* fail (\d+)/.exec(Buffer.concat(out).toString().replace(ANSI, ''));
        err.push(Buffer.from(`⚠ ${name}: reported its summary but did not exit within ${EXIT_GRACE_S} s (Node shutdown deadlock, nodejs/node#54918); killed, verdict taken from the summary\n`));
        code = failed && Number(failed[1]) > 0 ? 1 : 0;
        signal = null;
      } else if (hung) {
        err.push(Buffer.from(`✖ ${name}: no summary after ${FILE_TIMEOUT_S} s (FARFIELD_TEST_TIMEOUT_S); killed\n`));
      } else if (stalled) {
        err.push(Buffer.from(`⚠ ${name}: no output and no CPU for ${stallS} s (FARFIELD_TEST_${stallS === STALL_S ? '' : 'CPU_'}STALL_S) before its summary (Node deadlock, nodejs/node#54918, or a test waiting forever); killed\n`));
      }
      const wall = (performance.now() - t0) / 1000;
      // `times`: line 1 the shell itself, line 2 its children ("0m1.234s 0m0.056s")
      const lines = Buffer.concat(times).toString().trim().split('\n');
      const c = (lines[1] ?? '').trim().split(/\s+/).map(seconds);
      const cpu = c.length === 2 ? c[0] + c[1] : NaN;
      const start = (t0 - RUN_T0) / 1000;
      done({ file: name, code: code ?? -1, signal, stalled, start, wall, cpu, out: Buffer.concat(out).toString(), err: Buffer.concat(err).toString() });
    });
  });
}
const costs = (r) => `${r.wall.toFixed(1)} s wall${Number.isFinite(r.cpu) ? `, ${r.cpu.toFixed(1)} s CPU` : ''}`;

const cleanUp = () => {
  if (process.env.FARFIELD_TEST_KEEP !== '1') rmSync(OUT, { recursive: true, force: true });
};
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => {
  for (const pid of live) try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
  cleanUp();
  process.exit(130);
});
const t0 = performance.now();
const results = [];
// 1. compile (unless --tsx): esbuild transpiles every file of tsconfig.json's folders one to one (no bundling, no
// type-check; ≈ 1 s wall), and the type-check (`tsc --noEmit`, ≈ 5 CPU s on two threads) runs as the first job of
// the CPU lanes beside the first test files instead of before all of them (`--tsc-emit`: one `tsc` that checks and
// emits, before the tests, as up to session 8). Source maps only with FARFIELD_TEST_SOURCE_MAPS=1.
let typecheckFailed = false;
const maps = process.env.FARFIELD_TEST_SOURCE_MAPS === '1';
const TSC = join('node_modules', 'typescript', 'bin', 'tsc');
const reportTypecheck = (tsc) => {
  results.push(tsc);
  typecheckFailed = tsc.code !== 0;
  const said = (tsc.out + tsc.err).replace(/\n+$/, '');
  process.stdout.write(`▶ ${tsc.file}: ${typecheckFailed ? 'type errors' : 'no type errors'} (${costs(tsc)})\n${said ? said + '\n' : ''}`);
  if (typecheckFailed && !opts.typecheck) process.stdout.write('⚠ type errors above (npm test fails on them); the tests run on what was emitted\n');
};
if (!opts.tsx && opts.tscEmit) {
  // no declarations (nothing reads them here)
  const tscArgs = ['-p', 'tsconfig.json', '--outDir', OUT, '--declaration', 'false', '--sourceMap', String(maps)];
  reportTypecheck(await run(`tsc ${tscArgs.join(' ')}`, [TSC, ...tscArgs], process.env));
} else if (!opts.tsx) {
  const include = JSON.parse(readFileSync('tsconfig.json', 'utf8')).include;
  const sources = include.flatMap((d) => walkAll(d)).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  const esbuildArgs = [join('node_modules', 'esbuild', 'bin', 'esbuild'), ...sources, `--outdir=${OUT}`, '--outbase=.', '--format=esm',
    '--platform=node', '--target=es2022', '--log-level=warning', ...(maps ? ['--sourcemap'] : [])];
  const esb = await run(`esbuild: transpile ${sources.length} files`, esbuildArgs, process.env);
  results.push(esb);
  process.stdout.write(`▶ ${esb.file} (${costs(esb)})\n${(esb.out + esb.err).replace(/\n+$/, '')}${esb.out + esb.err ? '\n' : ''}`);
  if (esb.code !== 0) {
    process.stdout.write('✖ esbuild failed (errors above)\n');
    cleanUp();
    process.exit(1);
  }
}
const TYPECHECK_JOB = { name: 'tsc -p tsconfig.json --noEmit', files: [], cost: Infinity, typecheck: true };

// 2. the test files
const DIST_CLI = resolve(OUT, 'src', 'cli', 'main.js');
// Every Node process of the tests (test files, and through FARFIELD_CLI and test/helpers/cli.ts the CLI they start)
// runs without concurrent TurboFan recompilation. Why: a short process whose event loop empties while a background
// TurboFan job is running can deadlock in NodePlatform::DrainTasks — the job needs a garbage collection to allocate
// (CollectionBarrier::AwaitCollectionBackground), only the main thread can run it, and the main thread waits in
// BlockingDrain for the job (nodejs/node#54918; fixed upstream by a timed drain, nodejs/node#61963, not in Node 20).
// gdb on a hung analysis batch showed exactly these two stacks (2 of 280 plain runs hung, 0 of 240 with the flag;
// docs/development.md). Optimised code is the same, only compiled on the main thread: results are unchanged, and the
// CPU is not higher (blockBalance 17.3 → 14.5, compare 9.8 → 7.6 CPU s, same-run A/B).
const NODE_FLAGS = ['--no-concurrent-recompilation'];
// The test processes of the default set get a larger young generation (64 MB semi-spaces instead of 16): the numeric
// tests allocate many short-lived arrays, and fewer scavenges cost less CPU (same-run A/B of six files, load 6–9:
// 74.7 → 64.6 CPU s, blockBalance 16.7 → 12.5; the whole suite with the flag above, two runs side by side at load
// 11–19: 439.3 → 403.1 CPU s); and a collector without helper threads (--single-threaded-gc: the two lanes already
// fill both cores, so parallel marking and scavenging only add hand-offs; six files, load 4–12: 94.9 → 91.0 CPU s).
// Garbage-collector settings change no result. Not for the nightly files (their memory probes measure the resident
// size) nor the CLI processes (short-lived: little to gain).
const GC_FLAGS = ['--max-semi-space-size=64', '--single-threaded-gc'];
const env = {
  ...process.env,
  FARFIELD_TEST: '1',
  // the tasks that in-process tests fan out through the executors start the CLI of the same compilation
  // (test/host/farfieldCommand.test.ts checks the default: the sources through tsx)
  ...(!opts.tsx && !process.env.FARFIELD_CLI ? { FARFIELD_CLI: JSON.stringify([process.execPath, ...NODE_FLAGS, DIST_CLI]) } : {}),
  ...(process.stdout.isTTY && !process.env.NO_COLOR ? { FORCE_COLOR: '1' } : {}),
};
// A file runs as a plain script (node:test reports with the spec reporter and sets the exit code): one process per
// file instead of two under `node --test FILE`.
const compiled = (file) => join(OUT, file.replace(/\.ts$/, '.js'));
let batches = 0;
function entry(job) {
  if (job.files.length === 1) return opts.tsx ? job.files[0] : compiled(job.files[0]);
  const path = join(OUT, '.batches', `batch-${++batches}.mjs`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, job.files.map((f) => `import ${JSON.stringify(pathToFileURL(resolve(compiled(f))).href)};\n`).join(''));
  return path;
}
const nodeArgs = (job) => [...NODE_FLAGS, ...(job.files.some((f) => f.endsWith(NIGHTLY)) ? [] : GC_FLAGS), ...(opts.tsx
  ? ['--import', 'tsx', '--test-reporter=spec', entry(job)]
  : [...(process.env.FARFIELD_TEST_SOURCE_MAPS === '1' ? ['--enable-source-maps'] : []), '--test-reporter=spec', entry(job)])];

const COUNTERS = ['tests', 'suites', 'pass', 'fail', 'cancelled', 'skipped', 'todo'];
const SUMMARY = new RegExp(`^\\S*ℹ\\S* (${COUNTERS.join('|')}|duration_ms) ([\\d.]+)\\s*$`);
const totals = Object.fromEntries(COUNTERS.map((c) => [c, 0]));
// the waiting files have a lane of their own when there are two lanes or more (they still run in the CPU lanes once
// those have nothing else left)
const waitingLane = concurrency >= 2 && !opts.tsx;
const queue = [...(!opts.tsx && !opts.tscEmit ? [TYPECHECK_JOB] : []), ...(waitingLane ? jobs.filter((j) => !WAITING.includes(j.name)) : jobs)];
const waitQueue = waitingLane ? jobs.filter((j) => WAITING.includes(j.name)) : [];
const lanes = `concurrency ${concurrency}${waitQueue.length ? ' + 1 waiting lane' : ''}`;
async function worker(waiting) {
  for (;;) {
    const job = waiting ? waitQueue.shift() : queue.shift() ?? waitQueue.shift();
    if (!job) return;
    if (job.typecheck) {
      reportTypecheck(await run(job.name, [TSC, '-p', 'tsconfig.json', '--noEmit'], process.env));
      continue;
    }
    const stallS = WAITING.includes(job.name) ? STALL_S : CPU_STALL_S;
    let r = await run(job.name, nodeArgs(job), env, stallS);
    if (r.stalled) {
      // once more: a stall is Node's, not the test's (a second stall counts as a failure)
      process.stdout.write(`${r.err.replace(/\n+$/, '').split('\n').pop()}; running it once more\n`);
      const again = await run(job.name, nodeArgs(job), env, stallS);
      r = { ...again, start: r.start, wall: r.wall + again.wall, cpu: r.cpu + again.cpu };
    }
    results.push(r);
    let counted = false, failed = 0;
    const kept = [];
    for (const line of r.out.split('\n')) {
      const m = SUMMARY.exec(line.replace(ANSI, ''));
      if (m) {
        counted = true;
        if (m[1] !== 'duration_ms') totals[m[1]] += Number(m[2]);
        if (m[1] === 'fail') failed = Number(m[2]);
      } else kept.push(line);
    }
    const body = kept.join('\n').replace(/\n+$/, '');
    process.stdout.write(`▶ ${r.file} (${costs(r)})\n`);
    if (body) process.stdout.write(body + '\n');
    if (r.err.trim()) process.stdout.write(r.err.replace(/\n+$/, '') + '\n');
    // a file that died before its summary (a crash, a signal, a syntax error) counts as one failed test
    if (r.code !== 0 && failed === 0) {
      if (!counted) totals.tests += 1;
      totals.fail += 1;
      process.stdout.write(`✖ ${r.file} exited with ${r.signal ?? `code ${r.code}`}\n`);
    }
  }
}
await Promise.all([
  ...Array.from({ length: Math.min(concurrency, queue.length) }, () => worker(false)),
  ...(waitQueue.length ? [worker(true)] : []),
]);
const wall = (performance.now() - t0) / 1000;
const cpu = results.reduce((s, r) => s + (Number.isFinite(r.cpu) ? r.cpu : 0), 0);

for (const c of COUNTERS) process.stdout.write(`ℹ ${c} ${totals[c]}\n`);
process.stdout.write(`ℹ duration_ms ${(wall * 1000).toFixed(0)}\n`);
const failTypes = typecheckFailed && opts.typecheck;
if (failTypes) process.stdout.write('✖ the type-check failed (errors above)\n');
process.stdout.write(`ℹ files ${files.length} in ${jobs.length} processes, ${lanes}, wall ${wall.toFixed(1)} s, CPU ${HAVE_BASH ? cpu.toFixed(1) + ' s' : 'n/a (no bash)'} (compilation included)\n`);
if (opts.top > 0 && results.length > 1) {
  const top = [...results].sort((a, b) => b.wall - a.wall).slice(0, opts.top);
  process.stdout.write('ℹ costliest (wall s, CPU s):\n');
  for (const r of top) process.stdout.write(`ℹ   ${r.wall.toFixed(1).padStart(6)} ${(Number.isFinite(r.cpu) ? r.cpu.toFixed(1) : '-').padStart(6)}  ${r.file}\n`);
}
if (opts.timings) {
  const rows = results.map((r) => ({ file: r.file, start: +r.start.toFixed(2), wall: +r.wall.toFixed(2), cpu: Number.isFinite(r.cpu) ? +r.cpu.toFixed(2) : null, code: r.code }));
  writeFileSync(opts.timings, JSON.stringify({ wall: +wall.toFixed(2), cpu: +cpu.toFixed(2), concurrency, files: rows }, null, 1) + '\n');
}
cleanUp();
process.exit(totals.fail > 0 || failTypes ? 1 : 0);
