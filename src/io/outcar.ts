/**
 * VASP OUTCAR reader: every complete ionic step, read line by line (OUTCARs can be GBs; see lines.ts), with the
 * same meaning as ASE 3.22 (`ase.io.vasp_parsers.vasp_outcar_parsers`, `read(path, ':', format='vasp-out')`).
 *
 * Header (up to the first line containing 'Iteration'):
 *   species       one per type from the ' POTCAR:' lines (VASP prints each twice: the first half is kept, as ASE
 *                 does); symbol = 3rd token ('PAW_PBE Zr_sv 04Jan2005' → 'Zr_sv'), cut at '_', letters only
 *                 ('H1.25' → 'H'); an all-electron 'H 1/r potential' line → 2nd token. Fallbacks for headers
 *                 without 'POTCAR:' lines: the 'TITEL =' lines, then the 'VRHFIN =Sym:' lines.
 *   ions per type 'ions per type = 32 64' → atom i has the species of its block (atoms in type order).
 * Ionic step (from the end of the previous one to the 'FREE ENERGIE OF THE ION-ELECTRON SYSTEM' line plus 4 lines;
 * within a step the last occurrence of each block wins, as in ASE):
 *   cell          the 3 lines after 'direct lattice vectors' (first 3 numbers of each: rows a1, a2, a3 in Å)
 *   positions     'POSITION          … TOTAL-FORCE (eV/Angst)', a dashed line, then N lines x y z Fx Fy Fz (Å, eV/Å)
 *   stress        'in kB  XX YY ZZ XY YZ ZX' (kbar, VASP sign: positive = compressed); ASE's sign and units:
 *                 σ_ASE = −σ_VASP / 1602.1766208 eV/Å³ (full symmetric 3×3 here); a line VASP overflowed to '****'
 *                 gives a warning and no stress for that step (ASE does the same)
 *   energies      'free  energy   TOTEN  = E_F eV' and 'energy  without entropy= … energy(sigma->0) = E_0':
 *                 labels.energyEv = E_F (the free energy, consistent with the forces; ASE's `free_energy`),
 *                 info.free_energy = E_F, info.energy_sigma0 = E_0 (ASE's `energy`, the σ→0 extrapolation)
 * Fortran prints adjacent negative numbers without a space ('-18903.71297-19513.14361'); such lines are split before
 * '-' between digits, as ASE does. The trailing part after the last complete step is ignored (linear-response
 * iterations of LEPSILON runs; the unfinished step of a run still going, which gives a warning).
 */
import { FarfieldError, EV_PER_A3_IN_KBAR, type Structure } from '../core/index.js';
import { atomicNumber } from './elements.js';
import { MAX_ATOMS, parseLines, type LineParser } from './lines.js';
import { clip, parseError, parseReal, realOrNaN, tokens } from './text.js';
import { ioWarn } from './warnings.js';

const STEP_END = 'FREE ENERGIE OF THE ION-ELECTRON SYSTEM';

/** ASE's fix for Fortran output without a separator before a minus sign ('1.5-2.5' → '1.5 -2.5'). */
function splitFortran(line: string): string[] {
  return tokens(/\d-\d/.test(line) ? line.replace(/(\d)-(?=\d)/g, '$1 -') : line);
}

/** Element symbol from a POTCAR title ('PAW_PBE Zr_sv 04Jan2005', 'PAW_PBE H1.25 07Sep2000', 'H 1/r potential'). */
function potcarSymbol(title: string, file: string, line: number): string {
  const parts = tokens(title);
  const raw = title.includes('1/r potential') ? parts[0] : parts[1];
  const sym = (raw ?? '').split('_')[0].replace(/[^A-Za-z]/g, '');
  if (atomicNumber(sym) === undefined) throw parseError(`cannot tell the element of the POTCAR '${clip(title.trim(), 60)}'`, file, line, 'species');
  return sym;
}

/** Number after the first `marker` followed by '=' on the line, else NaN. */
function numberAfter(line: string, marker: string): number {
  const i = line.indexOf(marker);
  if (i < 0) return NaN;
  const eq = line.indexOf('=', i + marker.length);
  if (eq < 0) return NaN;
  const t = tokens(line.substring(eq + 1));
  return t.length > 0 ? realOrNaN(t[0]) : NaN;
}

