/**
 * Proves the WebAssembly SIMD backend: agreement with the TS reference to 1e-12 relative on odd sizes,
 * defining identities (L·Lᵀ = A, solve residuals), the NUMERIC error, 2 threads = 1 thread bitwise,
 * the generated wasm module matching its AssemblyScript source, and normal process exit with the helper thread.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { FarfieldError, Rng } from '../../../src/core/index.js';
import { getLinalg, linalgThreadsReady, symmetricEigen, wasmLinalgAvailable } from '../../../src/math/linalg/index.js';
import { WASM_SOURCE_HASH } from '../../../src/math/linalg/wasmBinary.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { naiveGemm, randomMatrix, randomSpd, relErr } from './helpers.js';

const ts = getLinalg('ts');
const w1 = getLinalg('wasm', { threads: 1 });
const ODD = [1, 3, 17, 130, 257];

test('wasm backend is available and selected by auto', () => {
  assert.ok(wasmLinalgAvailable());
  assert.equal(w1.backend, 'wasm');
  assert.equal(getLinalg().backend, 'wasm');
  assert.equal((getLinalg() as { threads?: number }).threads, availableParallelism() >= 2 ? 2 : 1, 'default thread count');
});

test('wasmBinary.ts was generated from the current assembly/linalg.ts (run npm run build:wasm)', () => {
  const hash = createHash('sha256').update(readFileSync(join(REPO_ROOT, 'assembly', 'linalg.ts'))).digest('hex').slice(0, 16);
  assert.equal(WASM_SOURCE_HASH, hash);
});

test('wasm syrkAccumulate = ts to 1e-12 (odd sizes, alpha, existing C)', () => {
  const rng = new Rng(11);
  for (const [m, n] of [[1, 1], [3, 5], [17, 17], [300, 130], [513, 257], [7, 258], [2, 1]]) {
    const a = randomMatrix(rng, m, n);
    const c0 = randomSpd(rng, n);
    const cw = c0.slice(), ct = c0.slice();
    w1.syrkAccumulate(a, m, n, cw, -0.3);
    ts.syrkAccumulate(a, m, n, ct, -0.3);
    assert.ok(relErr(cw, ct) < 1e-12, `${m}×${n}: ${relErr(cw, ct)}`);
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) assert.equal(cw[i * n + j], cw[j * n + i]);
  }
});

test('wasm gemm: all transpose combinations against a naive triple loop', () => {
  const rng = new Rng(12);
  for (const [m, n, k] of [[1, 1, 1], [3, 5, 7], [17, 1, 13], [130, 65, 257], [5, 257, 300]]) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const a = randomMatrix(rng, m, k), b = randomMatrix(rng, k, n), c = randomMatrix(rng, m, n);
        const ab = naiveGemm(m, n, k, a, b, transA, transB);
        const want = c.map((v, i) => -0.5 * v + 1.25 * ab[i]);
        w1.gemm(m, n, k, a, b, c, { transA, transB, alpha: 1.25, beta: -0.5 });
        assert.ok(relErr(c, want) < 1e-12, `${m} ${n} ${k} ${transA} ${transB}: ${relErr(c, want)}`);
      }
    }
  }
  const c = new Float64Array([NaN, NaN]);
  w1.gemm(1, 2, 1, new Float64Array([2]), new Float64Array([3, 4]), c);
  assert.deepEqual([...c], [6, 8], 'beta = 0 ignores NaN in C');
  const z = new Float64Array([1, 2]);
  w1.gemm(1, 2, 0, new Float64Array(0), new Float64Array(0), z, { beta: 2 });
  assert.deepEqual([...z], [2, 4], 'k = 0 only scales');
});

test('wasm cholesky = ts to 1e-12; L·Lᵀ = A; upper zeroed; solve residuals', () => {
  const rng = new Rng(13);
  for (const n of ODD) {
    const a = randomSpd(rng, n);
    const lw = a.slice(), lt = a.slice();
    w1.cholesky(lw, n);
    ts.cholesky(lt, n);
    assert.ok(relErr(lw, lt) < 1e-12, `n=${n}: ${relErr(lw, lt)}`);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) assert.equal(lw[i * n + j], 0);
    assert.ok(relErr(naiveGemm(n, n, n, lw, lw, false, true), a) < 1e-13, `LLᵀ n=${n}`);
    for (const nrhs of [1, 9, 20]) {
      const b = randomMatrix(rng, n, nrhs);
      const xw = b.slice(), xt = b.slice();
      w1.choleskySolve(lw, n, xw, nrhs);
      ts.choleskySolve(lw, n, xt, nrhs);
      assert.ok(relErr(xw, xt) < 1e-12, `solve n=${n} nrhs=${nrhs}`);
      assert.ok(relErr(naiveGemm(n, nrhs, n, a, xw, false, false), b) < 1e-12, `residual n=${n} nrhs=${nrhs}`);
      for (const transpose of [false, true]) {
        const y = b.slice();
        w1.triangularSolve(lw, n, y, nrhs, transpose);
        assert.ok(relErr(naiveGemm(n, nrhs, n, lw, y, transpose, false), b) < 1e-12, `trsm n=${n} ${transpose}`);
      }
    }
  }
});

test('wasm cholesky: non-SPD → FarfieldError NUMERIC naming the same pivot as ts (also beyond the first block)', () => {
  const rng = new Rng(14);
  for (const [n, bad] of [[3, 1], [200, 150], [257, 0]]) {
    const a = randomSpd(rng, n);
    a[bad * n + bad] = -10;
    let msgT = '', msgW = '';
    assert.throws(() => ts.cholesky(a.slice(), n), (e: unknown) => e instanceof FarfieldError && e.code === 'NUMERIC' && ((msgT = e.message), true));
    assert.throws(() => w1.cholesky(a.slice(), n), (e: unknown) => e instanceof FarfieldError && e.code === 'NUMERIC' && ((msgW = e.message), true));
    const pivot = (s: string): string => /pivot (\d+)/.exec(s)?.[1] ?? '?';
    assert.equal(pivot(msgW), pivot(msgT));
    assert.ok(Number(pivot(msgW)) <= bad);
  }
  assert.throws(() => w1.cholesky(new Float64Array([NaN]), 1), (e: unknown) => e instanceof FarfieldError && e.code === 'NUMERIC');
});

test('2 threads give bitwise the same results as 1 thread', async () => {
  assert.ok(await linalgThreadsReady(), 'helper thread started');
  const w2 = getLinalg('wasm', { threads: 2 });
  const rng = new Rng(15);
  const same = (x: Float64Array, y: Float64Array, what: string): void => {
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) assert.fail(`${what}: differs at ${i}`);
  };
  {
    const m = 401, n = 257;
    const a = randomMatrix(rng, m, n);
    const c1 = randomSpd(rng, n), c2 = c1.slice();
    w1.syrkAccumulate(a, m, n, c1);
    w2.syrkAccumulate(a, m, n, c2);
    same(c1, c2, 'syrk');
  }
  for (const [transA, transB] of [[false, false], [true, true]]) {
    const m = 131, n = 203, k = 157;
    const a = randomMatrix(rng, m, k), b = randomMatrix(rng, k, n);
    const c1 = randomMatrix(rng, m, n), c2 = c1.slice();
    w1.gemm(m, n, k, a, b, c1, { transA, transB, beta: 0.5 });
    w2.gemm(m, n, k, a, b, c2, { transA, transB, beta: 0.5 });
    same(c1, c2, 'gemm');
  }
  {
    const n = 301;
    const a = randomSpd(rng, n);
    const l1 = a.slice(), l2 = a.slice();
    w1.cholesky(l1, n);
    w2.cholesky(l2, n);
    same(l1, l2, 'cholesky');
    const b = randomMatrix(rng, n, 67);
    const x1 = b.slice(), x2 = b.slice();
    w1.choleskySolve(l1, n, x1, 67);
    w2.choleskySolve(l1, n, x2, 67);
    same(x1, x2, 'choleskySolve');
  }
  {
    const n = 560; // large enough that back-accumulation and rotation sweeps are split
    const g = randomMatrix(rng, n, n);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = g[i * n + j] + g[j * n + i];
    const e1 = symmetricEigen(a, n, 'wasm', { threads: 1 }), e2 = symmetricEigen(a, n, 'wasm', { threads: 2 });
    same(e1.values, e2.values, 'eigenvalues');
    same(e1.vectors, e2.vectors, 'eigenvectors');
  }
});

test('a process using the 2-thread backend exits normally', () => {
  const script = `import { getLinalg, linalgThreadsReady } from './src/math/linalg/index.ts';
const ok = await linalgThreadsReady();
const la = getLinalg('wasm', { threads: 2 });
const n = 300, a = new Float64Array(n * n).fill(1), c = new Float64Array(n * n);
la.syrkAccumulate(a, n, n, c);
console.log(ok, c[0]);`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT, timeout: 30000, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'true 300');
});
