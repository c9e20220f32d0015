/**
 * `farfield label --scheduler … --array-size 2` on 6 frames of data/nacl-liquid-xtb-md.xyz: the same file (byte for
 * byte) as a local run; a chunk with a bad frame fails with its stderr tail shown and no output written; after the
 * input is fixed, `--resume` re-submits only that chunk. Shared by labelCluster.test.ts (local processes) and
 * labelCluster.nightly.test.ts (real sbatch).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInputs, saveStructures } from '../../src/api/index.js';
import { makeStructure, type Structure } from '../../src/core/index.js';
import { runCli } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/paths.js';

export const LABEL_DATA = join(REPO_ROOT, 'data', 'nacl-liquid-xtb-md.xyz');
export function chunkedLabelRun(scheduler: 'local' | 'slurm'): void {
  const dir = mkdtempSync(join(tmpdir(), 'ff-label-cl-'));
  try {
    const frames = loadInputs(LABEL_DATA).structures.slice(0, 6);
    const input = join(dir, 'in.xyz');
    saveStructures(input, frames);
    assert.equal(runCli(['label', '--engine', 'fumi-tosi', input, '-o', join(dir, 'local.xyz')]).code, 0);
    const expected = readFileSync(join(dir, 'local.xyz'), 'utf8');

    const r = runCli(['label', '--engine', 'fumi-tosi', input, '-o', join(dir, 'cl.xyz'), '--scheduler', scheduler, '--array-size', '2']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /6\/6 frames labelled with fumi-tosi in 2 chunk\(s\) \(2 submitted\)/);
    assert.equal(readFileSync(join(dir, 'cl.xyz'), 'utf8'), expected);

    // frame 3 (chunk 1 = frames 3–5) holds an argon atom the Fumi–Tosi potential does not know
    const bad: Structure[] = frames.slice();
    const f3 = frames[3];
    bad[3] = makeStructure({ cell: f3.cell, pbc: f3.pbc, positions: f3.positions, symbols: Array.from(f3.species, (t, i) => (i === 0 ? 'Ar' : f3.symbols[t])) });
    const badInput = join(dir, 'bad.xyz');
    saveStructures(badInput, bad);
    const out = join(dir, 'resumed.xyz');
    const w = join(dir, 'work');
    const f = runCli(['label', '--engine', 'fumi-tosi', badInput, '-o', out, '--scheduler', scheduler, '--array-size', '2', '--workdir', w]);
    assert.equal(f.code, 1);
    assert.match(f.err, /label: task 1 failed \(exit 1\); stderr/);
    assert.match(f.err, /no pair parameters for Ar-Ar/); // the task's stderr tail
    assert.match(f.err, /farfield: error: label: 1 task\(s\) failed \(1\); .*\[chunk 1: frames 3–5\]; fix the cause and rerun with --resume/);
    assert.ok(!existsSync(out), 'nothing written while a chunk failed');

    saveStructures(badInput, frames); // the user fixes the frame
    const g = runCli(['label', '--engine', 'fumi-tosi', badInput, '-o', out, '--scheduler', scheduler, '--array-size', '2', '--workdir', w, '--resume']);
    assert.equal(g.code, 0, g.err);
    assert.match(g.err, /resuming: 1 of 2 chunk\(s\) to run \(1\)/);
    assert.match(g.out, /\(1 submitted\)/);
    assert.equal(readFileSync(out, 'utf8'), expected);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
