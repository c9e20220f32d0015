/**
 * VASP XDATCAR reader (VASP 5 layout), every frame, read line by line (lines.ts), with the meaning of ASE 3.22's
 * `read_vasp_xdatcar`:
 *
 *   header   comment; scaling factor s; 3 lattice vectors (rows, Å before scaling: cell = s·rows); species symbols
 *            (a VASP 6 '/hash' or '_suffix' is cut off, as POSCAR does); counts per species
 *   frame    'Direct configuration=  k', then N lines of fractional coordinates f: r = f·cell (rows)
 * Fixed-cell runs write the header once; variable-cell runs (ISIF=3) repeat it before every frame, and each frame
 * takes the cell of the header before it. XDATCAR has no energies or forces. A last frame cut short (the run is
 * still writing) gives a warning and is ignored; VASP 4 headers and 'Cartesian configuration' frames are refused
 * with a message naming them.
 */
import { FarfieldError, det3, type Structure } from '../core/index.js';
import { atomicNumber, capitalize } from './elements.js';
import { MAX_ATOMS, parseLines, type LineParser } from './lines.js';
import { clip, parseError, parseReal, tokens } from './text.js';
import { ioWarn } from './warnings.js';

function speciesName(tok: string): string {
  return capitalize(tok.split('/')[0].split('_')[0]);
}

type State = 'comment' | 'scale' | 'cell' | 'symbols' | 'counts' | 'config' | 'coords';

export class XdatcarParser implements LineParser {
  private state: State = 'comment';
  private scale = 1;
  private scaleLine = 0;
  private cellRows = new Float64Array(9);
  private cellRow = 0;
  private cell: Float64Array | null = null;
  private symbolsLine: string[] = [];
  private symbols: string[] = [];
  private species = new Int32Array(0);
  private n = 0;
  private atom = 0;
  private positions = new Float64Array(0);
  private frameStart = 0;
  private frames = 0;

  constructor(readonly file: string) {}

  private num(tok: string | undefined, no: number, field: string): number {
    return parseReal(tok, { file: this.file, line: no, field }, 'a number');
  }

