/**
 * ZrO₂ analysis of docs/RESULTS.md § "Tetragonal ZrO₂ … why long range does not help": how much point-charge
 * electrostatics a short-range (sr) model misses on the shared VASP PBEsol set, and whether the sr model's DFT
 * residuals carry it. Uses the library API on compare's exact split (seed 1, 20 % test, nested training prefix).
 *
 *   node --import tsx scripts/analysis/zro2-electrostatics.ts <stage> [args]      (from the repository root)
 *     ewald                 point-charge Ewald E/F/S of every frame (formal charges Zr +4 / O −2, accuracy 1e-7) and a
 *                           summary (Born-charge traces, ε∞, correlations with the DFT labels)
 *     resid NTRAIN          sr fit on NTRAIN frames; test residuals against the Ewald labels
 *     relabel NTRAIN PRESET PRESET fitted to the pure Ewald labels (what it cannot learn of point-charge electrostatics)
 *     delta NTRAIN QZR      sr fitted to DFT − Ewald(Zr = QZR, O = −QZR/2) (Δ-learning with fixed charges)
 *     perframe              per-test-frame sr force error (from `resid 80`) against the frame's force scale and volume
 *
 * Data: ../shared/data/zro2-tetragonal-96-pbesol/zro2_t96_pbesol_bec.xyz (override with FARFIELD_ZRO2); outputs
 * (JSON) in FARFIELD_ANALYSIS_DIR (default results/zro2-analysis). Read-only on the data, never copies it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng, type Structure } from '../../src/core/index.js';
import { loadStructures } from '../../src/api/io.js';
import { sortSpecies } from '../../src/api/describe.js';
import { resolveDescriptor } from '../../src/api/fit.js';
import { evaluateModel } from '../../src/api/evaluate.js';
import { fitKernelModel } from '../../src/model/index.js';
import { ElectrostaticsCalculator, tuneElectrostatics, chargesOf } from '../../src/electrostatics/index.js';

const FILE = process.env.FARFIELD_ZRO2 ?? '../shared/data/zro2-tetragonal-96-pbesol/zro2_t96_pbesol_bec.xyz';
const OUT = process.env.FARFIELD_ANALYSIS_DIR ?? 'results/zro2-analysis';
mkdirSync(OUT, { recursive: true });
const [stage, a1, a2] = process.argv.slice(2);
const all = loadStructures(FILE).structures;

function split(seed = 1, frac = 0.2): { test: Structure[]; pool: Structure[]; testIdx: number[]; poolIdx: number[] } {
  const perm = Array.from({ length: all.length }, (_, i) => i);
  new Rng(seed).shuffle(perm);
  const nTest = Math.max(1, Math.ceil(frac * perm.length));
  return { testIdx: perm.slice(0, nTest), poolIdx: perm.slice(nTest), test: perm.slice(0, nTest).map((i) => all[i]), pool: perm.slice(nTest).map((i) => all[i]) };
}

const mean = (x: ArrayLike<number>): number => { let s = 0; for (let i = 0; i < x.length; i++) s += x[i]; return s / x.length; };
const rms = (x: ArrayLike<number>): number => { let s = 0; for (let i = 0; i < x.length; i++) s += x[i] * x[i]; return Math.sqrt(s / x.length); };
function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const mx = mean(x), my = mean(y);
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < x.length; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) ** 2; syy += (y[i] - my) ** 2; }
  return sxy / Math.sqrt(sxx * syy);
}
/** slope of y on x through the origin and fraction of Σy² it explains */
function slope0(x: ArrayLike<number>, y: ArrayLike<number>): { slope: number; explained: number } {
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < x.length; i++) { sxy += x[i] * y[i]; sxx += x[i] * x[i]; syy += y[i] * y[i]; }
  return { slope: sxy / sxx, explained: (sxy * sxy) / (sxx * syy) };
}

type Ew = { energy: number[]; forces: number[][]; stress: number[][] };
function loadEwald(): Ew & { summary: Record<string, number> } {
  return JSON.parse(readFileSync(join(OUT, 'ewald.json'), 'utf8'));
}

/** structures with labels = DFT·a + Ewald(formal)·b (energies per frame, forces, stress) */
function relabel(idx: number[], ew: Ew, a: number, b: number): Structure[] {
  return idx.map((i) => {
    const s = all[i];
    const f = new Float64Array(s.positions.length);
    for (let k = 0; k < f.length; k++) f[k] = a * (s.labels.forcesEvPerA?.[k] ?? 0) + b * ew.forces[i][k];
    const st = new Float64Array(9);
    for (let k = 0; k < 9; k++) st[k] = a * (s.labels.stressEvPerA3?.[k] ?? 0) + b * ew.stress[i][k];
    return { ...s, labels: { energyEv: a * (s.labels.energyEv ?? 0) + b * ew.energy[i], forcesEvPerA: f, stressEvPerA3: st } };
  });
}

