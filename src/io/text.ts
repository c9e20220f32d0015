/**
 * Shared text helpers for the parsers and writers: strict number parsing, whitespace tokenising without
 * `split`, PARSE errors that carry file/line/field, and float formatting that round-trips exactly.
 *
 * Numbers: `Number(token)` parses with correct rounding (the same double as Python's `float`), but it also
 * accepts hexadecimal/binary/octal prefixes and "Infinity"; `parseReal` refuses those and every non-finite value.
 * Floats are written with JavaScript's shortest round-trip representation (`String(x)`), except −0, written
 * `-0.0` so that both our reader and Python keep the sign.
 */
import { FarfieldError } from '../core/index.js';

/** A PARSE error at file:line (field); control characters in the message and field are escaped (see escapeControl). */
export function parseError(message: string, file: string | undefined, line: number | undefined, field?: string): FarfieldError {
  return new FarfieldError('PARSE', escapeControl(message), { file, line, field: field === undefined ? undefined : escapeControl(field) });
}

/** Position of the parse, for error messages. */
export interface Where {
  file: string;
  line: number;
  field?: string;
}

function isRadixPrefixed(tok: string): boolean {
  if (tok.length < 2 || tok.charCodeAt(0) !== 48 /* 0 */) return false;
  const c = tok.charCodeAt(1) | 32; // lower-case
  return c === 120 /* x */ || c === 98 /* b */ || c === 111 /* o */;
}

/** A finite real, or NaN if `tok` is not one (hex, "Infinity", "nan", "1.2.3", ""). */
export function realOrNaN(tok: string): number {
  const v = Number(tok);
  if (!Number.isFinite(v) || tok.length === 0 || isRadixPrefixed(tok)) return NaN;
  // Number() ignores surrounding whitespace; callers pass tokens without it.
  return v;
}

/** A finite real or a PARSE error naming what was expected (a missing token: "line ends early"). */
export function parseReal(tok: string | undefined, w: Where, what = 'a finite real number'): number {
  if (tok === undefined) throw parseError(`line ends early: expected ${what}`, w.file, w.line, w.field);
  const v = realOrNaN(tok);
  if (Number.isNaN(v)) throw parseError(`expected ${what}, got '${clip(tok)}'`, w.file, w.line, w.field);
  return v;
}

const INT_RE = /^[+-]?\d+$/;

/** True if the token is a decimal integer literal. */
export function isIntToken(tok: string): boolean {
  return INT_RE.test(tok);
}

/** A decimal integer in the safe range, or a PARSE error. */
export function parseInteger(tok: string, w: Where, what = 'an integer'): number {
  if (!INT_RE.test(tok)) throw parseError(`expected ${what}, got '${clip(tok)}'`, w.file, w.line, w.field);
  const v = Number(tok);
  if (!Number.isSafeInteger(v)) throw parseError(`expected ${what}, got '${clip(tok)}' (out of range)`, w.file, w.line, w.field);
  return v;
}

/** A non-negative integer count, or a PARSE error. */
export function parseCount(tok: string, w: Where, what = 'a non-negative integer'): number {
  const v = parseInteger(tok, w, what);
  if (v < 0) throw parseError(`expected ${what}, got ${v}`, w.file, w.line, w.field);
  return v;
}

/** Control characters (C0, DEL, C1), line/paragraph separators and the BOM: escaped in messages. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/g;

/** `s` with control characters written as `\xNN` / `\uNNNN`, so a message never carries raw control bytes. */
export function escapeControl(s: string): string {
  return s.replace(CONTROL, (c) => {
    const h = c.charCodeAt(0).toString(16);
    return c.charCodeAt(0) < 0x100 ? '\\x' + h.padStart(2, '0') : '\\u' + h.padStart(4, '0');
  });
}

/** Shorten a token for an error message (control characters escaped). */
export function clip(s: string, n = 40): string {
  return escapeControl(s.length > n ? s.slice(0, n) + '…' : s);
}

/** The text without a leading UTF-8 byte-order mark (U+FEFF), which editors on Windows put at the start of files. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * A FarfieldError for an OS-level failure to read `path`, with a hint for the common causes (a directory given
 * where a file is expected, a missing file, no permission).
 */
export function readError(path: string, e: unknown): FarfieldError {
  const code = (e as { code?: unknown }).code;
  const msg = escapeControl(e instanceof Error ? e.message : String(e));
  const hint =
    code === 'EISDIR' ? 'it is a directory; give a structure file (or a glob such as DIR/*.xyz where a list of files is accepted)'
    : code === 'ENOENT' ? 'no such file; check the path'
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : typeof code === 'string' && code.startsWith('Z_') ? 'the gzip-compressed data is corrupt or truncated'
    : null;
  return new FarfieldError('IO', hint ? `cannot read: ${hint} (${msg})` : `cannot read: ${msg}`, { file: path }, { cause: e });
}

/** Whitespace tokens of a line (space, tab, CR, form feed, vertical tab). */
export function tokens(line: string): string[] {
  const out: string[] = [];
  const n = line.length;
  let i = 0;
  while (i < n) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) break;
    const a = i;
    while (i < n && !isSpace(line.charCodeAt(i))) i++;
    out.push(line.substring(a, i));
  }
  return out;
}

export function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 11 || c === 12;
}

/** Shortest round-trip decimal text of a finite double (−0 kept as `-0.0`). */
export function formatReal(x: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0';
  return String(x);
}

/** Like formatReal but refuses non-finite values with INVALID_INPUT naming `what`. */
export function formatFinite(x: number, what: string): string {
  if (!Number.isFinite(x)) throw new FarfieldError('INVALID_INPUT', `cannot write ${what}: value ${x} is not finite`);
  return formatReal(x);
}

/**
 * Line cursor over a string: `next()` returns the next line (without its '\n' or trailing '\r') or null at the end.
 * `lineNo` is the 1-based number of the line last returned.
 */
/** Thrown by a cursor whose text is a prefix of a stream (`more`) when it runs out: read more and parse again. */
export const NEED_MORE: unique symbol = Symbol('need more input');

export class LineCursor {
  pos = 0;
  lineNo = 0;
  /** The text is a prefix of a longer stream: running out throws NEED_MORE instead of returning null. */
  more = false;
  constructor(readonly text: string, readonly file: string, firstLine = 1) {
    this.lineNo = firstLine - 1;
  }

  next(): string | null {
    const t = this.text;
    let e = t.indexOf('\n', this.pos);
    if (e < 0) {
      if (this.more) throw NEED_MORE;
      if (this.pos >= t.length) return null;
      e = t.length;
    }
    let end = e;
    if (end > this.pos && t.charCodeAt(end - 1) === 13) end--;
    const line = t.substring(this.pos, end);
    this.pos = e + 1;
    this.lineNo++;
    return line;
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }
}

/** True if the bytes start with the gzip magic number (1f 8b): the file is read through gunzip. */
export function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}
