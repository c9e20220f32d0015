/**
 * Line-fed parsing for large text outputs (VASP OUTCAR, vasprun.xml, XDATCAR): a parser receives one line at a time
 * and pushes the structures it completes, so the same parser reads a string held in memory (`parseLines`, the web
 * page) or text decoded block by block (`LineSplitter`, which host/read.ts feeds from a file read in 1 MB blocks or
 * streamed frame by frame: never the whole file as one string, OUTCARs can be GBs). A leading byte-order mark is
 * dropped. Pure: no file access here.
 */
import type { Structure } from '../core/index.js';
import { stripBom } from './text.js';

export interface LineParser {
  /** One line (without '\n' and a trailing '\r'); 1-based line number; push completed structures to `out`. */
  line(text: string, lineNo: number, out: Structure[]): void;
  /** End of input: push what is complete, warn about (or refuse) what is not. */
  end(out: Structure[]): void;
}

/** Largest atom count a VASP header may announce (VASP runs hold up to ~10⁵ ions); more is a corrupt count, refused
 * before arrays of that size are allocated. */
export const MAX_ATOMS = 1_000_000;

/** Splits decoded text blocks into lines, keeping the unfinished tail; `feed` blocks, then `finish` once. */
export class LineSplitter {
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
  const sp = new LineSplitter(parser);
  sp.feed(text, out);
  sp.finish(out);
  return out;
}
