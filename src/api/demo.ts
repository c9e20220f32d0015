/**
 * The demo job. Current stage (electrostatics): Madelung constants of NaCl, CsCl, zincblende, ideal wurtzite and
 * fluorite by Ewald and PME against literature values, then the Ewald and PME energy/forces/stress of a 64-ion NaCl
 * configuration built in code (a 2×2×2 rock-salt supercell with seeded random displacements of 0.25 Å), with the
 * parameters derived from the requested accuracy (`runDemo`). The learning part (`runModelDemo`, below) fits sr and
 * sr+lr kernel models on bundled data and writes the comparison reports; `farfield demo` runs both.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeStructure, Rng, type ProgressCallback, type Structure } from '../core/index.js';
import { toyDataset } from '../reference/index.js';
import { compareModels } from './compareFiles.js';
import { loadStructures } from './io.js';
import { resultsTableText, type CompareResults } from '../report/index.js';
import { ElectrostaticsCalculator, describeParameters, type TunedParameters } from '../electrostatics/index.js';
import { madelungTable } from './electrostatics.js';

export interface DemoOptions {
  log?: (line: string) => void;
}

/** 2×2×2 conventional rock-salt supercell (64 ions, a = 5.64 Å) with seeded displacements (Å). */
export function demoNaClStructure(displacementA = 0.25, seed = 2024): ReturnType<typeof makeStructure> {
  const a = 5.64, rng = new Rng(seed);
  const symbols: string[] = [], pos: number[][] = [];
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 4; k++) {
    symbols.push((i + j + k) % 2 === 0 ? 'Na' : 'Cl');
    pos.push([i, j, k].map((x) => (x * a) / 2 + displacementA * (2 * rng.uniform() - 1)));
  }
  return makeStructure({ symbols, positions: pos, cell: [2 * a, 0, 0, 0, 2 * a, 0, 0, 0, 2 * a] });
}

