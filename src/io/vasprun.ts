/**
 * VASP vasprun.xml reader: one structure per `<calculation>` block (every ionic step), read with a small streaming
 * tag scanner (no DOM, no dependency: the file is fed line by line, lines.ts, so multi-GB files stream), with the
 * meaning of ASE 3.22's `read_vasp_xml` (`read(path, ':', format='vasp-xml')`).
 *
 *   species     atominfo/array[@name='atoms']/set/rc: the first <c> of each row (element, one row per atom)
 *   per step    calculation/structure/crystal/varray[@name='basis']/v     cell rows, Å
 *               calculation/structure/varray[@name='positions']/v         fractional f: r = f·cell
 *               calculation/varray[@name='forces']/v                      eV/Å
 *               calculation/varray[@name='stress']/v                      kbar, VASP sign (positive = compressed);
 *                   σ_ASE = −σ / 1602.1766208 eV/Å³, symmetric from the upper triangle (what ASE's Voigt keeps)
 *               calculation/energy/i[@name='e_fr_energy']                 free energy E_F (VASP's TOTEN)
 *               calculation/scstep[last]/energy/i e_0_energy, e_fr_energy  for ASE's σ→0 energy
 *   energies    labels.energyEv = E_F (consistent with the forces; ASE's `free_energy`), info.free_energy = E_F,
 *               info.energy_sigma0 = E_F + (e_0 − e_fr of the last SCF step) (ASE's `energy`; ASE's workaround for
 *               VASP writing a wrong e_0_energy in calculation/energy)
 *   selective   structure[@name='initialpos']/varray[@name='selective'] → per-atom L:3 `selective_dynamics`
 *               (T = may move), as the POSCAR reader gives it
 * A file cut short (run still going): the calculations whose final <energy> was read are kept, the last one is
 * dropped with a warning; with none complete, the initial structure is returned without labels (as ASE does).
 * Malformed numbers, rows of the wrong length or count, and mismatched tags are PARSE errors with file:line.
 */
import { EV_PER_A3_IN_KBAR, FarfieldError, type Structure } from '../core/index.js';
import { atomicNumber, capitalize } from './elements.js';
import { parseLines, type LineParser } from './lines.js';
import { clip, parseError, realOrNaN, tokens } from './text.js';
import { ioWarn } from './warnings.js';

interface Element {
  tag: string;
  name: string | undefined;
}

/** What the text of the element being read is for. */
type Capture =
  | 'species' | 'initCell' | 'initPos' | 'initSel' | 'cell' | 'pos' | 'forces' | 'stress'
  | 'scE0' | 'scEfr' | 'eFr';

