/**
 * Labelling pipeline: CP2K energy, forces and stress for a list of frames, resumable.
 *
 * Work-directory layout: `<workdir>/frame-00012/{in.inp,out.out,result.json[,cp2k-RESTART.wfn]}`, one directory per
 * input frame (index in the input list). A frame whose `result.json` exists is not recomputed (resume); the JSON holds
 * a fingerprint of the frame (method, cell, species, positions), and a mismatch stops the run instead of mixing two
 * inputs. A CP2K run that is killed leaves no `result.json`, so it is redone on the next start.
 *
 * Quality gate for every frame: SCF converged and |Σ_i F_i| / N < `maxNetForcePerAtom` (default 1e-3 eV/Å); other
 * frames are rejected (recorded in result.json with the reason, left out of the output, and reported).
 * PBE: each frame's SCF starts from the wavefunction of the last accepted frame (`SCF_GUESS RESTART`); only that one
 * `.wfn` file is kept.
 * A lock file `<workdir>/.lock` (holding the process id) keeps two labelling processes out of one work directory; a
 * lock whose process no longer exists is taken over.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FarfieldError, cloneStructure, noProgress, type ProgressCallback, type Structure } from '../../core/index.js';
import { CP2K_PROJECT, cp2kInput, type Cp2kMethod } from './input.js';
import { netForcePerAtom, parseCp2kOutput } from './output.js';
import { runCp2k, type Cp2kRunOptions } from './runner.js';

export interface Cp2kLabelOptions extends Cp2kRunOptions {
  method: Cp2kMethod;
  /** Work directory (created); holds one sub-directory per frame. */
  workdir: string;
  /** Quality gate, eV/Å (default 1e-3). */
  maxNetForcePerAtom?: number;
  /** PBE: Cl basis (default DZVP). */
  chlorineBasis?: 'DZVP' | 'TZVP';
  /** PBE: density cutoff, Ry (default 400). */
  cutoffRy?: number;
  /** SCF threshold (default 1e-6). */
  epsScf?: number;
  onProgress?: ProgressCallback;
  /** Called after every frame (computed or reused) with the labelled frames so far, in input order. */
  onFrame?: (labelled: Structure[], rejected: RejectedFrame[]) => void;
}

export interface RejectedFrame {
  index: number;
  reason: string;
}

export interface FrameResult {
  version: 1;
  index: number;
  fingerprint: string;
  method: Cp2kMethod;
  status: 'accepted' | 'rejected';
  reason?: string;
  energyEv: number;
  forcesEvPerA: number[];
  stressEvPerA3?: number[];
  netForcePerAtom: number;
  scfSteps?: number;
  seconds: number;
  cp2kVersion?: string;
}

export interface Cp2kLabelSummary {
  labelled: Structure[];
  rejected: RejectedFrame[];
  /** Frames computed in this call / reused from the work directory. */
  computed: number;
  reused: number;
  /** Mean wall time per computed frame, s. */
  secondsPerFrame: number;
}

export function frameFingerprint(s: Structure, method: Cp2kMethod, extra = ''): string {
  const h = createHash('sha256');
  h.update(`${method}|${extra}|`);
  h.update(Buffer.from(s.cell.buffer, s.cell.byteOffset, s.cell.byteLength));
  h.update(Buffer.from(s.positions.buffer, s.positions.byteOffset, s.positions.byteLength));
  for (let i = 0; i < s.species.length; i++) h.update(s.symbols[s.species[i]] + ',');
  return h.digest('hex').slice(0, 16);
}

export function frameDir(workdir: string, index: number): string {
  return join(workdir, `frame-${String(index).padStart(5, '0')}`);
}

/** The labelled frame: a copy of the input with CP2K's energy, forces and stress and provenance in `info`. */
export function applyResult(s: Structure, r: FrameResult): Structure {
  const out = cloneStructure(s);
  out.labels = { energyEv: r.energyEv, forcesEvPerA: Float64Array.from(r.forcesEvPerA) };
  if (r.stressEvPerA3) out.labels.stressEvPerA3 = Float64Array.from(r.stressEvPerA3);
  out.info.label_method = `cp2k-${r.method}`;
  if (r.cp2kVersion) out.info.label_code = r.cp2kVersion;
  out.info.source_index = r.index;
  return out;
}

function readResult(path: string): FrameResult {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as FrameResult;
  } catch (e) {
    throw new FarfieldError('PARSE', `cannot read frame result (delete it to recompute): ${(e as Error).message}`, { file: path });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take the work-directory lock or throw; returns the release function. */
function lockWorkdir(workdir: string): () => void {
  const path = join(workdir, '.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid))
        throw new FarfieldError('INVALID_INPUT', `work directory ${workdir} is in use by process ${pid} (remove ${path} if that is wrong)`);
      rmSync(path, { force: true });
    }
  }
  throw new FarfieldError('IO', `cannot lock work directory ${workdir}`);
}

/** Label `frames` with CP2K; resumes from `options.workdir`. */
export async function labelWithCp2k(frames: readonly Structure[], options: Cp2kLabelOptions): Promise<Cp2kLabelSummary> {
  const workdir = resolve(options.workdir);
  mkdirSync(workdir, { recursive: true });
  const release = lockWorkdir(workdir);
  try {
    return await labelLocked(frames, options, workdir);
  } finally {
    release();
  }
}

