/**
 * Where the normal-equation phase of a fit spends its time (issue 17 goal 6): CPU ms per structure of each part of
 * one structure's contribution, on this thread only (no worker, no linalg helper thread), for the NaCl liquid xTB
 * sr+lr fit with 1000 references per species.
 *
 *   node --import tsx scripts/profile-fit-normal.ts [frames for the selection = 300] [structures timed = 3] [repeats = 3]
 *
 * Parts: forward descriptor (recomputed in the phase), designBlock (everything for the rows: kernel matrix, factored
 * upstream, the descriptor's reverse pass incl. its per-structure Jacobian caches, the row fill), syrk + gemv; then,
 * on the caches designBlock left (the descriptor's per-structure Jacobians): designBlock again, once more without the
 * angular block's pair Jacobians (rebuilt: its difference to 'again' is their build), the reverse pass alone
 * and its blocks; for the angular block also the pass on a state without its pair Jacobians (rebuilt in the pass),
 * with the wasm kernels and with a TS-kernel twin (A/B in this process; the difference to the cached pass is the
 * Jacobian build). Setup (descriptors, selection) is not timed.
 */
import { readFileSync } from 'node:fs';
import { parseXyzText } from '../src/io/index.js';
import { resolveDescriptor } from '../src/api/index.js';
import { ComputeContext, factoredUpstream, upstreamColumns, type Descriptor } from '../src/descriptors/index.js';
import { AngularDescriptor } from '../src/descriptors/shortRange/index.js';
import type { AngularSaved } from '../src/descriptors/shortRange/angular.js';
import { getLinalg, setHelperSpawner } from '../src/math/index.js';
import {
  DesignWorkspace, ReferenceSet, computeFeatures, createKernel, designBlock, fitRowScaling, gatherRows, groupAtoms, normalEquationsJob,
  selectFitReferences, setupFit,
} from '../src/model/index.js';

setHelperSpawner(() => null);
const [frames, timed, reps] = [Number(process.argv[2] ?? 300), Number(process.argv[3] ?? 3), Number(process.argv[4] ?? 3)];
const file = new URL('../data/nacl-liquid-xtb.xyz', import.meta.url);
const structures = parseXyzText(readFileSync(file, 'utf8'), 'nacl-liquid-xtb.xyz').slice(0, frames);
const config = { descriptor: resolveDescriptor('sr+lr', ['Na', 'Cl']), selection: { count: 1000 } };
const setup = setupFit(structures, config);
const refsFit = selectFitReferences(structures, computeFeatures(structures, setup.descriptor), setup, config);
const job = normalEquationsJob(structures, setup, refsFit, fitRowScaling(structures, setup), config);
const desc = refsFit.descriptor as Descriptor & { blocks?: (Descriptor & { blocks?: Descriptor[]; weights?: number[] })[]; weights?: number[] };
const refs = new ReferenceSet(createKernel(job.kernel), job.species, job.refFeatures.slice(), job.width);
const la = getLinalg('auto', { threads: 1 });
const m = refs.nColumns, ata = new Float64Array(m * m), atb = new Float64Array(m);
const cpu = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1e3; };
const T = new Map<string, number>();
const add = (k: string, t0: number): void => { T.set(k, (T.get(k) ?? 0) + cpu() - t0); };
const ws = new DesignWorkspace();
const tsTwins = new Map<Descriptor, AngularDescriptor>();
for (let r = 0; r < reps; r++)
  for (const s of structures.slice(0, timed)) {
    let t0 = cpu();
    const ctx = new ComputeContext(s);
    const out = desc.compute(s, ctx);
    add('forward descriptor', t0);
    t0 = cpu();
    const blk = designBlock(s, desc, ctx, out.features.data, out.saved, refs, job.scaling, job.opts, ws);
    add('designBlock (all rows)', t0);
    t0 = cpu();
    designBlock(s, desc, ctx, out.features.data, out.saved, refs, job.scaling, job.opts, ws);
    add('designBlock again (caches kept)', t0);
    const angSaved = ((out.saved as unknown[][])[0]?.[1] ?? {}) as Partial<AngularSaved>;
    if (angSaved.jacobian) {
      delete angSaved.jacobian;
      t0 = cpu();
      designBlock(s, desc, ctx, out.features.data, out.saved, refs, job.scaling, job.opts, ws);
      add('designBlock, angular Jacobians dropped', t0);
    }
    t0 = cpu();
    la.syrkAccumulate(blk.phi, blk.rows, m, ata);
    la.gemvTransposeAccumulate(blk.phi, blk.rows, m, blk.y, atb);
    add('syrk + gemv', t0);
    const groups = groupAtoms(s, refs.species), n = s.species.length, d = refs.width;
    for (let t = 0; t < refs.species.length; t++) {
      const atoms = groups.atoms[t];
      t0 = cpu();
      const a = refs.kernel.prepare(gatherRows(out.features.data, d, atoms), atoms.length, d);
      const kmat = refs.kernel.matrix(a, refs.prepared[t]);
      add('  kernel matrix', t0);
      t0 = cpu();
      const up = factoredUpstream(refs.kernel.factoredGradient!(a, refs.prepared[t], 0, refs.counts[t], kmat, atoms, n));
      add('  factored upstream', t0);
      t0 = cpu();
      desc.vjp(s, ctx, out.saved, up);
      add('  reverse pass (cached Jacobians)', t0);
      // the blocks of 'sr+lr' = composite(sr = composite(radial, angular), fkk)
      const sr = desc.blocks?.[0];
      if (!sr?.blocks || !desc.weights || !sr.weights) continue;
      const saved = out.saved as unknown[][];
      const subSr = upstreamColumns(up, n, d, 0, sr.width, Math.sqrt(desc.weights[0]));
      if (!subSr) continue;
      let off = 0;
      sr.blocks.forEach((b, k) => {
        const sub = upstreamColumns(subSr, n, sr.width, off, b.width, Math.sqrt(sr.weights![k]));
        off += b.width;
        if (!sub) return;
        const t1 = cpu();
        b.vjp(s, ctx, saved[0][k], sub);
        add(`    ${b.kind}`, t1);
        if (!(b instanceof AngularDescriptor)) return;
        const c = (saved[0][k] as AngularSaved).c;
        if (!tsTwins.has(b)) tsTwins.set(b, new AngularDescriptor(b.species, b.hypers, { kernels: 'ts' }));
        for (const [tag, dd] of [[b.kernels, b], ['ts', tsTwins.get(b)!]] as const) {
          const t2 = cpu();
          dd.vjp(s, ctx, { c }, sub);
          add(`    angular, Jacobians rebuilt (${tag})`, t2);
        }
      });
    }
  }
console.log(`per structure (CPU ms; ${timed} structures × ${reps}; selection on ${frames} frames; M = ${m})`);
for (const [k, v] of T) console.log(`${k.padEnd(36)} ${(v / reps / timed).toFixed(1)}`);
