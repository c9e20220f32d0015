/**
 * Library verbs for structure files: load, save, convert (streaming when both formats allow it) and summarise a
 * dataset (what `farfield info` prints). Statistics are accumulated frame by frame, so files of any size work.
 *
 * Summary definitions: energy per atom E/N over frames with an energy (mean, population std); |F| RMS =
 * sqrt(Σ|F_i|² / Σ N) over all atoms of frames with forces; |F| max over all atoms; net force per frame = |Σ_i F_i|.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { FarfieldError, type Structure } from '../core/index.js';
import { type FormatMeta } from '../io/index.js';
import { checkOutputFile, detectFormat, formatForWriting, readFrames, readStructuresWithMeta, writeStructures } from '../host/index.js';

export { formatNames, type FormatMeta, type MlabHeader } from '../io/index.js';
export { checkOutputFile, checkOutputDir, removeStaleTempFiles } from '../host/index.js';

export interface LoadOptions {
  format?: string;
}

/** Read every structure of a file (plus format side information such as the ML_AB header). */
export function loadStructures(path: string, options: LoadOptions = {}): { structures: Structure[]; meta: FormatMeta; format: string } {
  return readStructuresWithMeta(path, { format: options.format });
}

export interface SaveOptions {
  format?: string;
  meta?: FormatMeta;
}

/** Write structures atomically; format from the option or the file name. Returns the format used. */
export function saveStructures(path: string, structures: readonly Structure[], options: SaveOptions = {}): string {
  const f = formatForWriting(path, options.format);
  writeStructures(path, structures, { format: f.name, meta: options.meta });
  return f.name;
}

export interface ConvertOptions {
  from?: string;
  to?: string;
  /** Frames to keep, ASE's index syntax: '3', '-1', '10:', ':20', '::8', '5:100:5' (default: all). */
  index?: string;
}

/** A parsed frame index (ASE/Python slice semantics; negative values count from the end; steps > 0). */
export interface FrameIndex {
  start?: number;
  stop?: number;
  step: number;
  /** A single frame ('3', '-1') rather than a slice. */
  single: boolean;
}

/** Parse ASE's `index` syntax ('3', '-1', '::8', '10:50:2'). */
export function parseFrameIndex(spec: string): FrameIndex {
  const t = spec.trim();
  const int = (x: string, what: string): number | undefined => {
    if (x.trim() === '') return undefined;
    if (!/^[-+]?\d+$/.test(x.trim())) throw new FarfieldError('INVALID_INPUT', `frame index '${spec}': ${what} '${x}' is not an integer`);
    return Number(x);
  };
  if (!t.includes(':')) {
    const i = int(t, 'frame');
    if (i === undefined) throw new FarfieldError('INVALID_INPUT', 'frame index is empty');
    return { start: i, step: 1, single: true };
  }
  const parts = t.split(':');
  if (parts.length > 3) throw new FarfieldError('INVALID_INPUT', `frame index '${spec}': expected start:stop:step`);
  const step = int(parts[2] ?? '', 'step') ?? 1;
  if (step <= 0) throw new FarfieldError('INVALID_INPUT', `frame index '${spec}': the step must be positive`);
  return { start: int(parts[0], 'start'), stop: int(parts[1], 'stop'), step, single: false };
}

/** Whether the index needs the frame count (negative start/stop; a single frame, to report one that is missing). */
function needsCount(ix: FrameIndex): boolean {
  return ix.single || (ix.start ?? 0) < 0 || (ix.stop ?? 0) < 0;
}

/** Frame selector for a file of n frames (n may be Infinity when no negative values are involved). */
export function frameSelector(ix: FrameIndex, n: number, where = 'frame index'): (i: number) => boolean {
  const norm = (v: number) => (v < 0 ? v + n : v);
  if (ix.single) {
    const i = norm(ix.start as number);
    if (i < 0 || (Number.isFinite(n) && i >= n)) throw new FarfieldError('INVALID_INPUT', `${where}: frame ${ix.start} does not exist (${n} frames)`);
    return (k) => k === i;
  }
  const start = Math.max(0, ix.start === undefined ? 0 : norm(ix.start));
  const stop = ix.stop === undefined ? Infinity : Math.max(0, norm(ix.stop));
  return (k) => k >= start && k < stop && (k - start) % ix.step === 0;
}

export interface ConvertResult {
  frames: number;
  from: string;
  to: string;
  streamed: boolean;
}

/**
 * Write the frames of `source` that `keep` (frame number → bool) selects through an appending writer; on an error the
 * writer is aborted (its atomic write leaves nothing behind) and the error rethrown. Returns the frames written.
 */
