/**
 * GFN1-xTB molecular dynamics of NaCl (liquid or rock salt) with CP2K's own MD (NVT, CSVR thermostat), and conversion
 * of CP2K's trajectory to extended XYZ (ASE conventions) — the same-method reference trajectories for RDF checks
 * (issue 8) and for the on-the-fly learner's held-out frames (issue 15).
 *
 *   node --import tsx scripts/data/xtb-md.ts run <configs.xyz> <frame> <workdir> <out.xyz> [steps] [np] [nice] [temperatureK]
 *   node --import tsx scripts/data/xtb-md.ts convert <workdir> <out.xyz>
 *
 * `run` writes `<workdir>/in.inp` (src/reference/cp2k `cp2kInput`: the project's GFN1-xTB settings plus the `md`
 * option; 2 fs, at [temperatureK] if given, else the frame's `temperature_K`, else 1200 K; CSVR 100 fs, seed 1, output every 10 steps), runs
 * `mpirun -np <np> cp2k.psmp` in the work directory, and converts when CP2K exits. Resume: if the work directory
 * already holds `cp2k-1.restart`, CP2K is restarted from it (`&EXT_RESTART`, counters included) for the steps still
 * missing to reach `steps` in total, appending to the same trajectory and energy files (checked with CP2K 2023.1); the
 * previous output is kept as `out.out.<n>`. The cell is fixed (NVT) and
 * taken from the starting frame. `config_type` is the start frame's with `-xtb-md` appended (`nacl-liquid-xtb-md`).
 * `convert` can run at any time (also while CP2K runs) and writes every complete printed frame.
 *
 * Conversions: CP2K's `cp2k-pos-1.xyz` positions are Å (unwrapped, as integrated), its comment line's `E` is the
 * potential energy in Hartree (× HARTREE_EV); `cp2k-frc-1.xyz` forces are Hartree/Bohr (× HARTREE_EV / BOHR_A → eV/Å);
 * `cp2k-1.ener` gives the instantaneous kinetic temperature per step. Steps printed twice (possible when a run was
 * killed between printing a frame and writing its restart file) keep their last occurrence.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BOHR_A, HARTREE_EV, makeStructure, type Structure } from '../../src/core/index.js';
import { cp2kInput, runCp2k, type Cp2kMdOptions } from '../../src/reference/cp2k/index.js';
import { frameToExtxyz, readExtxyzLite } from './extxyz-lite.js';

const TIMESTEP_FS = 2;
const THERMOSTAT_FS = 100;
const SEED = 1;
const PRINT_EVERY = 10;

interface XyzFrame {
  step: number;
  timeFs: number;
  energyHa: number;
  symbols: string[];
  values: number[];
}

/** CP2K XYZ trajectory frames (`i = <step>, time = <fs>, E = <Ha>` comment lines); an incomplete last frame is dropped. */
function readCp2kXyz(path: string): XyzFrame[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n');
  const out: XyzFrame[] = [];
  let k = 0;
  while (k < lines.length && lines[k].trim() !== '') {
    const n = Number(lines[k].trim());
    if (!Number.isInteger(n) || k + 2 + n > lines.length) break;
    const m = /i =\s*(\d+),\s*time =\s*([-\d.Ee+]+),\s*E =\s*([-\d.Ee+]+)/.exec(lines[k + 1]);
    if (!m) throw new Error(`${path}: unexpected comment line ${lines[k + 1]}`);
    const symbols: string[] = [];
    const values: number[] = [];
    let ok = true;
    for (let i = 0; i < n; i++) {
      const t = lines[k + 2 + i].trim().split(/\s+/);
      if (t.length < 4) { ok = false; break; }
      symbols.push(t[0]);
      values.push(Number(t[1]), Number(t[2]), Number(t[3]));
    }
    if (!ok || values.some((v) => !Number.isFinite(v))) break;
    out.push({ step: Number(m[1]), timeFs: Number(m[2]), energyHa: Number(m[3]), symbols, values });
    k += n + 2;
  }
  return out;
}

/** step → instantaneous temperature (K) from `cp2k-1.ener` (columns: step, time fs, kin Ha, T K, pot Ha, cons Ha, s). */
function readEner(path: string): Map<number, number> {
  const t = new Map<number, number>();
  if (!existsSync(path)) return t;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const c = line.trim().split(/\s+/).map(Number);
    if (c.length >= 4 && Number.isFinite(c[3])) t.set(c[0], c[3]);
  }
  return t;
}

const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;

interface RunMeta {
  cell: number[];
  configType?: string;
  temperatureK: number;
  densityGcm3?: number;
  sourceIndex: number;
  seed: number;
  cp2kVersion?: string;
}

