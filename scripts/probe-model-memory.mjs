// Live memory of a kernel model in a force call (issue 17 goal 4): process.memoryUsage() after loading MODEL and
// after one and two force calls on the first frame of XYZ (gc() before each reading), the wasm linear-algebra memory
// and its pre-packed references when the build has `wasmLinalgMemory`, and the peak RSS so far.
// Usage (after `npm run build`; ROOT = a checkout with dist/, default .):
//   MALLOC_MMAP_THRESHOLD_=65536 node --expose-gc scripts/probe-model-memory.mjs MODEL XYZ [ROOT]
// (the malloc setting returns freed large blocks to the system, so RSS follows the live memory)
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [model, xyz, rootArg = '.'] = process.argv.slice(2);
if (!model || !xyz || typeof globalThis.gc !== 'function') {
  console.error('usage: node --expose-gc scripts/probe-model-memory.mjs MODEL XYZ [ROOT]');
  process.exit(2);
}
const root = pathToFileURL(resolve(rootArg)).href;
const api = await import(`${root}/dist/src/api/index.js`);
const host = await import(`${root}/dist/src/host/index.js`);
const math = await import(`${root}/dist/src/math/index.js`);
const mb = (x) => (x / 2 ** 20).toFixed(1);
const show = (label) => {
  globalThis.gc();
  globalThis.gc();
  const u = process.memoryUsage();
  const w = typeof math.wasmLinalgMemory === 'function' ? math.wasmLinalgMemory() : null;
  console.log(`${label}: peak rss ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MB, rss ${mb(u.rss)}, array buffers ${mb(u.arrayBuffers)}` +
    (w ? `, wasm linalg ${mb(w.bytes)} (packed ${mb(w.packedLive)})` : ''));
};
show('start');
const m = api.loadModel(model);
show('loaded');
const s = host.readStructures(xyz)[0];
m.calculate(s);
show('1 call');
m.calculate(s);
show('2 calls');
