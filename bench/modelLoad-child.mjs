/**
 * Child of bench/modelLoad.bench.ts: in a fresh process, import the library (argv[2]: the URL of api/index.js — the
 * built dist/ or the sources under tsx), then time one `loadModel(argv[3], { covariance: argv[4] === 'cov' })` and
 * print `LOAD <wall ms> <cpu ms> IMPORT <wall ms>` (CPU = user + system of this process during the load, all threads).
 * argv[5] === 'one-thread': linear algebra capped at one thread first, so the load starts no helper thread and the
 * CPU is the main thread's alone.
 */
import { performance } from 'node:perf_hooks';

const t0 = performance.now();
const { loadModel } = await import(process.argv[2]);
if (process.argv[5] === 'one-thread') (await import(process.argv[2].replace(/api\/index\.(js|ts)$/, 'math/index.$1'))).setLinalgThreadCap(1);
const t1 = performance.now();
const c1 = process.cpuUsage();
loadModel(process.argv[3], { covariance: process.argv[4] === 'cov' });
const t2 = performance.now();
const c2 = process.cpuUsage(c1);
console.log(`LOAD ${(t2 - t1).toFixed(1)} ${((c2.user + c2.system) / 1000).toFixed(1)} IMPORT ${(t1 - t0).toFixed(1)}`);
