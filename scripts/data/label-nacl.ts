/**
 * Background labelling of a configuration file with CP2K (resumable), writing the accepted frames to an extended-XYZ
 * file after every frame (atomic rename), so finished batches can be committed while the job runs.
 *
 *   node --import tsx scripts/data/label-nacl.ts <gfn1-xtb|pbe> <configs.xyz> <out.xyz> <workdir> [np] [nice]
 *
 * Same pipeline as `farfield label --engine cp2k` (src/reference/cp2k); this script exists so that the long jobs need
 * nothing but src/core and src/reference (it uses the minimal writer in extxyz-lite.ts).
 */
import { renameSync, writeFileSync } from 'node:fs';
import { labelWithCp2k, type Cp2kMethod } from '../../src/reference/cp2k/index.js';
import { frameToExtxyz, readExtxyzLite } from './extxyz-lite.js';

async function main(): Promise<void> {
  const [method, configs, out, workdir, np = '2', nice = '10'] = process.argv.slice(2);
  if (!method || !configs || !out || !workdir) throw new Error('usage: label-nacl.ts <gfn1-xtb|pbe> <configs.xyz> <out.xyz> <workdir> [np] [nice]');
  const frames = readExtxyzLite(configs);
  let last = 0;
  const t0 = Date.now();
  const summary = await labelWithCp2k(frames, {
    method: method as Cp2kMethod, workdir, np: Number(np), nice: Number(nice),
    onProgress: (e) => process.stderr.write(`[${new Date().toISOString()}] ${e.done}/${e.total} ${e.message ?? ''}\n`),
    onFrame: (labelled) => {
      if (labelled.length === last) return;
      last = labelled.length;
      writeFileSync(out + '.tmp', labelled.map(frameToExtxyz).join(''));
      renameSync(out + '.tmp', out);
    },
  });
  process.stderr.write(`done: ${summary.labelled.length} accepted, ${summary.rejected.length} rejected ` +
    `(${summary.rejected.map((r) => `${r.index}: ${r.reason}`).join('; ')}), computed ${summary.computed}, reused ${summary.reused}, ` +
    `${summary.secondsPerFrame.toFixed(2)} s/frame, wall ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`label-nacl: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