export async function pipeFrames(
  source: AsyncIterable<Structure>, w: { write(s: Structure): void; close(): void; abort(): void }, keep: (k: number) => boolean,
): Promise<number> {
  let frames = 0, k = 0;
  try {
    for await (const s of source) if (keep(k++)) {
      w.write(s);
      frames++;
    }
  } catch (e) {
    w.abort();
    throw e;
  }
  w.close();
  return frames;
}

/** Convert a file (optionally a subset of its frames, `index`); streams frame by frame when the input can be
 * streamed and the output can be appended to. */
export async function convertFile(input: string, output: string, options: ConvertOptions = {}): Promise<ConvertResult> {
  const inF = detectFormat(input, options.from);
  const outF = formatForWriting(output, options.to);
  if (resolve(input) === resolve(output)) throw new FarfieldError('INVALID_INPUT', `input and output are the same file (${input})`);
  checkOutputFile(output);
  const ix = options.index === undefined ? null : parseFrameIndex(options.index);
  if (inF.stream && outF.openWriter) {
    let n = Infinity;
    if (ix && needsCount(ix)) {
      n = 0;
      for await (const _ of inF.stream(input)) n++;
    }
    const keep = ix ? frameSelector(ix, n, `${input}: frame index '${options.index}'`) : () => true;
    const frames = await pipeFrames(inF.stream(input), outF.openWriter(output), keep);
    return { frames, from: inF.name, to: outF.name, streamed: true };
  }
  const r = inF.read(input);
  const keep = ix ? frameSelector(ix, r.structures.length, `${input}: frame index '${options.index}'`) : () => true;
  const structures = r.structures.filter((_, k) => keep(k));
  outF.write(output, structures, r.meta);
  return { frames: structures.length, from: inF.name, to: outF.name, streamed: false };
}

export interface FrameAt {
  structure: Structure;
  /** Index of the frame (≥ 0). */
  index: number;
  /** Frames in the file (only when the whole file was scanned, else null). */
  frames: number | null;
  /** Every species symbol seen in the frames read (all of the file when scanned whole). */
  symbols: string[];
}

export interface FrameAtOptions extends LoadOptions {
  /** Read to the end even when the frame was found early (to count frames and collect species). */
  wholeFile?: boolean;
}

/**
 * One frame of a structure file, streamed (readFrames): memory holds the chosen frame only (for a negative index
 * −k, the last k frames), so files larger than a JavaScript string work. A non-negative index stops reading at that
 * frame unless `wholeFile`. Negative indices count from the end, as in ASE.
 */
export async function readFrameAt(path: string, frame = -1, options: FrameAtOptions = {}): Promise<FrameAt> {
  if (!Number.isInteger(frame)) throw new FarfieldError('INVALID_INPUT', `${path}: frame index must be an integer, got ${frame}`);
  const keepLast = frame < 0 ? -frame : 0;
  const ring: Structure[] = [];
  const symbols = new Set<string>();
  let chosen: Structure | null = null;
  let n = 0;
  for await (const s of readFrames(path, { format: options.format })) {
    for (const sym of s.symbols) symbols.add(sym);
    if (frame >= 0) {
      if (n === frame) chosen = s;
    } else {
      ring.push(s);
      if (ring.length > keepLast) ring.shift();
    }
    n++;
    if (chosen && !options.wholeFile) break;
  }
  if (n === 0) throw new FarfieldError('INVALID_INPUT', `${path}: no structures in file`);
  if (frame < 0 && ring.length === keepLast) chosen = ring[0];
  if (!chosen) throw new FarfieldError('INVALID_INPUT', `${path}: frame ${frame} does not exist (file has ${n} frame${n === 1 ? '' : 's'})`);
  const complete = frame < 0 || options.wholeFile === true;
  return { structure: chosen, index: frame >= 0 ? frame : n + frame, frames: complete ? n : null, symbols: [...symbols] };
}

export interface DatasetSummary {
  file: string;
  format: string;
  frames: number;
  atoms: { min: number; max: number; total: number };
  /** Atoms per species over the whole file, and the number of frames containing the species. */
  species: Record<string, { atoms: number; frames: number }>;
  /** How many frames carry each property (energy, forces, stress, charges, cell, and every info key / per-atom array). */
  properties: Record<string, number>;
  pbc: Record<string, number>;
  energyPerAtomEv: { mean: number; std: number; min: number; max: number } | null;
  forcesEvPerA: { rms: number; max: number; netMax: number; netMaxFrame: number } | null;
  /** Caveats of a third-party dataset (from SOURCE.md next to the file), if any. */
  caveats: { source: string; text: string } | null;
}

