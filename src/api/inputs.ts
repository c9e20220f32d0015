/**
 * Input resolution: where a command takes structure files it also takes several files, a directory or a quoted glob
 * pattern (`'OUT/OUTCAR.*'`), and reads them one after the other as one dataset.
 *
 *   file        itself
 *   directory   its files whose format is recognised (name, else content), when they are all of one format
 *               (a VASP run folder holds OUTCAR, vasprun.xml and XDATCAR of the same steps: reading all would
 *               count every step two or three times, so a mix is refused with a hint to give a glob)
 *   glob        '*', '?' and '[…]' in any path component ('**' is not supported); hidden files only when the
 *               pattern component starts with '.'; matches in natural order (OUTCAR.2 before OUTCAR.10), files only
 * An unquoted glob is expanded by the shell into several arguments (in the shell's order) and works the same.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { FarfieldError, type Structure } from '../core/index.js';
import { type FormatMeta } from '../io/index.js';
import { checkOutputFile, detectFormat, formatForWriting, readFrames, readStructuresWithMeta } from '../host/index.js';
import { convertFile, frameSelector, parseFrameIndex, pipeFrames, type ConvertOptions, type ConvertResult } from './io.js';

/** Readers' warnings (an OUTCAR whose run is still going, …): replace the handler to collect them. */
export { setIoWarningHandler, type IoWarning, type IoWarningHandler } from '../io/index.js';

const WILDCARD = /[*?[]/;

/** Natural order: digit runs compare as numbers. */
function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** Regular expression of one glob path component. */
function componentRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) { re += '\\['; continue; }
      let body = pattern.slice(i + 1, end);
      if (body[0] === '!') body = '^' + body.slice(1);
      re += '[' + body.replace(/\\/g, '\\\\') + ']';
      i = end;
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp('^' + re + '$');
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Files matching a glob pattern, natural order. */
export function expandGlob(pattern: string): string[] {
  if (pattern.includes('**')) throw new FarfieldError('UNSUPPORTED', `'**' (recursive glob) is not supported in '${pattern}'; list the folders or use one '*' per level`);
  const absolute = pattern.startsWith('/');
  const parts = pattern.split('/').filter((p, i) => p !== '' || i === 0);
  let bases = [absolute ? '/' : '.'];
  if (parts[0] === '') parts.shift();
  parts.forEach((part, k) => {
    const last = k === parts.length - 1;
    const next: string[] = [];
    for (const base of bases) {
      if (!WILDCARD.test(part)) {
        const p = base === '.' && !absolute ? part : join(base, part);
        if (last ? existsSync(p) && !isDir(p) : isDir(p)) next.push(p);
        continue;
      }
      const re = componentRegex(part);
      let names: string[];
      try {
        names = readdirSync(base);
      } catch {
        continue;
      }
      for (const name of names.sort(naturalCompare)) {
        if (name.startsWith('.') && !part.startsWith('.')) continue;
        if (!re.test(name)) continue;
        const p = base === '.' && !absolute ? name : join(base, name);
        if (last ? !isDir(p) : isDir(p)) next.push(p);
      }
    }
    bases = next;
  });
  return bases;
}

/** The structure files of a directory (all of one format; see the module comment). */
export function directoryInputs(dir: string): string[] {
  const byFormat = new Map<string, string[]>();
  for (const name of readdirSync(dir).sort(naturalCompare)) {
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    if (isDir(p)) continue;
    let f: string;
    try {
      f = detectFormat(p).name;
    } catch (e) {
      if (e instanceof FarfieldError && e.code === 'FORMAT') continue;
      throw e;
    }
    const list = byFormat.get(f) ?? [];
    list.push(p);
    byFormat.set(f, list);
  }
  if (byFormat.size === 0) throw new FarfieldError('INVALID_INPUT', `no structure file found in the folder ${dir}`);
  if (byFormat.size > 1) {
    const found = [...byFormat].map(([f, l]) => `${f}: ${l.slice(0, 3).map((x) => basename(x)).join(', ')}${l.length > 3 ? ', …' : ''}`).join('; ');
    // hint: a glob for the format with the most files (the common prefix of their names)
    const most = [...byFormat.values()].sort((a, b) => b.length - a.length)[0].map((x) => basename(x));
    let prefix = most[0];
    for (const name of most) while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
    throw new FarfieldError('INVALID_INPUT', `the folder ${dir} holds files of several formats (${found}); give the ones to read as a quoted glob, e.g. '${join(dir, prefix)}*'`);
  }
  return [...byFormat.values()][0];
}

