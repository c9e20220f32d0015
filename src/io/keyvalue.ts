/**
 * The extended-XYZ comment line: `key=value` pairs with ASE's grammar (ase/io/extxyz.py, key_val_str_to_dict).
 *
 * Grammar, character by character: whitespace separates pairs; `=` starts the value (`key = value` is allowed;
 * further `=` are kept inside the value); `"…"`, `'…'`, `{…}`, `[…]` quote (no nesting); `\x` takes x literally;
 * a key without `=` means `T`. Value conversion, in ASE's order: tokens split on whitespace and commas; all decimal
 * integers → integer(s); else all finite reals → real(s); else all `T`/`F` (also `True`/`False`) → boolean(s);
 * else `_JSON …` → the JSON value when it is a scalar or a flat array; else the string unchanged. One token gives a
 * scalar, several an array, none an empty array (as ASE's numpy conversion does). The key `uid` is never converted.
 *
 * Deliberate differences from ASE 3.22: an unterminated quote or a value without a key is a PARSE error instead of
 * being swallowed; `nan`/`inf` stay strings (farfield refuses non-finite numbers); the writer escapes backslashes
 * and quotes values containing `=` or `\`, so strings survive a round trip through both readers.
 *
 * Types on write (ASE would read back another type otherwise): a string whose text would convert (`'007'` → 7,
 * `'T'` → True, `''` → an empty array) is written as `_JSON "…"`, which both readers turn back into the string; a
 * number read from a file is written with the text it was read with while its value is unchanged (`42.0` stays a
 * Python float although JavaScript has one number type; `12345678901234567891` keeps its digits), see
 * rememberNumberTexts. Nested `_JSON` arrays and dicts have no farfield type and stay strings (ASE makes arrays).
 */
import { FarfieldError, type InfoValue } from '../core/index.js';
import { clip, formatFinite, isIntToken, parseError, realOrNaN, type Where } from './text.js';

const CLOSE: Record<string, string> = { '"': '"', "'": "'", '{': '}', '[': ']' };

/** Split a comment line into raw [key, value] pairs (value null = key given without '='). */
export function splitKeyValues(line: string, w: Where): [string, string | null][] {
  // pairs[k] = list of parts: parts[0] is the key, parts[1..] the value pieces (joined with '=').
  const pairs: string[][] = [];
  let parts: string[] = [];
  let cur = '';
  let started = false; // the current part has content (or an opened quote)
  let close: string | null = null;
  let escaped = false;
  const s = line;
  const endPart = (): void => {
    parts.push(cur);
    cur = '';
    started = false;
  };
  const endPair = (): void => {
    if (started || parts.length > 0) {
      endPart();
      pairs.push(parts);
    }
    parts = [];
  };
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (escaped) {
      cur += ch;
      started = true;
      escaped = false;
    } else if (ch === '\\') {
      escaped = true;
      started = true;
    } else if (close !== null) {
      if (ch === close) close = null;
      else cur += ch;
    } else if (ch in CLOSE) {
      close = CLOSE[ch];
      started = true;
    } else if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\v' || ch === '\f') {
      if (!started) continue; // leading blanks, or blanks after '='
      endPair();
    } else if (ch === '=') {
      if (!started && parts.length === 0) {
        // "key = value": the '=' belongs to the previous pair
        const prev = pairs.pop();
        if (prev === undefined) throw parseError(`'=' at column ${i + 1} has no key before it`, w.file, w.line, w.field);
        parts = prev;
      } else {
        endPart();
      }
    } else {
      cur += ch;
      started = true;
    }
  }
  if (close !== null) throw parseError(`unterminated quote: expected a closing ${close}`, w.file, w.line, w.field);
  endPair();
  const out: [string, string | null][] = [];
  for (const p of pairs) {
    const key = p[0];
    if (key === '') throw parseError('empty key', w.file, w.line, w.field);
    out.push([key, p.length === 1 ? null : p.slice(1).join('=')]);
  }
  return out;
}

const BOOL: Record<string, boolean> = { T: true, F: false, True: true, False: false };

function listTokens(v: string): string[] {
  return v.match(/[^\s,]+/g) ?? [];
}

/** ASE's conversion of one raw value (see module comment). */
export function convertValue(key: string, raw: string | null): InfoValue {
  if (raw === null) return true;
  if (key.toLowerCase() === 'uid') return raw;
  const toks = listTokens(raw);
  if (toks.length === 0) return [];
  if (toks.every(isIntToken)) {
    const nums = toks.map(Number);
    if (nums.every(Number.isSafeInteger)) return nums.length === 1 ? nums[0] : nums;
  }
  const reals = toks.map(realOrNaN);
  if (!reals.some(Number.isNaN)) return reals.length === 1 ? reals[0] : reals;
  if (toks.every((t) => t in BOOL)) {
    const b = toks.map((t) => BOOL[t]);
    return b.length === 1 ? b[0] : b;
  }
  if (raw.startsWith('_JSON ')) {
    try {
      const j: unknown = JSON.parse(raw.slice(6));
      if (typeof j === 'number' || typeof j === 'boolean' || typeof j === 'string') return j;
      if (Array.isArray(j) && j.length > 0) {
        if (j.every((x) => typeof x === 'number')) return j as number[];
        if (j.every((x) => typeof x === 'string')) return j as string[];
        if (j.every((x) => typeof x === 'boolean')) return j as boolean[];
      }
    } catch {
      /* not JSON: keep the string */
    }
  }
  return raw;
}

