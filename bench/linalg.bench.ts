/**
 * Dense linear algebra (src/math/linalg): the normal-equation build C += AᵀA for a 20000 × 1000 design block
 * (GFLOP/s = m·n·(n+1)/time, the dsyrk count) for TS, WASM 1 thread and WASM 2 threads, against numpy/OpenBLAS
 * (Debian's /usr/bin/python3, `A.T @ A` → dsyrk) in the same run; Cholesky and symmetric eigendecomposition of
 * n = 1000, 2000 (numpy's cholesky/eigh for reference). `npm run bench -- linalg [--quick]`.
 * Wall-clock figures on a shared machine: CPU-time rates (per core) are printed alongside for the 1-thread cases.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Rng } from '../src/core/index.js';
import { getLinalg, linalgThreadsReady, symmetricEigen, type Linalg } from '../src/math/linalg/index.js';
import { timeIt, type BenchContext } from './harness.js';

interface PyResult { op: string; n: number; m?: number; threads: number; seconds: number; cpuSeconds: number }

const PY = `
import json, sys, time, numpy as np
m, n, sizes = int(sys.argv[1]), int(sys.argv[2]), [int(s) for s in sys.argv[3].split(',')]
threads = int(sys.argv[4])
rng = np.random.default_rng(1)
def bench(fn, runs):
    fn(); best = []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time(); fn(); best.append((time.perf_counter() - t, time.process_time() - c))
    best.sort(); return best[len(best) // 2]
A = rng.standard_normal((m, n))
s, c = bench(lambda: A.T @ A, 3)
print(json.dumps({"op": "syrk", "m": m, "n": n, "threads": threads, "seconds": s, "cpuSeconds": c}))
del A
for k in sizes:
    G = rng.standard_normal((k, k)); S = G @ G.T / k + np.eye(k)
    s, c = bench(lambda: np.linalg.cholesky(S), 3)
    print(json.dumps({"op": "cholesky", "n": k, "threads": threads, "seconds": s, "cpuSeconds": c}))
    s, c = bench(lambda: np.linalg.eigh(S), 1)
    print(json.dumps({"op": "eigh", "n": k, "threads": threads, "seconds": s, "cpuSeconds": c}))
`;

function numpy(m: number, n: number, sizes: number[], threads: number): PyResult[] {
  const r = spawnSync('/usr/bin/python3', ['-c', PY, String(m), String(n), sizes.join(','), String(threads)], {
    encoding: 'utf8',
    env: { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) },
  });
  if (r.status !== 0) {
    console.log(`  numpy unavailable (${(r.stderr || r.error?.message || '').trim().split('\n').pop()}); install python3-numpy`);
    return [];
  }
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as PyResult);
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function spd(rng: Rng, n: number): Float64Array {
  const g = Float64Array.from({ length: n * n }, () => rng.normal());
  const s = new Float64Array(n * n);
  getLinalg('wasm').gemm(n, n, n, g, g, s, { transB: true, alpha: 1 / n });
  for (let i = 0; i < n; i++) s[i * n + i] += 1;
  return s;
}

export async function run(ctx: BenchContext): Promise<void> {
  const m = ctx.quick ? 4000 : 20000, n = ctx.quick ? 500 : 1000;
  const sizes = ctx.quick ? [500] : [1000, 2000];
  const flops = m * n * (n + 1);
  const rng = new Rng(1);
  const a = Float64Array.from({ length: m * n }, () => rng.normal());
  const c = new Float64Array(n * n);
  const ts = getLinalg('ts'), w1 = getLinalg('wasm', { threads: 1 }), w2 = getLinalg('wasm', { threads: 2 });
  const haveThreads = await linalgThreadsReady();
  if (!haveThreads) console.log('  (no helper thread: "2 threads" runs single-threaded)');

  // --- normal-equation build -------------------------------------------------------------------------------
  const mTs = Math.min(m, ctx.quick ? 500 : 2000);
  const tTs = await timeIt(() => ts.syrkAccumulate(a, mTs, n, c), 1, 0);
  ctx.report(`syrk TS ${mTs}×${n}`, (mTs * n * (n + 1)) / tTs.medianMs / 1e6, 'GFLOP/s');
  const syrkRate = async (la: Linalg, label: string): Promise<number> => {
    const c0 = cpuMs();
    const t = await timeIt(() => la.syrkAccumulate(a, m, n, c), 3, 1);
    const cpu = (cpuMs() - c0) / 4;
    ctx.report(`syrk ${label} ${m}×${n}`, flops / t.medianMs / 1e6, 'GFLOP/s',
      `${t.medianMs.toFixed(0)} ms; ${(flops / cpu / 1e6).toFixed(1)} GFLOP/s per CPU-second`);
    return t.medianMs;
  };
  const t1 = await syrkRate(w1, 'WASM 1 thread');
  const t2 = await syrkRate(w2, 'WASM 2 threads');
  // cost of copying the design block into wasm memory (what an in-place API would save)
  const scratch = new Float64Array(m * n);
  const tCopy = await timeIt(() => scratch.set(a), 3, 1);
  ctx.report('syrk: copy of A into wasm memory', (100 * tCopy.medianMs) / t2, '% of 2-thread time');

  const py2 = numpy(m, n, sizes, 2);
  const py1 = numpy(m, n, sizes, 1);
  const pick = (rs: PyResult[], op: string, k: number): PyResult | undefined => rs.find((r) => r.op === op && (r.op === 'syrk' || r.n === k));
  const ob2 = pick(py2, 'syrk', n), ob1 = pick(py1, 'syrk', n);
  if (ob1) ctx.report(`syrk numpy/OpenBLAS 1 thread`, flops / ob1.seconds / 1e9, 'GFLOP/s', `${(flops / ob1.cpuSeconds / 1e9).toFixed(1)} GFLOP/s per CPU-second`);
  if (ob2) {
    ctx.report(`syrk numpy/OpenBLAS 2 threads`, flops / ob2.seconds / 1e9, 'GFLOP/s', `${(ob2.seconds * 1000).toFixed(0)} ms`);
    ctx.report('syrk WASM 2 threads / OpenBLAS 2 threads', (100 * ob2.seconds * 1000) / t2, '% of OpenBLAS', 'target ≥ 50 %');
  }
  if (ob1) ctx.report('syrk WASM 1 thread / OpenBLAS 1 thread', (100 * ob1.seconds * 1000) / t1, '% of OpenBLAS');

  // --- Cholesky and eigendecomposition ---------------------------------------------------------------------
  for (const k of sizes) {
    const s = spd(rng, k);
    const chol = (la: Linalg) => () => { const l = s.slice(); la.cholesky(l, k); };
    const f = (k * k * k) / 3;
    const tc1 = await timeIt(chol(w1), 3, 1);
    const tc2 = await timeIt(chol(w2), 3, 1);
    ctx.report(`cholesky n=${k} WASM 1 thread`, tc1.medianMs, 'ms', `${(f / tc1.medianMs / 1e6).toFixed(1)} GFLOP/s`);
    ctx.report(`cholesky n=${k} WASM 2 threads`, tc2.medianMs, 'ms', `${(f / tc2.medianMs / 1e6).toFixed(1)} GFLOP/s`);
    if (k <= 1000) {
      const tct = await timeIt(chol(ts), 1, 0);
      ctx.report(`cholesky n=${k} TS`, tct.medianMs, 'ms');
    }
    const pc = pick(py2, 'cholesky', k);
    if (pc) ctx.report(`cholesky n=${k} numpy/OpenBLAS 2 threads`, pc.seconds * 1000, 'ms');
    const t0 = performance.now(), c0 = cpuMs();
    symmetricEigen(s, k);
    ctx.report(`symmetricEigen n=${k} (wasm, 2 threads)`, performance.now() - t0, 'ms', `${(cpuMs() - c0).toFixed(0)} ms CPU`);
    const pe = pick(py2, 'eigh', k);
    if (pe) ctx.report(`eigh n=${k} numpy/OpenBLAS 2 threads`, pe.seconds * 1000, 'ms');
  }
}
