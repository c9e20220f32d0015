/**
 * VASP output readers: throughput of OUTCAR and vasprun.xml reading (whole file, and streamed frame by frame with the
 * largest heap seen) on synthetic files of ~100 MB (10 MB with --quick), cached in os.tmpdir(). Layout as VASP 6
 * writes it: 96 ions (Zr32 O64), per ionic step 12 SCF iterations of ~30 lines, stress, lattice, POSITION/TOTAL-FORCE
 * and FREE ENERGIE blocks (OUTCAR); per calculation 12 scsteps, structure, forces, stress, energy and 200 eigenvalue
 * lines (vasprun.xml).
 */
import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Rng } from '../src/core/index.js';
import { readFrames, readStructures } from '../src/host/index.js';
import type { BenchContext } from './harness.js';

const N = 96;
const f = (x: number, w: number, d: number) => x.toFixed(d).padStart(w);

function outcarStep(rng: Rng, k: number): string {
  const out: string[] = [];
  for (let it = 1; it <= 12; it++) {
    out.push(`----------------------------------------- Iteration${String(k).padStart(7)}(${String(it).padStart(4)})  ---------------------------------------`, '');
    for (let j = 0; j < 26; j++) out.push(`    POTLOK:  cpu time    0.0772: real time    0.0781`);
    out.push(`  free energy    TOTEN  =      ${f(-956.8 + rng.normal(), 14, 8)} eV`, '');
  }
  out.push('  in kB ' + Array.from({ length: 6 }, () => f(rng.normal() * 100, 12, 5)).join(''), '');
  out.push('      direct lattice vectors                 reciprocal lattice vectors');
  for (let r = 0; r < 3; r++) out.push('    ' + [0, 1, 2].map((c) => f(c === r ? 10.3 : 0.01 * rng.normal(), 13, 9)).join('') + '     0.096758587  0.000000000  0.000000000');
  out.push('', '', ' POSITION                                       TOTAL-FORCE (eV/Angst)', ' -----------------------------------------------------------------------------------');
  for (let a = 0; a < N; a++) out.push([0, 1, 2].map(() => f(rng.range(0, 10), 13, 5)).join('') + '    ' + [0, 1, 2].map(() => f(rng.normal(), 14, 6)).join(''));
  out.push(' -----------------------------------------------------------------------------------', '', '');
  out.push('  FREE ENERGIE OF THE ION-ELECTRON SYSTEM (eV)', '  ---------------------------------------------------');
  out.push(`  free  energy   TOTEN  =      ${f(-956.8 + rng.normal(), 14, 8)} eV`, '');
  out.push(`  energy  without entropy=     ${f(-956.8, 14, 8)}  energy(sigma->0) =     ${f(-956.8, 14, 8)}`, '', '');
  return out.join('\n') + '\n';
}

function vasprunCalc(rng: Rng): string {
  const v = (xs: number[]) => `<v>${xs.map((x) => f(x, 17, 8)).join('')} </v>`;
  const out: string[] = [' <calculation>'];
  for (let it = 0; it < 12; it++) out.push('  <scstep>', '   <energy>', `    <i name="e_fr_energy"> ${f(-956 + rng.normal(), 15, 8)} </i>`, `    <i name="e_wo_entrp"> ${f(-956, 15, 8)} </i>`, `    <i name="e_0_energy"> ${f(-956, 15, 8)} </i>`, '   </energy>', '  </scstep>');
  out.push('  <structure>', '   <crystal>', '    <varray name="basis" >');
  for (let r = 0; r < 3; r++) out.push('     ' + v([0, 1, 2].map((c) => (c === r ? 10.3 : 0))));
  out.push('    </varray>', '   </crystal>', '   <varray name="positions" >');
  for (let a = 0; a < N; a++) out.push('    ' + v([rng.range(0, 1), rng.range(0, 1), rng.range(0, 1)]));
  out.push('   </varray>', '  </structure>', '  <varray name="forces" >');
  for (let a = 0; a < N; a++) out.push('   ' + v([rng.normal(), rng.normal(), rng.normal()]));
  out.push('  </varray>', '  <varray name="stress" >');
  for (let r = 0; r < 3; r++) out.push('   ' + v([rng.normal(), rng.normal(), rng.normal()]));
  out.push('  </varray>', '  <energy>', `   <i name="e_fr_energy"> ${f(-956 + rng.normal(), 15, 8)} </i>`, '  </energy>', '  <eigenvalues>');
  for (let b = 0; b < 200; b++) out.push(`       <r> ${f(rng.normal() * 10, 9, 4)}    1.0000 </r>`);
  out.push('  </eigenvalues>', ' </calculation>');
  return out.join('\n') + '\n';
}