export class OutcarParser implements LineParser {
  private inHeader = true;
  private potcar: string[] = [];
  private titel: string[] = [];
  private vrhfin: string[] = [];
  private counts: number[] | null = null;
  private countsLine = 0;
  // set when the header is complete
  private symbols: string[] = [];
  private species = new Int32Array(0);
  private n = 0;
  // current ionic step
  private stepStart = 0;
  private stepHasData = false;
  private cell: Float64Array | null = null;
  private cellRow = -1;
  private positions: Float64Array | null = null;
  private forces: Float64Array | null = null;
  private posRow = -2;
  private posBlock = { positions: new Float64Array(0), forces: new Float64Array(0) };
  private stress: Float64Array | null = null;
  private energyLine = -1;
  private freeEnergy = NaN;
  private sigma0 = NaN;
  private finished = false;
  private steps = 0;

  constructor(readonly file: string) {}

  private num(tok: string | undefined, line: number, field: string): number {
    return parseReal(tok, { file: this.file, line: line, field }, 'a number');
  }

  line(text: string, no: number, out: Structure[]): void {
    if (this.inHeader) {
      this.headerLine(text, no);
      return;
    }
    if (this.cellRow >= 0) {
      const t = splitFortran(text);
      const r = this.cellRow;
      for (let c = 0; c < 3; c++) this.cell![3 * r + c] = this.num(t[c], no, 'direct lattice vectors');
      this.cellRow = r === 2 ? -1 : r + 1;
      return;
    }
    if (this.posRow > -2) {
      if (this.posRow === -1) { // the dashed line under the title
        this.posRow = 0;
        return;
      }
      const t = splitFortran(text);
      const a = this.posRow;
      if (t.length < 6) throw parseError(`atom ${a + 1} of ${this.n}: expected x y z Fx Fy Fz, got ${t.length} columns`, this.file, no, 'POSITION/TOTAL-FORCE');
      const P = this.posBlock.positions, F = this.posBlock.forces;
      for (let d = 0; d < 3; d++) {
        P[3 * a + d] = this.num(t[d], no, 'POSITION');
        F[3 * a + d] = this.num(t[3 + d], no, 'TOTAL-FORCE');
      }
      if (a + 1 === this.n) {
        this.positions = P;
        this.forces = F;
        this.posRow = -2;
      } else this.posRow = a + 1;
      return;
    }
    if (this.energyLine >= 0) {
      this.energyLine++;
      if (this.energyLine === 2) {
        let e = numberAfter(text, 'TOTEN');
        if (Number.isNaN(e)) e = realOrNaN(tokens(text)[4] ?? '');
        if (Number.isNaN(e)) throw parseError(`expected 'free  energy   TOTEN  = <number> eV', got '${clip(text.trim(), 60)}'`, this.file, no, 'TOTEN');
        this.freeEnergy = e;
      } else if (this.energyLine === 4) {
        let e = numberAfter(text, 'energy(sigma->0)');
        if (Number.isNaN(e)) e = realOrNaN(tokens(text)[6] ?? '');
        if (Number.isNaN(e)) throw parseError(`expected '… energy(sigma->0) = <number>', got '${clip(text.trim(), 60)}'`, this.file, no, 'energy(sigma->0)');
        this.sigma0 = e;
        this.energyLine = -1;
        out.push(this.emit(no));
      }
      return;
    }
    if (text.includes('in kB ')) {
      this.stepHasData = true;
      const t = splitFortran(text).slice(2);
      if (t.some((x) => x.includes('*'))) {
        ioWarn(`stress line overflowed ('${clip(text.trim(), 60)}'): this ionic step gets no stress (as ASE does)`, { file: this.file, line: no, field: 'in kB' });
        this.stress = null;
        return;
      }
      if (t.length < 6) throw parseError(`expected 6 stress components XX YY ZZ XY YZ ZX, got ${t.length}`, this.file, no, 'in kB');
      const v = t.slice(0, 6).map((x) => this.num(x, no, 'in kB'));
      const k = -1 / EV_PER_A3_IN_KBAR;
      const [xx, yy, zz, xy, yz, zx] = v.map((x) => x * k);
      this.stress = Float64Array.of(xx, xy, zx, xy, yy, yz, zx, yz, zz);
    } else if (text.includes('direct lattice vectors')) {
      this.stepHasData = true;
      this.cell = new Float64Array(9);
      this.cellRow = 0;
    } else if (text.includes('POSITION          ')) {
      this.stepHasData = true;
      this.posBlock = { positions: new Float64Array(3 * this.n), forces: new Float64Array(3 * this.n) };
      this.posRow = this.n > 0 ? -1 : -2;
      if (this.n === 0) { this.positions = this.posBlock.positions; this.forces = this.posBlock.forces; }
    } else if (text.includes(STEP_END)) {
      this.stepHasData = true;
      this.energyLine = 0;
    } else if (text.includes('Iteration')) {
      this.stepHasData = true;
    } else if (text.includes('General timing and accounting')) {
      this.finished = true;
    }
  }