/** Stream a file (or several, read as one dataset: see `resolveInputs`) and summarise it (see module comment for the
 * definitions). */
export async function summarizeDataset(pathOrFiles: string | readonly string[], options: LoadOptions = {}): Promise<DatasetSummary> {
  const files = typeof pathOrFiles === 'string' ? [pathOrFiles] : pathOrFiles;
  if (files.length === 0) throw new FarfieldError('INVALID_INPUT', 'no file to summarise');
  const path = files.length === 1 ? files[0] : `${files.length} files (${files[0]} … ${files[files.length - 1]})`;
  const formats = new Set(files.map((f) => detectFormat(f, options.format).name));
  const format = formats.size === 1 ? [...formats][0] : [...formats].join('+');
  let frames = 0, amin = Infinity, amax = 0, atot = 0;
  const species: Record<string, { atoms: number; frames: number }> = {};
  const props: Record<string, number> = {};
  const pbc: Record<string, number> = {};
  const bump = (k: string) => (props[k] = (props[k] ?? 0) + 1);
  // Welford for E/N
  let en = 0, emean = 0, em2 = 0, emin = Infinity, emax = -Infinity;
  let f2 = 0, fatoms = 0, fmax = 0, netMax = -1, netMaxFrame = -1;
  for await (const s of framesOf(files, options.format)) {
    const n = s.species.length;
    frames++;
    amin = Math.min(amin, n);
    amax = Math.max(amax, n);
    atot += n;
    const counts = new Map<string, number>();
    for (let a = 0; a < n; a++) {
      const sym = s.symbols[s.species[a]];
      counts.set(sym, (counts.get(sym) ?? 0) + 1);
    }
    for (const [sym, c] of counts) {
      const e = (species[sym] ??= { atoms: 0, frames: 0 });
      e.atoms += c;
      e.frames++;
    }
    const pk = s.pbc.map((b) => (b ? 'T' : 'F')).join(' ');
    pbc[pk] = (pbc[pk] ?? 0) + 1;
    if (s.cell.some((x) => x !== 0)) bump('cell');
    const L = s.labels;
    if (L.energyEv !== undefined) {
      bump('energy');
      if (n > 0) {
        const x = L.energyEv / n;
        en++;
        const d = x - emean;
        emean += d / en;
        em2 += d * (x - emean);
        emin = Math.min(emin, x);
        emax = Math.max(emax, x);
      }
    }
    if (L.forcesEvPerA) {
      bump('forces');
      const F = L.forcesEvPerA;
      let nx = 0, ny = 0, nz = 0;
      for (let a = 0; a < n; a++) {
        const x = F[3 * a], y = F[3 * a + 1], z = F[3 * a + 2];
        const m2 = x * x + y * y + z * z;
        f2 += m2;
        if (m2 > fmax * fmax) fmax = Math.sqrt(m2);
        nx += x; ny += y; nz += z;
      }
      fatoms += n;
      const net = Math.hypot(nx, ny, nz);
      if (net > netMax) { netMax = net; netMaxFrame = frames; }
    }
    if (L.stressEvPerA3) bump('stress');
    if (L.charges) bump('charges');
    for (const k of Object.keys(s.info)) bump(`info:${k}`);
    for (const k of Object.keys(s.arrays)) bump(`array:${k}`);
  }
  return {
    file: path,
    format,
    frames,
    atoms: { min: frames ? amin : 0, max: amax, total: atot },
    species,
    properties: props,
    pbc,
    energyPerAtomEv: en ? { mean: emean, std: Math.sqrt(em2 / en), min: emin, max: emax } : null,
    forcesEvPerA: fatoms ? { rms: Math.sqrt(f2 / fatoms), max: fmax, netMax, netMaxFrame } : null,
    caveats: datasetCaveats(files[0]),
  };
}

async function* framesOf(files: readonly string[], format: string | undefined): AsyncGenerator<Structure> {
  for (const f of files) yield* readFrames(f, { format });
}