async function labelLocked(frames: readonly Structure[], options: Cp2kLabelOptions, workdir: string): Promise<Cp2kLabelSummary> {
  const gate = options.maxNetForcePerAtom ?? 1e-3;
  const progress = options.onProgress ?? noProgress;
  const extra = (options.method === 'pbe' ? `${options.chlorineBasis ?? 'DZVP'}|${options.cutoffRy ?? 400}` : '') +
    (options.epsScf !== undefined ? `|eps${options.epsScf}` : '');
  const results: (FrameResult | undefined)[] = new Array(frames.length);
  let lastWfn: string | undefined;
  let computed = 0, reused = 0, seconds = 0;

  const emit = (): void => {
    if (!options.onFrame) return;
    const labelled: Structure[] = [];
    const rejected: RejectedFrame[] = [];
    results.forEach((r, i) => {
      if (!r) return;
      if (r.status === 'accepted') labelled.push(applyResult(frames[i], r));
      else rejected.push({ index: i, reason: r.reason ?? 'rejected' });
    });
    options.onFrame(labelled, rejected);
  };

  for (let i = 0; i < frames.length; i++) {
    const s = frames[i];
    const dir = frameDir(workdir, i);
    const resultPath = join(dir, 'result.json');
    const fp = frameFingerprint(s, options.method, extra);
    if (existsSync(resultPath)) {
      const r = readResult(resultPath);
      if (r.fingerprint !== fp)
        throw new FarfieldError('INVALID_INPUT', `work directory holds a different frame ${i} (fingerprint ${r.fingerprint}, this input ${fp}); use another --workdir`, { file: resultPath });
      results[i] = r;
      reused++;
      const wfn = join(dir, `${CP2K_PROJECT}-RESTART.wfn`);
      if (r.status === 'accepted' && existsSync(wfn)) lastWfn = wfn;
      progress({ phase: 'label', done: i + 1, total: frames.length, message: `frame ${i}: reused (${r.status})` });
      emit();
      continue;
    }
    mkdirSync(dir, { recursive: true });
    const input = cp2kInput(s, {
      method: options.method,
      ...(options.method === 'pbe' && lastWfn ? { restartWfnPath: lastWfn } : {}),
      ...(options.chlorineBasis ? { chlorineBasis: options.chlorineBasis } : {}),
      ...(options.cutoffRy ? { cutoffRy: options.cutoffRy } : {}),
      ...(options.epsScf ? { epsScf: options.epsScf } : {}),
    });
    writeFileSync(join(dir, 'in.inp'), input);
    rmSync(join(dir, 'out.out'), { force: true });
    const run = await runCp2k(dir, 'in.inp', 'out.out', options);
    const outPath = join(dir, 'out.out');
    const text = existsSync(outPath) ? readFileSync(outPath, 'utf8') : '';
    if (run.exitCode !== 0) {
      const tail = text.split('\n').filter((l) => /ERROR|error|Abort/.test(l)).slice(-3).join(' | ') || run.stderr.trim().split('\n').slice(-3).join(' | ');
      throw new FarfieldError('EXTERNAL', `CP2K failed on frame ${i} (exit ${run.exitCode}) in ${dir}: ${tail}`);
    }
    const p = parseCp2kOutput(text, outPath);
    const n = s.species.length;
    if (p.forceSymbols.length !== n || p.forceSymbols.some((sym, k) => sym !== s.symbols[s.species[k]]))
      throw new FarfieldError('EXTERNAL', `CP2K output of frame ${i} lists ${p.forceSymbols.length} atoms that do not match the input`, { file: outPath });
    const net = netForcePerAtom(p.forcesEvPerA);
    let reason: string | undefined;
    if (!p.scfConverged) reason = 'SCF not converged';
    else if (!(net < gate)) reason = `net force per atom ${net.toExponential(2)} eV/Å ≥ ${gate} eV/Å`;
    else if (!p.stressEvPerA3) reason = 'no analytical stress in the output';
    const r: FrameResult = {
      version: 1, index: i, fingerprint: fp, method: options.method, status: reason ? 'rejected' : 'accepted',
      energyEv: p.energyEv, forcesEvPerA: Array.from(p.forcesEvPerA), netForcePerAtom: net, seconds: run.seconds,
    };
    if (reason) r.reason = reason;
    if (p.stressEvPerA3) r.stressEvPerA3 = Array.from(p.stressEvPerA3);
    if (p.scfSteps !== undefined) r.scfSteps = p.scfSteps;
    if (p.version) r.cp2kVersion = p.version;
    writeFileSync(resultPath + '.tmp', JSON.stringify(r));
    renameSync(resultPath + '.tmp', resultPath);
    results[i] = r;
    computed++;
    seconds += run.seconds;
    const wfn = join(dir, `${CP2K_PROJECT}-RESTART.wfn`);
    if (options.method === 'pbe' && !reason && existsSync(wfn)) {
      if (lastWfn && lastWfn !== wfn) rmSync(lastWfn, { force: true });
      lastWfn = wfn;
    } else if (reason) rmSync(wfn, { force: true });
    progress({
      phase: 'label', done: i + 1, total: frames.length,
      message: `frame ${i}: ${r.status}${reason ? ` (${reason})` : ''}, ${run.seconds.toFixed(1)} s, SCF ${p.scfSteps ?? '-'} steps`,
    });
    emit();
  }
  const labelled: Structure[] = [];
  const rejected: RejectedFrame[] = [];
  results.forEach((r, i) => {
    if (r?.status === 'accepted') labelled.push(applyResult(frames[i], r));
    else if (r) rejected.push({ index: i, reason: r.reason ?? 'rejected' });
  });
  return { labelled, rejected, computed, reused, secondsPerFrame: computed > 0 ? seconds / computed : 0 };
}
