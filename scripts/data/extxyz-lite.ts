/**
 * Minimal extended-XYZ reader/writer for the data-generation scripts only (ASE conventions: `Lattice` rows in Å,
 * `Properties=species:S:1:pos:R:3[:forces:R:3]`, `energy` eV, `stress` 9 numbers eV/Å³ tensile-positive).
 * The library's own reader/writer lives in src/io; the CLI uses that one. This file exists so that sampling can run
 * without depending on src/io, and handles only the flat frames these scripts produce.
 */
import { readFileSync } from 'node:fs';
import { makeStructure, type InfoValue, type Structure } from '../../src/core/index.js';

function fmt(x: number): string {
  return Object.is(x, -0) ? '0.0' : String(x);
}

function infoValue(v: InfoValue): string {
  if (Array.isArray(v)) return `"${v.map((x) => (typeof x === 'number' ? fmt(x) : String(x))).join(' ')}"`;
  if (typeof v === 'boolean') return v ? 'T' : 'F';
  if (typeof v === 'number') return fmt(v);
  return /[\s"=]/.test(v) || v === '' ? `"${v.replace(/"/g, '\\"')}"` : v;
}

export function frameToExtxyz(s: Structure): string {
  const n = s.species.length;
  const props = ['species:S:1', 'pos:R:3'];
  if (s.labels.forcesEvPerA) props.push('forces:R:3');
  const head: string[] = [`Lattice="${Array.from(s.cell, fmt).join(' ')}"`, `Properties=${props.join(':')}`];
  if (s.labels.energyEv !== undefined) head.push(`energy=${fmt(s.labels.energyEv)}`);
  if (s.labels.stressEvPerA3) head.push(`stress="${Array.from(s.labels.stressEvPerA3, fmt).join(' ')}"`);
  for (const [k, v] of Object.entries(s.info)) head.push(`${k}=${infoValue(v)}`);
  head.push(`pbc="${s.pbc.map((p) => (p ? 'T' : 'F')).join(' ')}"`);
  const lines = [String(n), head.join(' ')];
  for (let i = 0; i < n; i++) {
    const cols = [s.symbols[s.species[i]], fmt(s.positions[3 * i]), fmt(s.positions[3 * i + 1]), fmt(s.positions[3 * i + 2])];
    const f = s.labels.forcesEvPerA;
    if (f) cols.push(fmt(f[3 * i]), fmt(f[3 * i + 1]), fmt(f[3 * i + 2]));
    lines.push(cols.join(' '));
  }
  return lines.join('\n') + '\n';
}

/** Reads the frames written by `frameToExtxyz` (species, pos; info values kept as strings or numbers). */
export function readExtxyzLite(path: string): Structure[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const out: Structure[] = [];
  let k = 0;
  while (k < lines.length && lines[k].trim() !== '') {
    const n = Number(lines[k].trim());
    const header = lines[k + 1];
    const info: Record<string, InfoValue> = {};
    const re = /(\w+)=("([^"]*)"|\S+)/g;
    for (let m = re.exec(header); m; m = re.exec(header)) {
      const raw = m[3] ?? m[2];
      info[m[1]] = raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    }
    const cell = String(info.Lattice).split(/\s+/).map(Number);
    delete info.Lattice;
    delete info.Properties;
    delete info.pbc;
    const symbols: string[] = [];
    const pos: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = lines[k + 2 + i].trim().split(/\s+/);
      symbols.push(t[0]);
      pos.push(Number(t[1]), Number(t[2]), Number(t[3]));
    }
    out.push(makeStructure({ symbols, positions: pos, cell, pbc: true, info }));
    k += n + 2;
  }
  return out;
}