const ATTR_RE = /([A-Za-z_:][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

function attrName(body: string): string | undefined {
  ATTR_RE.lastIndex = 0;
  for (let m = ATTR_RE.exec(body); m; m = ATTR_RE.exec(body)) if (m[1] === 'name') return m[2] ?? m[3];
  return undefined;
}

/** End of a start/end tag beginning at `lt` (index of '>'), skipping quoted attribute values; -1 if not in `s`. */
function tagEnd(s: string, lt: number): number {
  let q = 0;
  for (let i = lt + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (q !== 0) {
      if (c === q) q = 0;
    } else if (c === 34 || c === 39) q = c;
    else if (c === 62) return i;
  }
  return -1;
}

interface Calc {
  cell: number[][];
  pos: number[][];
  forces: number[][] | null;
  stress: number[][] | null;
  scE0: number;
  scEfr: number;
  eFr: number;
  startLine: number;
  /** Line where each of basis, positions, forces, stress ended (for messages). */
  lines: Record<string, number>;
}

export class VasprunParser implements LineParser {
  private buf = '';
  private stack: Element[] = [];
  private lineNo = 0;
  private capture: Capture | null = null;
  private text = '';
  private rcFirst = false;
  private sawRoot = false;
  // atominfo and the initial structure
  private speciesList: string[] = [];
  private initCell: number[][] = [];
  private initPos: number[][] = [];
  private initSel: string[][] = [];
  private initDone = false;
  private symbols: string[] = [];
  private species = new Int32Array(0);
  private calc: Calc | null = null;
  private calcs = 0;

  constructor(readonly file: string) {}

  private err(message: string, field?: string): FarfieldError {
    return parseError(message, this.file, this.lineNo, field);
  }

  line(text: string, no: number, out: Structure[]): void {
    this.lineNo = no;
    const s = this.buf.length > 0 ? this.buf + text + '\n' : text + '\n';
    this.buf = '';
    let pos = 0;
    for (;;) {
      const lt = s.indexOf('<', pos);
      if (lt < 0) {
        if (this.capture !== null) this.text += s.substring(pos);
        return;
      }
      if (lt > pos && this.capture !== null) this.text += s.substring(pos, lt);
      let end: number;
      if (s.startsWith('<!--', lt)) {
        end = s.indexOf('-->', lt + 4);
        if (end < 0) { this.buf = s.substring(lt); return; }
        pos = end + 3;
      } else if (s.startsWith('<![CDATA[', lt)) {
        end = s.indexOf(']]>', lt + 9);
        if (end < 0) { this.buf = s.substring(lt); return; }
        if (this.capture !== null) this.text += s.substring(lt + 9, end);
        pos = end + 3;
      } else if (s.startsWith('<?', lt) || s.startsWith('<!', lt)) {
        end = s.indexOf('>', lt + 2);
        if (end < 0) { this.buf = s.substring(lt); return; }
        pos = end + 1;
      } else {
        end = tagEnd(s, lt);
        if (end < 0) { this.buf = s.substring(lt); return; }
        this.tag(s.substring(lt + 1, end), out);
        pos = end + 1;
      }
    }
  }

  private tag(body: string, out: Structure[]): void {
    if (body.charCodeAt(0) === 47 /* / */) {
      const name = body.substring(1).trim();
      const top = this.stack.pop();
      if (top === undefined || top.tag !== name) throw this.err(`mismatched </${name}>: the open element is <${top?.tag ?? 'none'}>`, name);
      this.close(top, out);
      return;
    }
    const self = body.endsWith('/');
    const m = /^[A-Za-z_:][\w:.-]*/.exec(body);
    if (m === null) throw this.err(`malformed tag '<${clip(body)}>'`);
    const el: Element = { tag: m[0], name: attrName(body.substring(m[0].length)) };
    if (!this.sawRoot) {
      if (el.tag !== 'modeling') throw this.err(`not a vasprun.xml: the root element is <${el.tag}>, expected <modeling>`);
      this.sawRoot = true;
    }
    this.open(el);
    this.stack.push(el);
    if (self) {
      this.stack.pop();
      this.close(el, out);
    }
  }

  private at(k: number): Element | undefined {
    return this.stack[this.stack.length - 1 - k];
  }

  private open(el: Element): void {
    const p = this.at(0), g = this.at(1), gg = this.at(2), ggg = this.at(3);
    let c: Capture | null = null;
    switch (el.tag) {
      case 'calculation':
        this.startCalc();
        break;
      case 'rc':
        this.rcFirst = true;
        break;
      case 'c':
        if (this.rcFirst && p?.tag === 'rc' && gg?.tag === 'array' && gg.name === 'atoms' && ggg?.tag === 'atominfo') c = 'species';
        this.rcFirst = false;
        break;
      case 'v':
        if (p?.tag !== 'varray') break;
        if (p.name === 'basis' && g?.tag === 'crystal' && gg?.tag === 'structure') {
          if (gg.name === 'initialpos') c = 'initCell';
          else if (ggg?.tag === 'calculation') c = 'cell';
        } else if (p.name === 'positions' && g?.tag === 'structure') {
          if (g.name === 'initialpos') c = 'initPos';
          else if (gg?.tag === 'calculation') c = 'pos';
        } else if (p.name === 'selective' && g?.tag === 'structure' && g.name === 'initialpos') c = 'initSel';
        else if (p.name === 'forces' && g?.tag === 'calculation') c = 'forces';
        else if (p.name === 'stress' && g?.tag === 'calculation') c = 'stress';
        break;
      case 'i':
        if (p?.tag !== 'energy' || (el.name !== 'e_fr_energy' && el.name !== 'e_0_energy')) break;
        if (g?.tag === 'scstep' && gg?.tag === 'calculation') c = el.name === 'e_0_energy' ? 'scE0' : 'scEfr';
        else if (g?.tag === 'calculation' && el.name === 'e_fr_energy') c = 'eFr';
        break;
      case 'varray':
        if (p?.tag === 'calculation' && this.calc) {
          if (el.name === 'forces') this.calc.forces = [];
          else if (el.name === 'stress') this.calc.stress = [];
        }
        break;
    }
    // the per-step captures need an open calculation (a stray block after </calculation> is ignored)
    if (this.calc === null && c !== null && c !== 'species' && c !== 'initCell' && c !== 'initPos' && c !== 'initSel') c = null;
    this.capture = c;
    this.text = '';
  }

  private row(what: string, width = 3): number[] {
    const t = tokens(this.text);
    if (t.length !== width) throw this.err(`expected ${width} numbers, got ${t.length} ('${clip(this.text.trim())}')`, what);
    return t.map((x) => {
      const v = realOrNaN(x);
      if (Number.isNaN(v)) throw this.err(`expected a number, got '${clip(x)}'`, what);
      return v;
    });
  }

  private scalar(what: string): number {
    const t = tokens(this.text);
    const v = t.length === 1 ? realOrNaN(t[0]) : NaN;
    if (Number.isNaN(v)) throw this.err(`expected one number, got '${clip(this.text.trim())}'`, what);
    return v;
  }

  private close(el: Element, out: Structure[]): void {
    const c = this.capture;
    this.capture = null;
    if (c !== null) {
      const k = this.calc;
      switch (c) {
        case 'species': {
          const sym = capitalize(this.text.trim());
          if (atomicNumber(sym) === undefined) throw this.err(`'${clip(this.text.trim())}' is not an element symbol`, 'atominfo');
          this.speciesList.push(sym);
          break;
        }
        case 'initCell': this.initCell.push(this.row('initialpos basis')); break;
        case 'initPos': this.initPos.push(this.row('initialpos positions')); break;
        case 'initSel': {
          const t = tokens(this.text);
          if (t.length !== 3 || t.some((x) => x !== 'T' && x !== 'F')) throw this.err(`expected three T/F flags, got '${clip(this.text.trim())}'`, 'selective');
          this.initSel.push(t);
          break;
        }
        case 'cell': k!.cell.push(this.row('basis')); break;
        case 'pos': k!.pos.push(this.row('positions')); break;
        case 'forces': k!.forces!.push(this.row('forces')); break;
        case 'stress': k!.stress!.push(this.row('stress')); break;
        case 'scE0': k!.scE0 = this.scalar('e_0_energy'); break;
        case 'scEfr': k!.scEfr = this.scalar('e_fr_energy'); break;
        case 'eFr': k!.eFr = this.scalar('e_fr_energy'); break;
      }
      this.text = '';
    }
    if (el.tag === 'varray' && this.calc !== null && el.name !== undefined) this.calc.lines[el.name] = this.lineNo;
    if (el.tag === 'atominfo') this.endAtominfo();
    else if (el.tag === 'structure' && el.name === 'initialpos') {
      this.checkRows(this.initCell, 3, 'initialpos basis');
      this.checkRows(this.initPos, this.species.length, 'initialpos positions');
      this.initDone = true;
    }
    else if (el.tag === 'calculation') out.push(this.endCalc());
  }

  private endAtominfo(): void {
    const index = new Map<string, number>();
    this.symbols = [];
    this.species = Int32Array.from(this.speciesList, (s) => {
      let id = index.get(s);
      if (id === undefined) { id = this.symbols.length; this.symbols.push(s); index.set(s, id); }
      return id;
    });
  }

  private checkRows(rows: number[][] | null, n: number, what: string, line = this.lineNo, where = ''): void {
    const got = rows === null ? 0 : rows.length;
    if (got !== n) throw parseError(`${got} rows, expected ${n}${what.includes('basis') ? '' : ' (one per atom of atominfo)'}${where}`, this.file, line, what);
  }

  private startCalc(): void {
    if (this.calc !== null) throw this.err(`a <calculation> inside the calculation from line ${this.calc.startLine}`, 'calculation');
    if (this.species.length === 0 && this.speciesList.length === 0) throw this.err('a <calculation> before <atominfo> (the species are unknown)', 'calculation');
    this.calc = { cell: [], pos: [], forces: null, stress: null, scE0: NaN, scEfr: NaN, eFr: NaN, startLine: this.lineNo, lines: {} };
  }

  private build(cellRows: number[][], frac: number[][]): Structure {
    const n = this.species.length;
    const cell = Float64Array.from(cellRows.flat());
    const positions = new Float64Array(3 * n);
    for (let a = 0; a < n; a++) {
      const [f0, f1, f2] = frac[a];
      for (let d = 0; d < 3; d++) positions[3 * a + d] = f0 * cell[d] + f1 * cell[3 + d] + f2 * cell[6 + d];
    }
    const s: Structure = { cell, pbc: [true, true, true], positions, species: this.species.slice(), symbols: [...this.symbols], info: {}, arrays: {}, labels: {} };
    if (this.initSel.length === n && n > 0) {
      const data = new Uint8Array(3 * n);
      this.initSel.forEach((t, a) => t.forEach((x, d) => { data[3 * a + d] = x === 'T' ? 1 : 0; }));
      s.arrays.selective_dynamics = { type: 'L', width: 3, data };
    }
    return s;
  }

  private endCalc(): Structure {
    const k = this.calc!;
    this.calc = null;
    const n = this.species.length;
    const where = ` in the calculation from line ${k.startLine}`;
    const at = (name: string) => k.lines[name] ?? this.lineNo;
    if (k.cell.length === 0) throw this.err(`no structure/crystal/basis${where}`, 'calculation');
    this.checkRows(k.cell, 3, 'basis', at('basis'), where);
    this.checkRows(k.pos, n, 'positions', at('positions'), where);
    if (Number.isNaN(k.eFr)) throw this.err(`no final <energy> e_fr_energy${where}`, 'calculation');
    const s = this.build(k.cell, k.pos);
    s.labels.energyEv = k.eFr;
    s.info.free_energy = k.eFr;
    if (!Number.isNaN(k.scE0) && !Number.isNaN(k.scEfr)) s.info.energy_sigma0 = k.eFr + (k.scE0 - k.scEfr);
    if (k.forces !== null) {
      this.checkRows(k.forces, n, 'forces', at('forces'), where);
      s.labels.forcesEvPerA = Float64Array.from(k.forces.flat());
    }
    if (k.stress !== null) {
      this.checkRows(k.stress, 3, 'stress', at('stress'), where);
      const f = -1 / EV_PER_A3_IN_KBAR;
      const S = k.stress;
      const xx = S[0][0] * f, yy = S[1][1] * f, zz = S[2][2] * f, yz = S[1][2] * f, xz = S[0][2] * f, xy = S[0][1] * f;
      s.labels.stressEvPerA3 = Float64Array.of(xx, xy, xz, xy, yy, yz, xz, yz, zz);
    }
    this.calcs++;
    return s;
  }

  end(out: Structure[]): void {
    if (this.buf.trim().length > 0 || this.stack.length > 0) {
      if (!this.sawRoot) throw new FarfieldError('PARSE', 'not a vasprun.xml (no <modeling> element)', { file: this.file });
      const k = this.calc;
      if (k !== null && !Number.isNaN(k.eFr)) {
        ioWarn(`the file ends inside the calculation starting at line ${k.startLine}, after its final energy: kept (as ASE does)`, { file: this.file });
        out.push(this.endCalc());
      } else if (k !== null) {
        ioWarn(`the file ends inside the calculation starting at line ${k.startLine} (the run is still going, or the file is cut): that step is ignored; ${this.calcs} complete calculation${this.calcs === 1 ? '' : 's'} read`, { file: this.file });
      } else {
        ioWarn(`the file ends before </modeling> (the run is still going, or the file is cut)`, { file: this.file });
      }
      if (this.calcs === 0) {
        if (!this.initDone) throw new FarfieldError('PARSE', 'the file ends before any structure was complete (no initialpos, no calculation)', { file: this.file });
        ioWarn('no complete calculation: returning the initial structure without energy or forces (as ASE does)', { file: this.file });
        out.push(this.build(this.initCell, this.initPos));
      }
      return;
    }
    if (!this.sawRoot) throw new FarfieldError('PARSE', 'not a vasprun.xml (no <modeling> element)', { file: this.file });
  }
}

export function parseVasprun(text: string, file: string): Structure[] {
  return parseLines(text, new VasprunParser(file));
}
