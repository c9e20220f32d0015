/**
 * Line-fed parsing for large text outputs (VASP OUTCAR, vasprun.xml, XDATCAR): a parser receives one line at a time
 * and pushes the structures it completes, so the same parser reads a string held in memory (the web page), a file
 * read in 1 MB blocks synchronously (`readLinesSync`, never the whole file as one string: OUTCARs can be GBs), or a
 * file streamed frame by frame (`streamLines`). A leading byte-order mark is dropped; gzip-compressed files
 * (`OUTCAR.gz`) are decompressed, streamed by `streamLines`, held as bytes (not one string) by `readLinesSync`.
 */
import { open } from 'node:fs/promises';
import { closeSync, createReadStream, openSync, readFileSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, gunzipSync } from 'node:zlib';
import { FarfieldError, type Structure } from '../core/index.js';
import { isGzip } from './extxyz.js';
import { readError, stripBom } from './text.js';

export interface LineParser {
  /** One line (without '\n' and a trailing '\r'); 1-based line number; push completed structures to `out`. */
  line(text: string, lineNo: number, out: Structure[]): void;
  /** End of input: push what is complete, warn about (or refuse) what is not. */
  end(out: Structure[]): void;
}

const BLOCK = 1 << 20;

/** Largest atom count a VASP header may announce (VASP runs hold up to ~10⁵ ions); more is a corrupt count, refused
 * before arrays of that size are allocated. */
export const MAX_ATOMS = 1_000_000;

/** Splits decoded text blocks into lines, keeping the unfinished tail. */
class Splitter {
  private tail = '';
  private started = false;
  lineNo = 0;
  constructor(private readonly parser: LineParser) {}

  feed(text: string, out: Structure[]): void {
    if (!this.started && text.length > 0) {
      text = stripBom(text);
      this.started = true;
    }
    const s = this.tail + text;
    let p = 0;
    for (let e = s.indexOf('\n', p); e >= 0; e = s.indexOf('\n', p)) {
      const end = e > p && s.charCodeAt(e - 1) === 13 ? e - 1 : e;
      this.parser.line(s.substring(p, end), ++this.lineNo, out);
      p = e + 1;
    }
    this.tail = p === 0 ? s : s.substring(p);
  }

  finish(out: Structure[]): void {
    if (this.tail.length > 0) {
      const t = this.tail.endsWith('\r') ? this.tail.slice(0, -1) : this.tail;
      this.tail = '';
      this.parser.line(t, ++this.lineNo, out);
    }
    this.parser.end(out);
  }
}

/** Every structure of a text held in memory. */
export function parseLines(text: string, parser: LineParser): Structure[] {
  const out: Structure[] = [];
  const sp = new Splitter(parser);
  sp.feed(text, out);
  sp.finish(out);
  return out;
}

/** Every structure of a file, reading it in 1 MB blocks (a gzip file is decompressed whole, as bytes). */
export function readLinesSync(path: string, parser: LineParser): Structure[] {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw readError(path, e);
  }
  const out: Structure[] = [];
  const dec = new StringDecoder('utf8');
  const sp = new Splitter(parser);
  try {
    const buf = Buffer.allocUnsafe(BLOCK);
    let first = true;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, BLOCK, null);
      } catch (e) {
        throw readError(path, e);
      }
      if (n === 0) break;
      if (first && isGzip(buf.subarray(0, n))) {
        let bytes: Buffer;
        try {
          bytes = gunzipSync(readFileSync(path));
        } catch (e) {
          throw readError(path, e);
        }
        for (let p = 0; p < bytes.length; p += BLOCK) sp.feed(dec.write(bytes.subarray(p, p + BLOCK)), out);
        break;
      }
      first = false;
      sp.feed(dec.write(buf.subarray(0, n)), out);
    }
  } finally {
    closeSync(fd);
  }
  sp.feed(dec.end(), out);
  sp.finish(out);
  return out;
}

/** Stream the structures of a file as the parser completes them (memory: one block plus the current frame). */
export async function* streamLines(path: string, parser: LineParser): AsyncGenerator<Structure> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw readError(path, e);
  }
  const dec = new StringDecoder('utf8');
  const sp = new Splitter(parser);
  const out: Structure[] = [];
  try {
    const buf = Buffer.allocUnsafe(BLOCK);
    let gz: AsyncIterable<Buffer> | null = null;
    try {
      const { bytesRead } = await fh.read(buf, 0, 2, 0);
      if (bytesRead === 2 && isGzip(buf)) gz = createReadStream(path, { highWaterMark: BLOCK }).pipe(createGunzip({ chunkSize: BLOCK }));
    } catch (e) {
      throw readError(path, e);
    }
    if (gz) {
      try {
        for await (const bytes of gz) {
          sp.feed(dec.write(bytes), out);
          while (out.length > 0) yield out.shift() as Structure;
        }
      } catch (e) {
        if (e instanceof FarfieldError) throw e; // the parser's
        throw readError(path, e); // gzip or OS
      }
    } else {
      for (;;) {
        let n: number;
        try {
          n = (await fh.read(buf, 0, BLOCK, null)).bytesRead;
        } catch (e) {
          throw readError(path, e);
        }
        if (n === 0) break;
        sp.feed(dec.write(buf.subarray(0, n)), out);
        while (out.length > 0) yield out.shift() as Structure;
      }
    }
    sp.feed(dec.end(), out);
    sp.finish(out);
    while (out.length > 0) yield out.shift() as Structure;
  } finally {
    await fh.close();
  }
}
