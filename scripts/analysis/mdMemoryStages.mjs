#!/usr/bin/env node
// Memory of `farfield md` stage by stage (issue 17 goal 4): RSS, its high-water mark (VmHWM), JS heap and array
// buffers after loading the model and after every block's forward pass, reverse pass and call of an MD run, on the
// built library (`npm run build`). `--gc`: a forced GC after every call (live memory vs garbage; needs --expose-gc).
// Usage: node --expose-gc scripts/analysis/mdMemoryStages.mjs MODEL.ffm START.xyz [steps=4] [--gc] [--dist DIR]
// e.g. node --expose-gc scripts/analysis/mdMemoryStages.mjs /tmp/fkk6/models/srlr.ffm /tmp/mdfast/s1728.xyz 4
import { readFileSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const flag = (f) => { const k = args.indexOf(f); if (k < 0) return null; const v = args[k + 1]; args.splice(k, 2); return v; };
const forceGc = args.includes('--gc');
if (forceGc) args.splice(args.indexOf('--gc'), 1);
const root = resolve(flag('--dist') ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist'));
const [model, start, steps = '4'] = args;
if (!model || !start) {
  console.error('usage: node --expose-gc scripts/analysis/mdMemoryStages.mjs MODEL START.xyz [steps] [--gc] [--dist DIR]');
  process.exit(2);
}
const api = await import(join(root, 'src', 'api', 'index.js'));
const mb = (x) => (x / 1048576).toFixed(1);
const hwm = () => (Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024).toFixed(1);
const show = (tag) => {
  const m = process.memoryUsage();
  console.log(`${tag.padEnd(24)} rss ${mb(m.rss)} hwm ${hwm()} heap ${mb(m.heapUsed)}/${mb(m.heapTotal)} external ${mb(m.external)} arrayBuffers ${mb(m.arrayBuffers)} MB`);
};
show('start');
const calc = api.loadCalculator({ model, covariance: false });
show('model loaded');
const frame = await api.loadFrame(start);
let call = 0;
const wrap = (obj, name, tag) => {
  const f = obj[name];
  if (typeof f !== 'function') return;
  obj[name] = function (...a) { const r = f.apply(this, a); show(`  call ${call} ${tag}`); return r; };
};
(calc.descriptor.blocks ?? [calc.descriptor]).forEach((b, i) => {
  wrap(b, b.computeInto ? 'computeInto' : 'compute', `forward ${i} (${b.kind})`);
  wrap(b, 'vjp', `reverse ${i}`);
});
const calculate = calc.calculate.bind(calc);
calc.calculate = (s, o) => {
  call++;
  const r = calculate(s, o);
  show(`call ${call}`);
  if (forceGc && globalThis.gc) { globalThis.gc(); show(`call ${call} + gc`); }
  return r;
};
api.runMolecularDynamics({ calculator: calc, start: frame, steps: Number(steps), timestepFs: 1, temperatureK: 300, logEvery: 1000 });
show('end');
