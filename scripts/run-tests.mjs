#!/usr/bin/env node
// Runs test/**/*.test.ts with Node's built-in test runner (TypeScript through tsx), files in parallel.
// Usage: node scripts/run-tests.mjs [--nightly] [substring filters...]   e.g. `npm test -- io/extxyz`
//  - default (`npm test`, the CI command): every *.test.ts except the nightly set;
//  - --nightly (`npm run test:nightly`): only the nightly set, files named *.nightly.test.ts (minutes of CPU each:
//    memory probes at N = 4096 and the like; see docs/development.md).
// Files run in separate processes, FARFIELD_TEST_CONCURRENCY at once (default os.availableParallelism()). Every test
// file must therefore be safe to run beside any other: temporary directories (mkdtemp), port 0, fresh socket names,
// no writes to shared paths in the repository. One runner process prints one summary (ℹ tests/pass/fail...) and
// exits non-zero when any test fails.
import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const NIGHTLY = '.nightly.test.ts';

// The costliest files (CPU seconds measured per file, see docs/development.md; the browser test also waits on
// Chromium) start first, so that they do not form a tail at the end of a parallel run.
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

const args = process.argv.slice(2);
const nightly = args.includes('--nightly');
const filters = args.filter((a) => a !== '--nightly');
const files = walk('test')
  .filter((f) => f.endsWith(NIGHTLY) === nightly)
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort((a, b) => {
    const ra = SLOW_FIRST.indexOf(a), rb = SLOW_FIRST.indexOf(b);
    return (ra < 0 ? Infinity : ra) - (rb < 0 ? Infinity : rb) || (a < b ? -1 : a > b ? 1 : 0);
  });
if (files.length === 0) {
  console.error(`no ${nightly ? 'nightly ' : ''}test files match ${filters.join(' ')}`);
  process.exit(1);
}
const requested = Number(process.env.FARFIELD_TEST_CONCURRENCY);
const concurrency = Number.isInteger(requested) && requested >= 1 ? requested : Math.max(1, availableParallelism());
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, FARFIELD_TEST: '1' } },
);
process.exit(r.status ?? 1);
