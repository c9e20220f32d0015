#!/usr/bin/env node
// Runs test/**/*.test.ts with Node's built-in test runner (TypeScript through tsx), one process per file, files in
// parallel, and reports what each file cost.
// Usage: node scripts/run-tests.mjs [--nightly | --all] [--typecheck] [--timings FILE.json] [--top N] [substring filters...]
//   e.g. `npm test -- io/extxyz`
//  - default (`npm test`, the CI command): every *.test.ts except the nightly set;
//  - --nightly (`npm run test:nightly`): only the nightly set, files named *.nightly.test.ts (long end-to-end flows
//    and minutes-of-CPU probes; see docs/development.md);
//  - --all: both sets (`npm run test:browser` runs every browser test this way);
//  - --typecheck (`npm test`): also type-check the project (`tsc -p tsconfig.json --noEmit`) as one more job of the
//    pool, beside the first test files instead of before them; its errors fail the run like a failed test;
//  - --timings FILE.json: also write every file's wall and CPU seconds to FILE.json;
//  - --top N: the cost table at the end lists the N costliest files (default 15; 0 for none).
// Files run in separate processes (`node --import tsx FILE`), FARFIELD_TEST_CONCURRENCY at once (default
// os.availableParallelism()). Every test file must therefore be safe to run beside any other: temporary directories
// (mkdtemp), port 0, fresh socket names, no writes to shared paths in the repository. A file's output is printed in
// one block when it ends; the runner prints one summary (ℹ tests/pass/fail...) and a table of the costliest files
// (wall seconds, and CPU = user + system seconds of the file's process and everything it waited for, from bash's
// `times`), and exits non-zero when any test fails.
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { distUpToDate } from './dist-fresh.mjs';

const NIGHTLY = '.nightly.test.ts';

// The costliest files (wall seconds measured per file by this runner, see docs/development.md) start first, so that
// they do not form a tail at the end of a parallel run. Longest first.
const SLOW_FIRST = [
  'test/browser/web.test.ts',
  'test/host/ipi-ase.test.ts',
  'test/api/compare.test.ts',
  'test/model/parallelNormal.test.ts',
  'test/api/fitCluster.test.ts',
  'test/cli/labelCluster.test.ts',
  'test/model/blockBalance.test.ts',
  'test/reference/cp2k-label.test.ts',
  'test/cli/label.test.ts',
  'test/api/md.test.ts',
  'test/descriptors/longRange/toyModel.test.ts',
  'test/cli/io-commands.test.ts',
];

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts')) out.push(p.split('\\').join('/'));
  }
  return out;
}

