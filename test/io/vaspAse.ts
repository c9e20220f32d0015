/**
 * ASE cross-check helpers for the VASP readers (OUTCAR, vasprun.xml, XDATCAR): what ASE 3.22 (Debian python3-ase)
 * reads from a file, as JSON (exact floats), and the largest differences to what farfield reads.
 */
import type { Structure } from '../../src/core/index.js';
import { setIoWarningHandler, type IoWarning } from '../../src/io/index.js';
import { runPython } from './python.js';

const DUMP = `
import sys, json, warnings
import numpy as np
from ase.io import read
warnings.simplefilter('ignore')
files = []
for path in sys.argv[2:]:
  out = []
  files.append(out)
  for a in read(path, ':', format=sys.argv[1]):
    d = dict(symbols=a.get_chemical_symbols(), cell=a.cell.array.ravel().tolist(), positions=a.positions.ravel().tolist())
    if a.calc is not None:
        r = a.calc.results
        for k in ('energy', 'free_energy'):
            if r.get(k) is not None: d[k] = float(r[k])
        for k in ('forces', 'stress'):
            if r.get(k) is not None: d[k] = np.asarray(r[k]).ravel().tolist()
    out.append(d)
print(json.dumps(files))
`;

export interface AseVaspFrame {
  symbols: string[];
  cell: number[];
  positions: number[];
  energy?: number;
  free_energy?: number;
  forces?: number[];
  /** Voigt xx yy zz yz xz xy, eV/Å³. */
  stress?: number[];
}

type AseFormat = 'vasp-out' | 'vasp-xml' | 'vasp-xdatcar';

/** What ASE reads from each file (one Python run for all of them). */
export function aseReadVaspMany(paths: string[], format: AseFormat): AseVaspFrame[][] {
  return JSON.parse(runPython(DUMP, [format, ...paths])) as AseVaspFrame[][];
}

export function aseReadVasp(path: string, format: AseFormat): AseVaspFrame[] {
  return aseReadVaspMany([path], format)[0];
}

export interface AseDiffs {
  frames: number;
  energy: number;
  energySigma0: number;
  forces: number;
  stress: number;
  positions: number;
  cell: number;
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>, what: string): number {
  if (a.length !== b.length) throw new Error(`${what}: lengths ${a.length} and ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Largest |ours − ASE| per quantity over all frames (symbols must match exactly; a label present on one side only
 * throws). energy = our energyEv vs ASE's free_energy; energySigma0 = our info.energy_sigma0 vs ASE's energy. */
export function diffWithAse(ours: Structure[], ase: AseVaspFrame[]): AseDiffs {
  if (ours.length !== ase.length) throw new Error(`farfield read ${ours.length} frames, ASE ${ase.length}`);
  const d: AseDiffs = { frames: ours.length, energy: 0, energySigma0: 0, forces: 0, stress: 0, positions: 0, cell: 0 };
  ours.forEach((s, k) => {
    const a = ase[k];
    const syms = Array.from(s.species, (i) => s.symbols[i]);
    if (syms.join(' ') !== a.symbols.join(' ')) throw new Error(`frame ${k}: symbols differ: ${syms.join(' ')} vs ${a.symbols.join(' ')}`);
    d.positions = Math.max(d.positions, maxAbs(s.positions, a.positions, 'positions'));
    d.cell = Math.max(d.cell, maxAbs(s.cell, a.cell, 'cell'));
    const L = s.labels;
    if ((L.energyEv === undefined) !== (a.free_energy === undefined)) throw new Error(`frame ${k}: energy on one side only`);
    if (L.energyEv !== undefined) d.energy = Math.max(d.energy, Math.abs(L.energyEv - (a.free_energy as number)));
    const e0 = s.info.energy_sigma0;
    if (a.energy !== undefined && typeof e0 === 'number') d.energySigma0 = Math.max(d.energySigma0, Math.abs(e0 - a.energy));
    if (!!L.forcesEvPerA !== !!a.forces) throw new Error(`frame ${k}: forces on one side only`);
    if (L.forcesEvPerA && a.forces) d.forces = Math.max(d.forces, maxAbs(L.forcesEvPerA, a.forces, 'forces'));
    if (!!L.stressEvPerA3 !== !!a.stress) throw new Error(`frame ${k}: stress on one side only`);
    if (L.stressEvPerA3 && a.stress) {
      const S = L.stressEvPerA3;
      d.stress = Math.max(d.stress, maxAbs([S[0], S[4], S[8], S[5], S[2], S[1]], a.stress, 'stress'));
      // and the matrix is symmetric
      d.stress = Math.max(d.stress, Math.abs(S[1] - S[3]), Math.abs(S[2] - S[6]), Math.abs(S[5] - S[7]));
    }
  });
  return d;
}

export function formatDiffs(name: string, d: AseDiffs): string {
  const f = (x: number) => x.toExponential(1);
  return `${name}: ${d.frames} frames, max |Δ| energy ${f(d.energy)} eV, E(σ→0) ${f(d.energySigma0)} eV, forces ${f(d.forces)} eV/Å, stress ${f(d.stress)} eV/Å³, positions ${f(d.positions)} Å, cell ${f(d.cell)} Å`;
}

/** Run `fn` collecting the readers' warnings (restores the previous handler). */
export function withWarnings<T>(fn: () => T): { value: T; warnings: IoWarning[] } {
  const warnings: IoWarning[] = [];
  const prev = setIoWarningHandler((w) => warnings.push(w));
  try {
    return { value: fn(), warnings };
  } finally {
    setIoWarningHandler(prev);
  }
}