const species = sortSpecies(all.flatMap((s) => s.symbols));
function fitEval(train: readonly Structure[], test: readonly Structure[], preset: string, hypers?: Record<string, unknown>) {
  const spec = resolveDescriptor(preset, species, hypers);
  const t0 = performance.now();
  const { model } = fitKernelModel(train, { descriptor: spec, selection: { count: 500 } });
  const fitS = (performance.now() - t0) / 1000;
  const ev = evaluateModel(model, test);
  return { fitS, summary: ev.summary, predictions: ev.predictions };
}

function perSpeciesForceRms(test: readonly Structure[], preds: { forcesEvPerA?: Float64Array }[]): Record<string, number> {
  const acc: Record<string, number[]> = {};
  test.forEach((s, k) => {
    for (let i = 0; i < s.species.length; i++) {
      const sym = s.symbols[s.species[i]];
      for (let c = 0; c < 3; c++) (acc[sym] ??= []).push(preds[k].forcesEvPerA![3 * i + c] - s.labels.forcesEvPerA![3 * i + c]);
    }
  });
  return Object.fromEntries(Object.entries(acc).map(([k, v]) => [k, 1000 * rms(v)]));
}

if (stage === 'ewald') {
  // charges from the Born effective charges: trace/3 per atom, averaged per species over all frames
  const bec: Record<string, number[]> = {};
  const eps: number[] = [];
  for (const s of all) {
    const b = s.arrays['born_charges'];
    for (let i = 0; i < s.species.length; i++) {
      const d = b.data as ArrayLike<number>;
      (bec[s.symbols[s.species[i]]] ??= []).push((d[9 * i] + d[9 * i + 4] + d[9 * i + 8]) / 3);
    }
    const e = s.info['dielectric_tensor'] as unknown as number[];
    eps.push((e[0] + e[4] + e[8]) / 3);
  }
  const zZr = mean(bec.Zr), zO = mean(bec.O);
  const epsInf = mean(eps);
  const t0 = performance.now();
  const out: Ew = { energy: [], forces: [], stress: [] };
  for (const s of all) {
    const q = chargesOf(s, { Zr: 4, O: -2 });
    const params = tuneElectrostatics(s, q, { accuracy: 1e-7, method: 'ewald' });
    const c = new ElectrostaticsCalculator({ charges: { Zr: 4, O: -2 }, parameters: params });
    const r = c.calculate(s, { forces: true, stress: true });
    out.energy.push(r.energyEv);
    out.forces.push(Array.from(r.forcesEvPerA!));
    out.stress.push(Array.from(r.stressEvPerA3!));
  }
  // statistics over the set: fluctuations of the Ewald energy per atom, Ewald force RMS, DFT force RMS
  const ePA = out.energy.map((e, i) => e / all[i].species.length);
  const dftE = all.map((s) => s.labels.energyEv! / s.species.length);
  const fEw = out.forces.flat();
  const fDft = all.flatMap((s) => Array.from(s.labels.forcesEvPerA!));
  const std = (x: number[]): number => { const m = mean(x); return Math.sqrt(mean(x.map((v) => (v - m) ** 2))); };
  const summary = {
    zZr_meanBEC: zZr, zO_meanBEC: zO, zZr_std: std(bec.Zr), zO_std: std(bec.O), epsInf_mean: epsInf, epsInf_min: Math.min(...eps), epsInf_max: Math.max(...eps),
    qScreened_Zr: zZr / Math.sqrt(epsInf),
    ewaldFormal_EperAtom_std_meV: 1000 * std(ePA), dft_EperAtom_std_meV: 1000 * std(dftE),
    corr_Eewald_Edft_perAtom: pearson(ePA, dftE),
    ewaldFormal_F_rms_meV: 1000 * rms(fEw), dft_F_rms_meV: 1000 * rms(fDft), corr_Fewald_Fdft: pearson(fEw, fDft),
    slope_Fdft_on_Fewald: slope0(fEw, fDft).slope, explained_Fdft_by_Fewald: slope0(fEw, fDft).explained,
    seconds: (performance.now() - t0) / 1000,
  };
  writeFileSync(join(OUT, 'ewald.json'), JSON.stringify({ ...out, summary }));
  console.log(JSON.stringify(summary, null, 1));
} else if (stage === 'resid') {
  const n = Number(a1);
  const ew = loadEwald();
  const sp = split();
  const train = sp.pool.slice(0, n);
  const r = fitEval(train, sp.test, 'sr');
  // energy residuals per atom (pred − ref) vs Ewald energy per atom, test frames
  const eRes: number[] = [], eEw: number[] = [];
  const fRes: number[] = [], fEw: number[] = [];
  sp.test.forEach((s, k) => {
    const i = sp.testIdx[k];
    const nat = s.species.length;
    eRes.push((r.predictions[k].energyEv! - s.labels.energyEv!) / nat);
    eEw.push(ew.energy[i] / nat);
    for (let c = 0; c < 3 * nat; c++) { fRes.push(r.predictions[k].forcesEvPerA![c] - s.labels.forcesEvPerA![c]); fEw.push(ew.forces[i][c]); }
  });
  const out = {
    n, fitS: r.fitS, summary: r.summary, perSpeciesForceRms: perSpeciesForceRms(sp.test, r.predictions),
    corr_Eres_Eewald: pearson(eRes, eEw), corr_Fres_Fewald: pearson(fRes, fEw), slope0_Fres_on_Fewald: slope0(fEw, fRes),
    eRes, eEw, fRes,
  };
  writeFileSync(join(OUT, `resid-${n}.json`), JSON.stringify(out));
  const { eRes: _a, eEw: _b, fRes: _c, ...print } = out;
  console.log(JSON.stringify(print, null, 1));
} else if (stage === 'relabel') {
  const n = Number(a1), preset = a2 ?? 'sr';
  const ew = loadEwald();
  const sp = split();
  const train = relabel(sp.poolIdx.slice(0, n), ew, 0, 1);
  const test = relabel(sp.testIdx, ew, 0, 1);
  const r = fitEval(train, test, preset);
  const fErr: number[] = [];
  test.forEach((s, k) => { for (let c = 0; c < s.positions.length; c++) fErr.push(r.predictions[k].forcesEvPerA![c] - s.labels.forcesEvPerA![c]); });
  const out: Record<string, unknown> = { n, preset, charges: 'Zr=+4, O=-2', fitS: r.fitS, summary: r.summary, perSpeciesForceRms: perSpeciesForceRms(test, r.predictions) };
  // compare with the DFT sr residual of the same test set if available: r_dft ≈ c · e_ewald?
  try {
    const res = JSON.parse(readFileSync(join(OUT, `resid-${n}.json`), 'utf8')) as { fRes: number[] };
    out.corr_FresDFT_FerrEwald = pearson(res.fRes, fErr);
    out.slope0_FresDFT_on_FerrEwald = slope0(fErr, res.fRes);
  } catch { /* no residual file */ }
  writeFileSync(join(OUT, `relabel-${preset}-${n}.json`), JSON.stringify({ ...out, fErr }));
  console.log(JSON.stringify(out, null, 1));
} else if (stage === 'delta') {
  const n = Number(a1), qZr = Number(a2);
  const ew = loadEwald();
  const sp = split();
  const b = -((qZr / 4) ** 2);
  const r = fitEval(relabel(sp.poolIdx.slice(0, n), ew, 1, b), relabel(sp.testIdx, ew, 1, b), 'sr');
  console.log(JSON.stringify({ n, qZr, qO: -qZr / 2, fitS: r.fitS, summary: r.summary }, null, 1));
} else if (stage === 'perframe') {
  const perm = Array.from({ length: all.length }, (_, i) => i); new Rng(1).shuffle(perm);
  const testIdx = perm.slice(0, 24);
  const r = JSON.parse(readFileSync(join(OUT, 'resid-80.json'), 'utf8')) as { fRes: number[]; eRes: number[] };
  const rows: string[] = [];
  const pairs: [number, number, number, number][] = [];
  testIdx.forEach((i, k) => {
    const s = all[i]; const f = s.labels.forcesEvPerA!;
    let se = 0, sf = 0, mx = 0;
    for (let c = 0; c < 288; c++) { se += r.fRes[288 * k + c] ** 2; sf += f[c] ** 2; }
    for (let a = 0; a < 96; a++) mx = Math.max(mx, Math.hypot(f[3 * a], f[3 * a + 1], f[3 * a + 2]));
    const c = s.cell; const vol = Math.abs(c[0] * (c[4] * c[8] - c[5] * c[7]) - c[1] * (c[3] * c[8] - c[5] * c[6]) + c[2] * (c[3] * c[7] - c[4] * c[6]));
    pairs.push([Math.sqrt(se / 288), Math.sqrt(sf / 288), mx, vol / 96]);
    rows.push(`${s.info['config_index']}\t${(1000 * Math.sqrt(se / 288)).toFixed(0)}\t${(1000 * Math.sqrt(sf / 288)).toFixed(0)}\t${mx.toFixed(2)}\t${(vol / 96).toFixed(2)}\t${(1000 * r.eRes[k]).toFixed(2)}\t${(s.labels.energyEv! / 96).toFixed(3)}`);
  });
  console.log('config\tF_rmse_meV\tF_rms_dft_meV\tmax|F|\tV/atom\tEres_meV/at\tE/atom');
  console.log(rows.join('\n'));
  const x = pairs.map((p) => p[1]), y = pairs.map((p) => p[0]);
  const m = (a: number[]) => a.reduce((p, v) => p + v, 0) / a.length;
  const mx = m(x), my = m(y); let sxy = 0, sxx = 0, syy = 0; x.forEach((v, i) => { sxy += (v - mx) * (y[i] - my); sxx += (v - mx) ** 2; syy += (y[i] - my) ** 2; });
  console.log('corr(frame F rmse, frame F rms)', (sxy / Math.sqrt(sxx * syy)).toFixed(3), ' ratio mean', (m(y.map((v, i) => v / x[i]))).toFixed(3));
} else {
  console.error('stage: ewald | resid N | relabel N PRESET | delta N QZR | perframe');
  process.exitCode = 2;
}