function parseArgs(argv) {
  const o = { nightly: false, all: false, typecheck: false, timings: null, top: 15, filters: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--nightly') o.nightly = true;
    else if (a === '--typecheck') o.typecheck = true;
    else if (a === '--all') o.all = true;
    else if (a === '--timings') o.timings = argv[++i];
    else if (a === '--top') o.top = Number(argv[++i]);
    else o.filters.push(a);
  }
  if (o.timings === undefined || !Number.isInteger(o.top) || o.top < 0) {
    console.error('usage: node scripts/run-tests.mjs [--nightly | --all] [--typecheck] [--timings FILE.json] [--top N] [filters...]');
    process.exit(2);
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const files = walk('test')
  .filter((f) => opts.all || f.endsWith(NIGHTLY) === opts.nightly)
  .filter((f) => opts.filters.length === 0 || opts.filters.some((s) => f.includes(s)))
  .sort((a, b) => {
    const ra = SLOW_FIRST.indexOf(a), rb = SLOW_FIRST.indexOf(b);
    return (ra < 0 ? Infinity : ra) - (rb < 0 ? Infinity : rb) || (a < b ? -1 : a > b ? 1 : 0);
  });
if (files.length === 0) {
  console.error(`no ${opts.nightly ? 'nightly ' : ''}test files match ${opts.filters.join(' ')}`);
  process.exit(1);
}
const requested = Number(process.env.FARFIELD_TEST_CONCURRENCY);
const concurrency = Number.isInteger(requested) && requested >= 1 ? requested : Math.max(1, availableParallelism());

// The CLI tests run the compiled CLI (dist/, what `npx farfield` runs; a third of the start-up CPU of tsx) when it is
// up to date with src/ (test/helpers/cli.ts checks): rebuild a stale dist/ once here, before any test starts.
if (!distUpToDate('.')) {
  const t = performance.now();
  const b = spawnSync(process.execPath, [join('node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  console.log(`ℹ dist/ was older than src/: npm run build ${b.status === 0 ? 'done' : 'FAILED (the CLI tests run the sources through tsx)'} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
// Tasks that in-process tests fan out through the executors (host/executor farfieldCommand) start the same compiled
// CLI (test/host/farfieldCommand.test.ts covers the default, the sources through tsx).
const DIST_MAIN = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');
const cliEnv = !process.env.FARFIELD_CLI && process.env.FARFIELD_TEST_CLI !== 'tsx' && distUpToDate('.')
  ? { FARFIELD_CLI: JSON.stringify([process.execPath, DIST_MAIN]) } : {};

// bash's `times` (user and system seconds of the shell's children, i.e. the test process and all it waited for) is
// written to fd 3; without bash the table shows wall seconds only.
const HAVE_BASH = spawnSync('bash', ['-c', 'exit 0']).status === 0;
// A file runs as a plain script (node:test reports with the spec reporter and sets the exit code): one Node process
// and one tsx start-up per file instead of two under `node --test FILE`.
const TSC = join('node_modules', 'typescript', 'bin', 'tsc');
const TYPECHECK = 'typecheck (tsc -p tsconfig.json --noEmit)';
const nodeArgs = (file) => file === TYPECHECK ? [TSC, '-p', 'tsconfig.json', '--noEmit'] : ['--import', 'tsx', '--test-reporter=spec', file];
const env = { ...process.env, ...cliEnv, FARFIELD_TEST: '1', ...(process.stdout.isTTY && !process.env.NO_COLOR ? { FORCE_COLOR: '1' } : {}) };

/** "1m2.500s" → 62.5 */
const seconds = (t) => {
  const m = /^(\d+)m([\d.]+)s$/.exec(t);
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
};

const COUNTERS = ['tests', 'suites', 'pass', 'fail', 'cancelled', 'skipped', 'todo'];
const SUMMARY = new RegExp(`^\\S*ℹ\\S* (${COUNTERS.join('|')}|duration_ms) ([\\d.]+)\\s*$`);
const ANSI = /\x1b\[[0-9;]*m/g;

function runFile(file) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = HAVE_BASH
      ? spawn('bash', ['-c', '"$@"; s=$?; times >&3; exit $s', 'bash', process.execPath, ...nodeArgs(file)],
        { env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] })
      : spawn(process.execPath, nodeArgs(file), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [], err = [], times = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    if (HAVE_BASH) child.stdio[3].on('data', (d) => times.push(d));
    child.on('close', (code, signal) => {
      const wall = (performance.now() - t0) / 1000;
      // `times`: line 1 the shell itself, line 2 its children ("0m1.234s 0m0.056s")
      const lines = Buffer.concat(times).toString().trim().split('\n');
      const child2 = (lines[1] ?? '').trim().split(/\s+/).map(seconds);
      const cpu = child2.length === 2 ? child2[0] + child2[1] : NaN;
      resolve({ file, code: code ?? -1, signal, wall, cpu, out: Buffer.concat(out).toString(), err: Buffer.concat(err).toString() });
    });
  });
}

// the type-check (about 10 CPU s) starts with the costliest test files
const jobs = opts.typecheck ? [TYPECHECK, ...files] : files;
const totals = Object.fromEntries(COUNTERS.map((c) => [c, 0]));
let typecheckFailed = false;
const results = [];
const t0 = performance.now();
let next = 0;
async function worker() {
  while (next < jobs.length) {
    const r = await runFile(jobs[next++]);
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
    if (r.file === TYPECHECK) {
      process.stdout.write(`▶ ${r.file}: ${r.code === 0 ? 'no errors' : 'FAILED'} (${r.wall.toFixed(1)} s wall${Number.isFinite(r.cpu) ? `, ${r.cpu.toFixed(1)} s CPU` : ''})\n`);
      if (body) process.stdout.write(body + '\n');
      if (r.err.trim()) process.stdout.write(r.err.replace(/\n+$/, '') + '\n');
      typecheckFailed = r.code !== 0;
      continue;
    }
    process.stdout.write(`▶ ${r.file} (${r.wall.toFixed(1)} s wall${Number.isFinite(r.cpu) ? `, ${r.cpu.toFixed(1)} s CPU` : ''})\n`);
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
await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
const wall = (performance.now() - t0) / 1000;
const cpu = results.reduce((s, r) => s + (Number.isFinite(r.cpu) ? r.cpu : 0), 0);

for (const c of COUNTERS) process.stdout.write(`ℹ ${c} ${totals[c]}\n`);
process.stdout.write(`ℹ duration_ms ${(wall * 1000).toFixed(0)}\n`);
if (typecheckFailed) process.stdout.write(`✖ the type-check failed (errors above)\n`);
process.stdout.write(`ℹ files ${results.filter((r) => r.file !== TYPECHECK).length}, concurrency ${concurrency}, wall ${wall.toFixed(1)} s, CPU ${HAVE_BASH ? cpu.toFixed(1) + ' s' : 'n/a (no bash)'}\n`);
if (opts.top > 0 && results.length > 1) {
  const top = [...results].sort((a, b) => b.wall - a.wall).slice(0, opts.top);
  process.stdout.write(`ℹ costliest files (wall s, CPU s):\n`);
  for (const r of top) process.stdout.write(`ℹ   ${r.wall.toFixed(1).padStart(6)} ${(Number.isFinite(r.cpu) ? r.cpu.toFixed(1) : '-').padStart(6)}  ${r.file}\n`);
}
if (opts.timings) {
  const rows = results.map((r) => ({ file: r.file, wall: +r.wall.toFixed(2), cpu: Number.isFinite(r.cpu) ? +r.cpu.toFixed(2) : null, code: r.code }));
  writeFileSync(opts.timings, JSON.stringify({ wall: +wall.toFixed(2), cpu: +cpu.toFixed(2), concurrency, files: rows }, null, 1) + '\n');
}
process.exit(totals.fail > 0 || typecheckFailed ? 1 : 0);