/** Caveats kept in code for the datasets in ../shared/data (summaries of each folder's SOURCE.md). */
const KNOWN_CAVEATS: Record<string, string[]> = {
  'nacl-water-revpbe0d3': [
    'Net force per frame is not zero (median 0.11–0.32 eV/Å, max 0.79 eV/Å; grows with the number of ions): do not assert ΣF = 0; removing the mean force per frame is reasonable.',
    'Outlier: source="gen1b.data" source_index=156 has an O atom with |F| ≈ 32 eV/Å: exclude or down-weight it.',
    'Raw revPBE0-D3 labels, not Coulomb-baseline-subtracted; pseudopotential total energies (only differences mean anything).',
    'Only part of the published training set (gen2 and the merged files were missing). License CC BY-SA 4.0.',
  ],
  'lode-charged-dimers': [
    'The 30 Å periodic box was added by the LES authors; the molecules are isolated: treat frames as non-periodic (or check that periodicity does not matter).',
    'The energy zero of inter_energy is offset (energyA + energyB is not the d → ∞ limit): fit energy differences along a curve or the forces, or allow a constant offset.',
    'DFT level not stated. License CC BY-NC 4.0 (non-commercial).',
  ],
  'au2-mgo-4g-hdnnp-optimized': [
    'forces are all exactly 0.0 — placeholders, not labels: do not train on them.',
    'Per-atom charge sums to +0.03 e, not exactly 0; its type (Hirshfeld?) and the DFT level are unverified.',
    'License CC BY-NC 4.0 (non-commercial).',
  ],
  'vasp-outputs-polipy4vasp': [
    'No license stated: internal checks only (read from ../shared in tests); never copy these files into a project or redistribute them.',
    'The OUTCARs are LEPSILON single points of 96-atom ZrO2 (frames 1, 2 and 119 of ../zro2-tetragonal-96-pbesol); ML_AB.Si is a separate silicon set.',
  ],
  'zro2-tetragonal-96-pbesol': [
    'No license stated: internal checks only; ask the authors before redistributing.',
    'Born-charge index convention (field vs displacement) not checked; which paper these frames belong to is not confirmed.',
  ],
};

/** Caveats for a file inside a dataset folder that has a SOURCE.md (summary from code, else the SOURCE.md section). */
export function datasetCaveats(path: string): { source: string; text: string } | null {
  const dir = dirname(resolve(path));
  const src = join(dir, 'SOURCE.md');
  if (!existsSync(src)) return null;
  const known = KNOWN_CAVEATS[basename(dir)];
  if (known) return { source: src, text: known.map((l) => `- ${l}`).join('\n') };
  // unknown folder: print the SOURCE.md sections whose heading mentions caveats
  const text = readFileSync(src, 'utf8');
  const sections = text.split(/^(?=#+ )/m).filter((s) => /^#+ .*caveat/i.test(s));
  return sections.length ? { source: src, text: sections.join('\n').trim() } : null;
}

function fmtNum(x: number, digits = 6): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(digits)));
}

/** Human-readable text of a summary (what `farfield info` prints). */
export function formatDatasetSummary(s: DatasetSummary): string {
  const out: string[] = [];
  out.push(`${s.file}  (${s.format})`);
  out.push(`frames:            ${s.frames}`);
  out.push(`atoms per frame:   ${s.atoms.min}–${s.atoms.max} (total ${s.atoms.total})`);
  out.push(`species:           ${Object.entries(s.species).map(([k, v]) => `${k} ${v.atoms} (in ${v.frames} frames)`).join(', ')}`);
  out.push(`pbc:               ${Object.entries(s.pbc).map(([k, v]) => `"${k}" × ${v}`).join(', ')}`);
  const p = s.properties;
  const std = ['cell', 'energy', 'forces', 'stress', 'charges'];
  out.push(`labels:            ${std.map((k) => `${k} ${p[k] ?? 0}/${s.frames}`).join(', ')}`);
  const extra = Object.entries(p).filter(([k]) => !std.includes(k));
  if (extra.length) out.push(`other properties:  ${extra.map(([k, v]) => `${k}${v === s.frames ? '' : ` (${v})`}`).join(', ')}`);
  if (s.energyPerAtomEv) {
    const e = s.energyPerAtomEv;
    out.push(`energy per atom:   mean ${fmtNum(e.mean, 8)} eV, std ${fmtNum(e.std, 4)} eV, range [${fmtNum(e.min, 8)}, ${fmtNum(e.max, 8)}] eV`);
  }
  if (s.forcesEvPerA) {
    const f = s.forcesEvPerA;
    out.push(`forces:            |F| RMS ${fmtNum(f.rms, 4)} eV/Å, max ${fmtNum(f.max, 4)} eV/Å; max net force per frame ${fmtNum(f.netMax, 3)} eV/Å (frame ${f.netMaxFrame})`);
  }
  out.push(`stress:            ${p.stress ? `present in ${p.stress}/${s.frames} frames` : 'absent'}`);
  if (s.caveats) out.push('', `caveats (${s.caveats.source}):`, s.caveats.text);
  return out.join('\n') + '\n';
}