export async function runDemo(options: DemoOptions = {}): Promise<string> {
  const log = options.log ?? (() => {});
  const out: string[] = [];
  out.push('Madelung constants (E per formula unit = −M |z+z−| k_e / d), accuracy 1e-10:');
  out.push(`  ${'structure'.padEnd(18)} ${'Ewald'.padStart(14)} ${'PME'.padStart(14)} ${'literature'.padStart(14)}  source`);
  for (const r of madelungTable())
    out.push(`  ${r.name.padEnd(18)} ${r.ewald.toFixed(10).padStart(14)} ${r.pme.toFixed(10).padStart(14)} ${String(r.literature).padStart(14)}  ${r.source}`);
  log(out.join('\n'));
  const s = demoNaClStructure();
  const lines: string[] = ['', 'NaCl, 64 ions (2×2×2 rock salt, random displacements ≤ 0.25 Å), charges Na +1, Cl −1, accuracy 1e-6:'];
  for (const method of ['ewald', 'pme'] as const) {
    const calc = new ElectrostaticsCalculator({ charges: { Na: 1, Cl: -1 }, method, accuracy: 1e-6 });
    const r = calc.calculate(s);
    let fmax = 0;
    for (const f of r.forcesEvPerA!) fmax = Math.max(fmax, Math.abs(f));
    const st = r.stressEvPerA3!;
    lines.push(`  ${method.padEnd(5)} energy ${r.energyEv.toFixed(6)} eV, max |F| ${fmax.toFixed(6)} eV/Å, pressure ${(-(st[0] + st[4] + st[8]) / 3).toExponential(5)} eV/Å³`);
    lines.push(`        F(atom 0) = (${Array.from(r.forcesEvPerA!.slice(0, 3), (x) => x.toFixed(6)).join(', ')}) eV/Å`);
    lines.push(`        ${describeParameters(calc.lastParameters as TunedParameters)}`);
  }
  return (options.log ? '' : out.join('\n') + '\n') + lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------------------------
// The learning part of the demo (issue 8): sr versus sr+lr on bundled data.

export interface ModelDemoOptions {
  /** Report folder (default 'farfield-demo'); one sub-folder per dataset. */
  out?: string;
  /** Folder holding toy.xyz and nacl-liquid-pbe.xyz (default: the package's data/ folder). */
  dataDir?: string;
  /** Frames taken from each dataset (default 40), training sizes (default [8, 16]), references per species (64). */
  frames?: number;
  trainSizes?: number[];
  references?: number;
  /** Candidate sr+lr block weights tuned on a validation split (default: none, the preset's). */
  lrWeights?: number[];
  log?: (line: string) => void;
  onProgress?: ProgressCallback;
  onStage?: (label: string) => void;
}

export interface ModelDemoResult {
  datasets: { name: string; file: string; results: CompareResults; report: string }[];
  text: string;
}

/** The package's data/ folder: the nearest ancestor of this module holding data/toy.xyz. */
export function bundledDataDir(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let k = 0; k < 6; k++) {
    if (existsSync(join(dir, 'data', 'toy.xyz'))) return join(dir, 'data');
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return null;
}

/**
 * Fit sr and sr+lr on small subsets of the bundled toy point charges (data/toy.xyz; generated in memory with the
 * same recipe if absent) and liquid NaCl (data/nacl-liquid-pbe.xyz, skipped if absent), evaluate on held-out frames,
 * print the comparison tables and write one HTML report per dataset. Small on purpose (a few minutes on 2 cores):
 * the numbers show the workflow, not converged errors — `farfield compare` with larger sizes gives those.
 */
export async function runModelDemo(o: ModelDemoOptions = {}): Promise<ModelDemoResult> {
  const log = o.log ?? (() => {});
  const out = o.out ?? 'farfield-demo';
  const frames = o.frames ?? 40;
  const dataDir = o.dataDir ?? bundledDataDir();
  const text: string[] = [];
  const say = (s: string) => {
    text.push(s);
    log(s);
  };
  const sets: { name: string; file: string; structures: Structure[] }[] = [];
  const toyFile = dataDir ? join(dataDir, 'toy.xyz') : null;
  if (toyFile && existsSync(toyFile)) sets.push({ name: 'toy', file: toyFile, structures: loadStructures(toyFile).structures.slice(0, frames) });
  else sets.push({ name: 'toy', file: '(generated: 64 point charges ±1, seed 1)', structures: toyDataset({ n: frames, atoms: 64, seed: 1 }) });
  const naclFile = dataDir ? join(dataDir, 'nacl-liquid-pbe.xyz') : null;
  if (naclFile && existsSync(naclFile)) sets.push({ name: 'nacl-liquid-pbe', file: naclFile, structures: loadStructures(naclFile).structures.slice(0, frames) });
  else say('liquid NaCl data (data/nacl-liquid-pbe.xyz) not found: skipped');
  const datasets: ModelDemoResult['datasets'] = [];
  for (const set of sets) {
    const nVal = Math.max(2, Math.round(0.1 * set.structures.length));
    const sizes = (o.trainSizes ?? [8, 16]).filter((n) => n <= set.structures.length - Math.ceil(0.25 * set.structures.length) - nVal);
    if (sizes.length === 0) {
      say(`${set.name}: only ${set.structures.length} frames, too few for the demo: skipped`);
      continue;
    }
    o.onStage?.(set.name);
    const { results, written } = await compareModels({
      data: set.structures, dataName: set.file, models: ['sr', 'sr+lr'], trainSizes: sizes, seed: 1, testFraction: 0.25,
      validationSize: nVal, tuneTrainSize: sizes[0], lrWeights: o.lrWeights,
      fit: { selection: { count: o.references ?? 64 } }, out: join(out, set.name),
      title: `farfield demo: sr vs sr+lr on ${set.name} (${set.structures.length} frames)`, command: 'farfield demo',
      onProgress: o.onProgress, onStage: (s) => o.onStage?.(`${set.name}: ${s}`),
    });
    say('');
    say(`${set.name}: ${set.structures.length} frames of ${set.file}, ${results.dataset.test.structures} held out for testing, ${o.references ?? 64} references per species`);
    say(resultsTableText(results));
    for (const t of results.hyperparameters.tuned)
      say(`${t.model} block weight β tuned on ${t.validationSize} validation frames (${t.trainSize} train): ${t.tried.map((x) => `${x.value} → ${x.score.toPrecision(3)}`).join(', ')}; chosen ${t.chosen}`);
    say(`report: ${written!.html}`);
    datasets.push({ name: set.name, file: set.file, results, report: written!.html });
  }
  return { datasets, text: text.join('\n') + '\n' };
}
