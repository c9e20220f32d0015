/**
 * Line-fed parsing for large text outputs (VASP OUTCAR, vasprun.xml, XDATCAR): a parser receives one line at a time
 * and pushes the structures it completes, so the same parser reads a string held in memory (the web page), a file
 * read in 1 MB blocks synchronously (`readLinesSync`, never the whole file as one string: OUTCARs can be GBs), or a
 * file streamed frame by frame (`streamLines`).
 */
import { open } from 'node:fs/promises';
import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { FarfieldError, type Structure } from '../core/index.js';

export interface LineParser {
  /** One line (without '\n' and a trailing '\r'); 1-based line number; push completed structures to `out`. */
  line(text: string, lineNo: number, out: Structure[]): void;
  /** End of input: push what is complete, warn about (or refuse) what is not. */
  end(out: Structure[]): void;
}

const BLOCK = 1 << 20;

/** Splits decoded text blocks into lines, keeping the unfinished tail. */
class Splitter {
  private tail = '';
  lineNo = 0;
  constructor(private readonly parser: LineParser) {}

  feed(text: string, out: Structure[]): void {
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

function ioError(path: string, e: unknown): FarfieldError {
  return new FarfieldError('IO', `cannot read: ${(e as Error).message}`, { file: path }, { cause: e });
}

/** Refuse gzip data (magic 1f 8b) by name instead of failing on binary text. */
function refuseGzip(path: string, head: Uint8Array): void {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b)
    throw new FarfieldError('UNSUPPORTED', 'gzip-compressed file: compressed VASP outputs are not read directly; decompress it first (gunzip -k FILE)', { file: path });
}

/** Every structure of a file, reading it in 1 MB blocks. */
export function readLinesSync(path: string, parser: LineParser): Structure[] {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw ioError(path, e);
  }
  const out: Structure[] = [];
  try {
    const buf = Buffer.allocUnsafe(BLOCK);
    const dec = new StringDecoder('utf8');
    const sp = new Splitter(parser);
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, BLOCK, null);
      } catch (e) {
        throw ioError(path, e);
      }
      if (n === 0) break;
      if (sp.lineNo === 0) refuseGzip(path, buf.subarray(0, n));
      sp.feed(dec.write(buf.subarray(0, n)), out);
    }
    sp.feed(dec.end(), out);
    sp.finish(out);
  } finally {
    closeSync(fd);
  }
  return out;
}

/** Stream the structures of a file as the parser completes them (memory: one block plus the current frame). */
export async function* streamLines(path: string, parser: LineParser): AsyncGenerator<Structure> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw ioError(path, e);
  }
  try {
    const buf = Buffer.allocUnsafe(BLOCK);
    const dec = new StringDecoder('utf8');
    const sp = new Splitter(parser);
    const out: Structure[] = [];
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, BLOCK, null);
      if (bytesRead === 0) break;
      if (sp.lineNo === 0) refuseGzip(path, buf.subarray(0, bytesRead));
      sp.feed(dec.write(buf.subarray(0, bytesRead)), out);
      while (out.length > 0) yield out.shift() as Structure;
    }
    sp.feed(dec.end(), out);
    sp.finish(out);
    while (out.length > 0) yield out.shift() as Structure;
  } finally {
    await fh.close();
  }
}