function outcarHeader(): string {
  return ' vasp.6.1.0 28Jan20 (build Oct 04 2020 12:36:30) complex\n POTCAR:    PAW_PBE Zr_sv 04Jan2005\n POTCAR:    PAW_PBE O_s 07Sep2000\n' +
    ' POTCAR:    PAW_PBE Zr_sv 04Jan2005\n POTCAR:    PAW_PBE O_s 07Sep2000\n   ions per type =              32  64\n\n';
}

function vasprunHeader(): string {
  const rows = Array.from({ length: N }, (_, a) => `    <rc><c>${a < 32 ? 'Zr' : 'O '}</c><c>   ${a < 32 ? 1 : 2}</c></rc>`).join('\n');
  return `<?xml version="1.0" encoding="ISO-8859-1"?>\n<modeling>\n <atominfo>\n  <array name="atoms" >\n   <set>\n${rows}\n   </set>\n  </array>\n </atominfo>\n`;
}

function ensure(path: string, targetMB: number, head: string, block: (rng: Rng, k: number) => string, tail: string): void {
  if (existsSync(path)) return;
  const rng = new Rng(3);
  const blocks = Array.from({ length: 20 }, (_, k) => block(rng, k + 1));
  const per = blocks.reduce((a, b) => a + b.length, 0) / blocks.length;
  const count = Math.max(1, Math.round((targetMB * 1e6) / per));
  const parts = [head];
  for (let k = 0; k < count; k++) parts.push(blocks[k % blocks.length]);
  parts.push(tail);
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, parts.join(''));
  renameSync(tmp, path);
}

async function measure(ctx: BenchContext, name: string, path: string): Promise<void> {
  const mb = statSync(path).size / 1e6;
  let t0 = performance.now();
  const c0 = process.cpuUsage();
  const n = readStructures(path).length;
  const tr = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  ctx.report(`${name} read (${n} frames, ${mb.toFixed(0)} MB)`, mb / tr, 'MB/s', `${(mb / ((cpu.user + cpu.system) / 1e6)).toFixed(0)} MB per CPU-second (wall time suffers on a loaded machine)`);
  globalThis.gc?.();
  const base = process.memoryUsage().heapUsed;
  let peak = 0, k = 0;
  t0 = performance.now();
  for await (const _ of readFrames(path)) if (++k % 50 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - base);
  const ts = (performance.now() - t0) / 1000;
  ctx.report(`${name} stream`, mb / ts, 'MB/s', `largest heap growth seen ${(peak / 1e6).toFixed(0)} MB`);
}

export async function run(ctx: BenchContext): Promise<void> {
  const mb = ctx.quick ? 10 : 100;
  const outcar = join(tmpdir(), `ff-bench-outcar-${mb}`);
  ensure(outcar, mb, outcarHeader(), outcarStep, ' General timing and accounting informations for this job:\n');
  await measure(ctx, 'OUTCAR', outcar);
  const vasprun = join(tmpdir(), `ff-bench-vasprun-${mb}.xml`);
  ensure(vasprun, mb, vasprunHeader(), (rng) => vasprunCalc(rng), '</modeling>\n');
  await measure(ctx, 'vasprun.xml', vasprun);
}