function convert(workdir: string, out: string): number {
  const meta = JSON.parse(readFileSync(join(workdir, 'meta.json'), 'utf8')) as RunMeta;
  const outFile = join(workdir, 'out.out');
  meta.cp2kVersion ??= existsSync(outFile) ? /CP2K\| version string:\s*(.+)/.exec(readFileSync(outFile, 'utf8'))?.[1].trim() : undefined;
  const pos = readCp2kXyz(join(workdir, 'cp2k-pos-1.xyz'));
  const frc = new Map(readCp2kXyz(join(workdir, 'cp2k-frc-1.xyz')).map((f) => [f.step, f]));
  const temps = readEner(join(workdir, 'cp2k-1.ener'));
  // A run killed after printing a frame but before writing its restart file prints that step again on resume: keep
  // the last occurrence of every step (the one the continuation belongs to), in step order.
  const byStep = new Map(pos.map((p) => [p.step, p]));
  const frames: Structure[] = [];
  for (const p of [...byStep.values()].sort((a, b) => a.step - b.step)) {
    const f = frc.get(p.step);
    const info: Structure['info'] = {
      config_type: `${meta.configType ?? 'nacl-liquid'}-xtb-md`, label_method: 'cp2k-gfn1-xtb-md', ...(meta.cp2kVersion ? { label_code: meta.cp2kVersion } : {}),
      temperature_K: meta.temperatureK, ...(meta.densityGcm3 !== undefined ? { density_g_cm3: meta.densityGcm3 } : {}),
      step: p.step, time_ps: r6(p.timeFs / 1000), seed: meta.seed, source_index: meta.sourceIndex,
    };
    const tk = temps.get(p.step);
    if (tk !== undefined) info.kinetic_temperature_K = Math.round(tk * 100) / 100;
    const s = makeStructure({ symbols: p.symbols, positions: p.values.map(r6), cell: meta.cell, pbc: true, info });
    // Energy and forces belong together: only frames with both (same step) carry labels.
    if (f && f.symbols.join() === p.symbols.join()) {
      s.labels.energyEv = p.energyHa * HARTREE_EV;
      s.labels.forcesEvPerA = Float64Array.from(f.values, (v) => r6((v * HARTREE_EV) / BOHR_A));
    }
    frames.push(s);
  }
  writeFileSync(out + '.tmp', frames.map(frameToExtxyz).join(''));
  renameSync(out + '.tmp', out);
  return frames.length;
}

async function run(configs: string, frame: number, workdir: string, out: string, steps: number, np: number, nice: number,
  temperatureOverrideK?: number): Promise<void> {
  const all = readExtxyzLite(configs);
  const start = all[frame];
  if (!start) throw new Error(`${configs} has ${all.length} frames, no frame ${frame}`);
  mkdirSync(workdir, { recursive: true });
  const temperatureK = temperatureOverrideK ?? (typeof start.info.temperature_K === 'number' ? start.info.temperature_K : 1200);
  const restart = join(workdir, 'cp2k-1.restart');
  const resuming = existsSync(restart);
  // CP2K's STEPS counts the steps of this run; the restart file's STEP_START_VAL is the step it continues from.
  const done = resuming ? Number(/STEP_START_VAL\s+(\d+)/.exec(readFileSync(restart, 'utf8'))?.[1] ?? 0) : 0;
  if (done >= steps) {
    process.stderr.write(`${workdir}: already at step ${done} of ${steps}; converting only\n`);
    process.stderr.write(`wrote ${convert(workdir, out)} frames to ${out}\n`);
    return;
  }
  const md: Cp2kMdOptions = { steps: steps - done, timestepFs: TIMESTEP_FS, temperatureK, thermostatTimeConstantFs: THERMOSTAT_FS, seed: SEED,
    printEvery: PRINT_EVERY, ...(resuming ? { restartFile: 'cp2k-1.restart' } : {}) };
  if (resuming) {
    const n = readdirSync(workdir).filter((f) => f.startsWith('out.out')).length;
    if (existsSync(join(workdir, 'out.out'))) renameSync(join(workdir, 'out.out'), join(workdir, `out.out.${n}`));
  }
  writeFileSync(join(workdir, 'in.inp'), cp2kInput(start, { method: 'gfn1-xtb', md }));
  const meta: RunMeta = { cell: Array.from(start.cell), temperatureK, sourceIndex: frame, seed: SEED,
    ...(typeof start.info.config_type === 'string' ? { configType: start.info.config_type } : {}),
    ...(typeof start.info.density_g_cm3 === 'number' ? { densityGcm3: start.info.density_g_cm3 } : {}) };
  writeFileSync(join(workdir, 'meta.json'), JSON.stringify(meta, null, 1));
  process.stderr.write(`[${new Date().toISOString()}] ${resuming ? `resuming at step ${done}` : 'starting'} CP2K MD in ${workdir}: to step ${steps}\n`);
  const info = await runCp2k(workdir, 'in.inp', 'out.out', { np, nice });
  const text = readFileSync(join(workdir, 'out.out'), 'utf8');
  const version = /CP2K\| version string:\s*(.+)/.exec(text)?.[1].trim();
  if (version) writeFileSync(join(workdir, 'meta.json'), JSON.stringify({ ...meta, cp2kVersion: version }, null, 1));
  const notConverged = (text.match(/SCF run NOT converged/g) ?? []).length;
  const n = convert(workdir, out);
  process.stderr.write(`[${new Date().toISOString()}] CP2K exit ${info.exitCode} after ${info.seconds.toFixed(0)} s; ` +
    `${notConverged} unconverged SCF; wrote ${n} frames to ${out}\n${info.exitCode !== 0 ? info.stderr : ''}`);
}

async function main(): Promise<void> {
  const [cmd, ...a] = process.argv.slice(2);
  if (cmd === 'run' && a.length >= 4) {
    await run(a[0], Number(a[1]), resolve(a[2]), resolve(a[3]), Number(a[4] ?? 3000), Number(a[5] ?? 1), Number(a[6] ?? 5),
      a[7] === undefined ? undefined : Number(a[7]));
  } else if (cmd === 'convert' && a.length === 2) {
    process.stderr.write(`wrote ${convert(resolve(a[0]), resolve(a[1]))} frames\n`);
  } else {
    throw new Error('usage: xtb-md.ts run <configs.xyz> <frame> <workdir> <out.xyz> [steps] [np] [nice] [temperatureK] | convert <workdir> <out.xyz>');
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`xtb-md: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