/**
 * Parse a comment line into ordered entries (a later duplicate key replaces an earlier one, as in ASE).
 * `texts` (optional) receives, for numeric values whose shortest text would read back as another type or value
 * (`42.0` — a real that is integer-valued; `12345678901234567890` — an integer beyond 2⁵³; `1e5`), the tokens as
 * written, for rememberNumberTexts.
 */
export function parseKeyValues(line: string, w: Where, texts?: Map<string, string>): Map<string, InfoValue> {
  const m = new Map<string, InfoValue>();
  for (const [k, raw] of splitKeyValues(line, w)) {
    m.delete(k);
    const v = convertValue(k, raw);
    m.set(k, v);
    if (texts) {
      texts.delete(k);
      if (raw !== null && (typeof v === 'number' || (Array.isArray(v) && v.length > 0 && typeof v[0] === 'number'))) {
        const written = listTokens(raw).join(' ');
        if (written !== valueText(v, k)) texts.set(k, written);
      }
    }
  }
  return m;
}

/**
 * The number texts of info objects read from files (a WeakMap, so nothing leaks and the Structure stays plain data):
 * JavaScript has one number type, so `energy_ref=42.0` and `step=42` both read as 42; the writer writes a value
 * that is still the one read with the text it was read from, so ASE gets the same type back (42.0 stays a float)
 * and integers beyond 2⁵³ keep every digit. A copy of the info object (`{ ...info }`) loses this, and integer-valued
 * numbers are then written as integers.
 */
const NUMBER_TEXTS = new WeakMap<object, Map<string, string>>();

/** Remember the original texts (from parseKeyValues) of the numeric entries of `info`. */
export function rememberNumberTexts(info: Record<string, InfoValue>, texts: Map<string, string>): void {
  const keep = new Map<string, string>();
  for (const [k, t] of texts) if (k in info) keep.set(k, t);
  if (keep.size > 0) NUMBER_TEXTS.set(info, keep);
}

/** The remembered text of info[key] if the value is still the one it was read as, else null. */
function numberText(info: object | undefined, key: string, v: InfoValue): string | null {
  const t = info === undefined ? undefined : NUMBER_TEXTS.get(info)?.get(key);
  if (t === undefined) return null;
  const back = convertValue(key, t);
  if (typeof v === 'number') return back === v ? t : null;
  if (Array.isArray(v) && Array.isArray(back) && back.length === v.length && v.every((x, i) => x === back[i])) return t;
  return null;
}

/** Quote and escape a key or value when needed (ASE's `escape`, plus backslashes and '='). */
export function quote(s: string, what: string): string {
  if (/[\n\r]/.test(s)) throw new FarfieldError('INVALID_INPUT', `cannot write ${what} to an XYZ comment line: it contains a line break ('${clip(s)}')`);
  if (s === '' || /[\s"'{}[\]=\\,]/.test(s)) return '"' + s.replace(/[\\"]/g, (c) => '\\' + c) + '"';
  return s;
}

/** A token Python's int() or float() would take as a number (over-approximated: digits, '_', '.', exponent, nan, inf). */
function pythonNumberLike(t: string): boolean {
  if (/^[+-]?(nan|inf|infinity)$/i.test(t)) return true;
  return /\p{Nd}/u.test(t) && /^[+-]?[\p{Nd}_]*\.?[\p{Nd}_]*([eE][+-]?[\p{Nd}_]+)?$/u.test(t);
}

/**
 * True if the string value, written as it is, would not read back as that string (in ASE's reader or ours): empty
 * or only separators (→ empty array), all tokens numbers ('007' → 7, '1 2' → array), all T/F ('T' → True), or
 * beginning with '_JSON'. Such strings are written as `_JSON "…"`, which both readers turn back into the string.
 * The key `uid` is never converted by ASE, so it is never protected.
 */
export function needsJsonString(key: string, v: string): boolean {
  if (key.toLowerCase() === 'uid') return false;
  if (v.startsWith('_JSON')) return true;
  const toks = listTokens(v);
  if (toks.length === 0) return true;
  return toks.every(pythonNumberLike) || toks.every((t) => t in BOOL);
}

/** Text of one value as ASE writes it: T/F, shortest reals, arrays space-separated, string arrays as _JSON. */
export function valueText(v: InfoValue, what: string, key = ''): string {
  if (typeof v === 'boolean') return v ? 'T' : 'F';
  if (typeof v === 'number') return formatFinite(v, what);
  if (typeof v === 'string') return needsJsonString(key, v) ? '_JSON ' + JSON.stringify(v) : v;
  if (v.length === 0) return '';
  if (typeof v[0] === 'string') return '_JSON ' + JSON.stringify(v);
  if (typeof v[0] === 'boolean') return (v as boolean[]).map((b) => (b ? 'T' : 'F')).join(' ');
  return (v as number[]).map((x) => formatFinite(x, what)).join(' ');
}

/**
 * Format entries as `key=value` text, then the pre-formatted `tail` pairs. Values that are empty go last: ASE's
 * reader mis-parses an empty quoted value followed by more pairs. `info`: the object the entries come from, whose
 * remembered number texts (rememberNumberTexts) are used.
 */
export function formatKeyValues(entries: Iterable<[string, InfoValue]>, info?: object, tail: readonly string[] = []): string {
  const out: string[] = [];
  const empty: string[] = [];
  for (const [k, v] of entries) {
    const text = numberText(info, k, v) ?? valueText(v, `info '${k}'`, k);
    const pair = `${quote(k, `info key '${k}'`)}=${quote(text, `info '${k}'`)}`;
    (text === '' ? empty : out).push(pair);
  }
  return out.concat(tail, empty).join(' ');
}