  private headerLine(text: string, no: number): void {
    if (text.includes('POTCAR:')) {
      this.potcar.push(potcarSymbol(text.substring(text.indexOf('POTCAR:') + 7), this.file, no));
    } else if (text.includes('TITEL')) {
      const eq = text.indexOf('=');
      if (eq >= 0) this.titel.push(potcarSymbol(text.substring(eq + 1), this.file, no));
    } else if (text.includes('VRHFIN')) {
      const m = /VRHFIN\s*=\s*([A-Za-z]+)/.exec(text);
      if (m) this.vrhfin.push(m[1]);
    } else if (text.includes('ions per type')) {
      const eq = text.indexOf('=');
      const t = tokens(text.substring(eq + 1));
      this.counts = t.map((x) => {
        if (!/^\d+$/.test(x)) throw parseError(`expected the number of ions of each type, got '${clip(x)}'`, this.file, no, 'ions per type');
        return Number(x);
      });
      const total = this.counts.reduce((a, b) => a + b, 0);
      if (total > MAX_ATOMS) throw parseError(`${total} ions announced (more than ${MAX_ATOMS}): the line is corrupt`, this.file, no, 'ions per type');
      this.countsLine = no;
    } else if (text.includes('Iteration')) {
      this.endHeader(no);
    }
  }

  private endHeader(no: number): void {
    const species = this.potcar.length > 0 ? this.potcar.slice(0, (this.potcar.length + 1) >> 1) : this.titel.length > 0 ? this.titel : this.vrhfin;
    if (this.counts === null) throw parseError("no 'ions per type' line before the first electronic iteration", this.file, no, 'ions per type');
    if (species.length === 0) throw parseError("no 'POTCAR:', 'TITEL' or 'VRHFIN' lines naming the species before the first electronic iteration", this.file, no, 'species');
    if (species.length !== this.counts.length)
      throw parseError(`${species.length} species from the POTCAR lines (${species.join(' ')}) but ${this.counts.length} numbers of ions per type`, this.file, this.countsLine, 'ions per type');
    const index = new Map<string, number>();
    const sp: number[] = [];
    species.forEach((s, k) => {
      let id = index.get(s);
      if (id === undefined) { id = this.symbols.length; this.symbols.push(s); index.set(s, id); }
      for (let j = 0; j < this.counts![k]; j++) sp.push(id);
    });
    this.species = Int32Array.from(sp);
    this.n = sp.length;
    this.inHeader = false;
    this.stepStart = no + 1;
  }

  private emit(no: number): Structure {
    const where = `the ionic step of lines ${this.stepStart}–${no}`;
    if (this.cell === null) throw parseError(`${where} has no 'direct lattice vectors' block`, this.file, no, 'direct lattice vectors');
    if (this.positions === null || this.forces === null) throw parseError(`${where} has no 'POSITION … TOTAL-FORCE' block`, this.file, no, 'POSITION');
    const s: Structure = {
      cell: this.cell.slice(), pbc: [true, true, true], positions: this.positions, species: this.species.slice(), symbols: [...this.symbols],
      info: { free_energy: this.freeEnergy, energy_sigma0: this.sigma0 }, arrays: {},
      labels: { energyEv: this.freeEnergy, forcesEvPerA: this.forces },
    };
    if (this.stress) s.labels.stressEvPerA3 = this.stress;
    this.steps++;
    this.stepStart = no + 1;
    this.stepHasData = false;
    this.positions = this.forces = this.stress = null;
    return s;
  }

  end(): void {
    if (this.inHeader) {
      if (this.counts === null && this.potcar.length === 0)
        throw new FarfieldError('PARSE', 'not a VASP OUTCAR (no POTCAR or ions-per-type lines)', { file: this.file });
      throw new FarfieldError('PARSE', "the OUTCAR ends in its header, before the first electronic iteration (the run has not started or the file is cut)", { file: this.file });
    }
    if (this.stepHasData && !this.finished)
      ioWarn(`the run did not finish: the last ionic step (from line ${this.stepStart}) is incomplete (no '${STEP_END}' block) and is ignored; ${this.steps} complete step${this.steps === 1 ? '' : 's'} read`, { file: this.file });
  }
}

/** Every complete ionic step of an OUTCAR held in memory. */
export function parseOutcar(text: string, file: string): Structure[] {
  return parseLines(text, new OutcarParser(file));
}