/** The files named by input specs: files, directories and glob patterns (see the module comment), in order. */
export function resolveInputs(specs: string | readonly string[]): string[] {
  const list = typeof specs === 'string' ? [specs] : specs;
  if (list.length === 0) throw new FarfieldError('INVALID_INPUT', 'no input file given');
  const out: string[] = [];
  for (const spec of list) {
    if (existsSync(spec)) {
      if (isDir(spec)) out.push(...directoryInputs(spec));
      else out.push(spec);
    } else if (WILDCARD.test(spec)) {
      const m = expandGlob(spec);
      if (m.length === 0) throw new FarfieldError('IO', `no file matches the pattern '${spec}'`);
      out.push(...m);
    } else throw new FarfieldError('IO', 'cannot read: no such file or directory', { file: spec });
  }
  return out;
}

export interface InputsOptions {
  format?: string;
}

/**
 * Every structure of the inputs, one file after the other. One file: its format side information (the ML_AB
 * header) too; several files: no side information, format the common one or 'mixed'.
 */
export function loadInputs(specs: string | readonly string[], options: InputsOptions = {}): { structures: Structure[]; meta: FormatMeta; format: string; files: string[] } {
  const files = resolveInputs(specs);
  if (files.length === 1) return { ...readStructuresWithMeta(files[0], { format: options.format }), files };
  const structures: Structure[] = [];
  const formats = new Set<string>();
  for (const f of files) {
    const r = readStructuresWithMeta(f, { format: options.format });
    formats.add(r.format);
    for (const s of r.structures) structures.push(s);
  }
  return { structures, meta: {}, format: formats.size === 1 ? [...formats][0] : 'mixed', files };
}

/** Stream the structures of every input, one file after the other. */
export async function* readInputFrames(files: readonly string[], options: InputsOptions = {}): AsyncGenerator<Structure> {
  for (const f of files) yield* readFrames(f, { format: options.format });
}

/** `convertFile` for several inputs (files, directory, glob): frames concatenated, `index` applied to the whole. */
export async function convertInputs(specs: string | readonly string[], output: string, options: ConvertOptions = {}): Promise<ConvertResult & { files: string[] }> {
  const files = resolveInputs(specs);
  if (files.length === 1) return { ...(await convertFile(files[0], output, options)), files };
  const outF = formatForWriting(output, options.to);
  if (files.some((f) => resolve(f) === resolve(output))) throw new FarfieldError('INVALID_INPUT', `the output ${output} is one of the inputs`);
  checkOutputFile(output);
  const from = new Set(files.map((f) => detectFormat(f, options.from).name));
  const fromName = from.size === 1 ? [...from][0] : 'mixed';
  const ix = options.index === undefined ? null : parseFrameIndex(options.index);
  let n = Infinity;
  if (ix && (ix.single || (ix.start ?? 0) < 0 || (ix.stop ?? 0) < 0)) {
    n = 0;
    for await (const _ of readInputFrames(files, { format: options.from })) n++;
  }
  const keep = ix ? frameSelector(ix, n, `frame index '${options.index}'`) : () => true;
  if (outF.openWriter) {
    const frames = await pipeFrames(readInputFrames(files, { format: options.from }), outF.openWriter(output), keep);
    return { frames, from: fromName, to: outF.name, streamed: true, files };
  }
  const all: Structure[] = [];
  let k = 0;
  for await (const s of readInputFrames(files, { format: options.from })) if (keep(k++)) all.push(s);
  outF.write(output, all);
  return { frames: all.length, from: fromName, to: outF.name, streamed: false, files };
}
