/**
 * Reading files for the io parsers (host side; io itself parses texts only): a whole file as one string
 * (`readFileText`, bounded by V8's string limit), a file fed block by block to a line-fed parser (`readLinesSync`,
 * `streamLines`: VASP outputs, never one string), (extended) XYZ frames streamed from 1 MB chunks (`streamXyzFrames`),
 * and the first kB of a file for format detection (`readHead`). A leading byte-order mark is dropped; gzip-compressed
 * files (`.xyz.gz`, `OUTCAR.gz`) are decompressed. OS and gzip errors become IO FarfieldErrors with a hint.
 */
import { open } from 'node:fs/promises';
import { closeSync, createReadStream, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, gunzipSync, constants as zlibConstants } from 'node:zlib';
import { FarfieldError, type Structure } from '../core/index.js';
import { LineCursor, LineSplitter, NEED_MORE, SNIFF_BYTES, isGzip, parseFrame, readError, stripBom, type LineParser } from '../io/index.js';

/** V8's longest string (0x1fffffe8 characters in Node 20; buffer.constants.MAX_STRING_LENGTH). */
const MAX_STRING_LENGTH = 0x1fffffe8;
const BLOCK = 1 << 20;

/**
 * Largest file read whole into one string: V8's string limit (~512 MB), or FARFIELD_WHOLE_FILE_LIMIT bytes if smaller
 * (tests use a small value to prove which commands stream). Larger files get a FarfieldError naming the streaming
 * commands instead of V8's "Cannot create a string longer than …".
 */
export function wholeFileLimit(): number {
  const env = Number(process.env.FARFIELD_WHOLE_FILE_LIMIT);
  return Number.isFinite(env) && env > 0 ? Math.min(env, MAX_STRING_LENGTH) : MAX_STRING_LENGTH;
}

/**
 * The text of a file (UTF-8, a leading byte-order mark dropped; gzip-compressed files, e.g. ASE's `.xyz.gz`, are
 * decompressed); OS and gzip errors become IO FarfieldErrors with a hint.
 */
export function readFileText(path: string): string {
  let size = 0;
  try {
    size = statSync(path).size;
  } catch { /* reported by the read below */ }
  const limit = wholeFileLimit();
  if (size > limit)
    throw new FarfieldError('IO', `file of ${size} bytes is too large to read whole (limit ${limit} bytes); info, convert, ewald, describe, predict, eval and md stream files of any size — split it for this command (farfield convert --index)`, { file: path });
  try {
    let bytes = readFileSync(path);
    if (isGzip(bytes)) bytes = gunzipSync(bytes);
    return stripBom(bytes.toString('utf8'));
  } catch (e) {
    if (e instanceof RangeError || (e as { code?: unknown }).code === 'ERR_STRING_TOO_LONG')
      throw new FarfieldError('IO', `cannot read: the file is too large to hold as one string (${(e as Error).message}); use a command that streams frames`, { file: path }, { cause: e });
    throw readError(path, e);
  }
}

const CHUNK_BYTES = 1 << 20;


/**
 * Stream the frames of an (extended) XYZ file: reads 1 MB chunks and keeps only the current frame's text in memory
 * (plus one chunk), so files far larger than memory can be processed.
 */
export async function* streamXyzFrames(path: string, plain = false, options: { chunkBytes?: number } = {}): AsyncGenerator<Structure> {
  const CHUNK = options.chunkBytes ?? CHUNK_BYTES; // smaller chunks only in tests (frames across chunk borders)
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw readError(path, e);
  }
  let gunzip: AsyncIterator<Buffer> | null = null;
  let gz: ReturnType<typeof createReadStream> | null = null;
  try {
    const chunk = Buffer.allocUnsafe(Math.max(2, CHUNK));
    const decoder = new StringDecoder('utf8');
    let buf = '';
    let eof = false;
    let bom = true; // the start of the file has not been checked for a byte-order mark yet
    let lineBase = 1; // line number of buf[0]
    try {
      const { bytesRead } = await fh.read(chunk, 0, Math.min(2, CHUNK), 0); // positional: the file offset stays 0
      if (bytesRead === 2 && isGzip(chunk)) {
        gz = createReadStream(path, { highWaterMark: CHUNK });
        gunzip = gz.pipe(createGunzip({ chunkSize: Math.max(64, CHUNK) }))[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      }
    } catch (e) {
      throw readError(path, e);
    }
    /** The next bytes of the (decompressed) file, or null at its end. */
    const nextBytes = async (): Promise<Uint8Array | null> => {
      try {
        if (gunzip) {
          const r = await gunzip.next();
          return r.done ? null : r.value;
        }
        const { bytesRead } = await fh.read(chunk, 0, CHUNK, null);
        return bytesRead === 0 ? null : chunk.subarray(0, bytesRead);
      } catch (e) {
        throw readError(path, e);
      }
    };
    const fill = async (): Promise<void> => {
      const bytes = await nextBytes();
      let text: string;
      if (bytes === null) {
        eof = true;
        text = decoder.end();
      } else text = decoder.write(bytes as Buffer);
      if (bom && (text.length > 0 || eof)) {
        text = stripBom(text);
        bom = false;
      }
      try {
        buf += text;
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        throw new FarfieldError('PARSE', `a frame starting at line ${lineBase} is longer than the largest string (${e.message}): check its atom count`, { file: path, line: lineBase, field: 'atom count' }, { cause: e });
      }
    };
    let pos = 0;
    for (;;) {
      // Parse optimistically from the buffer; if the frame runs past its end, read more (at least doubling what is
      // buffered, so a frame larger than a chunk costs amortised linear time) and parse the frame again.
      const cur = new LineCursor(buf, path, lineBase);
      cur.pos = pos;
      cur.more = !eof;
      let s: Structure | null;
      try {
        s = parseFrame(cur, plain);
      } catch (e) {
        if (e !== NEED_MORE) throw e;
        const want = Math.max(CHUNK, 2 * (buf.length - pos));
        while (!eof && buf.length - pos < want) await fill();
        continue;
      }
      if (s === null) return;
      lineBase = cur.lineNo + 1;
      pos = cur.pos;
      if (pos > CHUNK) {
        buf = buf.slice(pos);
        pos = 0;
      }
      yield s;
    }
  } finally {
    gz?.destroy();
    await fh.close();
  }
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
  const sp = new LineSplitter(parser);
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
  const sp = new LineSplitter(parser);
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

/** The first SNIFF_BYTES of a file as text (gzip undone from a prefix), for format detection. */
export function readHead(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw readError(path, e);
  }
  try {
    const b = Buffer.alloc(SNIFF_BYTES);
    let n: number;
    try {
      n = readSync(fd, b, 0, b.length, 0); // EISDIR for a directory (open succeeds on Linux)
    } catch (e) {
      throw readError(path, e);
    }
    let head = b.subarray(0, n);
    if (isGzip(head)) {
      try {
        head = gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH }); // the start of the text, from a prefix
      } catch (e) {
        throw readError(path, e);
      }
    }
    return stripBom(head.subarray(0, SNIFF_BYTES).toString('utf8')).replace(/\r/g, '');
  } finally {
    closeSync(fd);
  }
}