  line(text: string, no: number, out: Structure[]): void {
    switch (this.state) {
      case 'comment': {
        if (text.trim() === '') return; // blank lines between frames or at the end
        this.frameStart = no;
        if (/configuration/i.test(text)) {
          this.startFrame(text, no);
          return;
        }
        this.state = 'scale';
        return;
      }
      case 'scale': {
        const t = tokens(text);
        if (t.length !== 1) throw parseError(`expected one scaling factor, got '${clip(text.trim())}'`, this.file, no, 'scale');
        this.scale = this.num(t[0], no, 'scale');
        if (!(this.scale > 0)) throw parseError(`the scaling factor must be positive, got ${this.scale}`, this.file, no, 'scale');
        this.scaleLine = no;
        this.cellRow = 0;
        this.state = 'cell';
        return;
      }
      case 'cell': {
        const t = tokens(text);
        const r = this.cellRow;
        if (t.length < 3) throw parseError(`expected 3 numbers, got ${t.length}`, this.file, no, `lattice vector ${r + 1}`);
        for (let c = 0; c < 3; c++) this.cellRows[3 * r + c] = this.num(t[c], no, `lattice vector ${r + 1}`) * this.scale;
        if (r === 2) {
          if (!(Math.abs(det3(this.cellRows)) > 0)) throw parseError('the lattice vectors are singular (zero volume)', this.file, this.scaleLine + 1, 'lattice');
          this.state = 'symbols';
        } else this.cellRow = r + 1;
        return;
      }
      case 'symbols': {
        const t = tokens(text);
        if (t.length === 0 || /^\d+$/.test(t[0]))
          throw new FarfieldError('UNSUPPORTED', 'VASP 4 XDATCAR (no line of species symbols) is not supported; rewrite it with VASP 5 or later, or give the species in a POSCAR', { file: this.file, line: no, field: 'species' });
        this.symbolsLine = t.map(speciesName);
        for (const s of this.symbolsLine) if (atomicNumber(s) === undefined) throw parseError(`'${clip(s)}' is not an element symbol`, this.file, no, 'species');
        this.state = 'counts';
        return;
      }
      case 'counts': {
        const t = tokens(text);
        if (t.length !== this.symbolsLine.length) throw parseError(`${this.symbolsLine.length} species but ${t.length} counts`, this.file, no, 'counts');
        const counts = t.map((x) => {
          if (!/^\d+$/.test(x)) throw parseError(`expected an atom count, got '${clip(x)}'`, this.file, no, 'counts');
          return Number(x);
        });
        const total = counts.reduce((a, b) => a + b, 0);
        if (total > MAX_ATOMS) throw parseError(`${total} atoms announced (more than ${MAX_ATOMS}): the counts line is corrupt`, this.file, no, 'counts');
        const symbols: string[] = [];
        const index = new Map<string, number>();
        const sp: number[] = [];
        counts.forEach((c, k) => {
          const s = this.symbolsLine[k];
          let id = index.get(s);
          if (id === undefined) { id = symbols.length; symbols.push(s); index.set(s, id); }
          for (let j = 0; j < c; j++) sp.push(id);
        });
        this.symbols = symbols;
        this.species = Int32Array.from(sp);
        this.n = sp.length;
        this.cell = this.cellRows.slice();
        this.state = 'config';
        return;
      }
      case 'config': {
        if (!/configuration/i.test(text)) throw parseError(`expected 'Direct configuration=', got '${clip(text.trim())}'`, this.file, no, 'configuration');
        this.startFrame(text, no);
        return;
      }
      case 'coords': {
        const t = tokens(text);
        const a = this.atom;
        if (t.length < 3) throw parseError(`atom ${a + 1} of ${this.n}: expected 3 fractional coordinates, got ${t.length}`, this.file, no, 'positions');
        const f0 = this.num(t[0], no, 'positions'), f1 = this.num(t[1], no, 'positions'), f2 = this.num(t[2], no, 'positions');
        const C = this.cell!;
        for (let d = 0; d < 3; d++) this.positions[3 * a + d] = f0 * C[d] + f1 * C[3 + d] + f2 * C[6 + d];
        this.atom++;
        if (this.atom === this.n) {
          out.push(this.emit());
          this.state = 'comment';
        }
        return;
      }
    }
  }

  private startFrame(text: string, no: number): void {
    if (this.cell === null) throw parseError(`a configuration line before any header (comment, scale, lattice, species, counts)`, this.file, no, 'header');
    if (!/^\s*direct/i.test(text))
      throw new FarfieldError('UNSUPPORTED', `only 'Direct configuration=' frames are supported (VASP writes fractional coordinates), got '${clip(text.trim())}'`, { file: this.file, line: no, field: 'configuration' });
    this.positions = new Float64Array(3 * this.n);
    this.atom = 0;
    if (this.n === 0) {
      this.state = 'comment';
      throw parseError('a frame with no atoms', this.file, no, 'counts');
    }
    this.state = 'coords';
  }

  private emit(): Structure {
    this.frames++;
    return {
      cell: this.cell!.slice(), pbc: [true, true, true], positions: this.positions, species: this.species.slice(), symbols: [...this.symbols],
      info: {}, arrays: {}, labels: {},
    };
  }

  end(): void {
    if (this.state === 'comment') {
      if (this.frames === 0 && this.cell === null) throw new FarfieldError('PARSE', 'the XDATCAR holds no frame', { file: this.file });
      return;
    }
    ioWarn(`the last frame (from line ${this.frameStart}) is incomplete and is ignored (the run is still writing, or the file is cut); ${this.frames} complete frame${this.frames === 1 ? '' : 's'} read`, { file: this.file });
  }
}

export function parseXdatcar(text: string, file: string): Structure[] {
  return parseLines(text, new XdatcarParser(file));
}
