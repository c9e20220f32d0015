/**
 * Library verb `analyzeRdf`: radial distribution functions of a trajectory (and optionally of a reference data set
 * on the same bins), written as JSON and as an HTML/SVG page in the report style with both curves in one plot per
 * species pair. The agreement is summarised per pair by max |Δg| and the mean |Δg| over the bins (dimensionless).
 */
import { FarfieldError, type Structure } from '../core/index.js';
import { checkOutputDir, readStructures } from '../host/index.js';
import { radialDistribution } from '../analysis/index.js';
import { writeRdfReport, type WrittenReport } from './report.js';
import type { RdfCurveSet } from '../report/index.js';

export interface RdfAnalysisOptions {
  /** Trajectory (any readable structure file). */
  trajectory: string;
  /** Reference structures (e.g. the training data of the model) for the same plot. */
  reference?: string;
  /** Largest distance, Å (default 8). */
  rMaxA?: number;
  /** Number of bins (default 160). */
  bins?: number;
  /** Discard this many leading trajectory frames (equilibration; default 0). */
  skip?: number;
  /** Output folder for rdf.json + index.html (omitted = nothing written). */
  out?: string;
}

export interface RdfAnalysis {
  sets: RdfCurveSet[];
  /** Per species pair, when a reference was given: max and mean |g_traj − g_ref|. */
  difference: Record<string, { maxAbs: number; meanAbs: number }> | null;
  written: WrittenReport | null;
}

function curveSet(label: string, file: string, frames: readonly Structure[], rMaxA: number, bins: number): RdfCurveSet {
  const r = radialDistribution(frames, { rMaxA, bins });
  const rA = Array.from(r.r);
  return { label, file, frames: r.frames, rA, r: rA, curves: Object.fromEntries(Object.entries(r.curves).map(([k, v]) => [k, Array.from(v)])) };
}

export function analyzeRdf(o: RdfAnalysisOptions): RdfAnalysis {
  const rMaxA = o.rMaxA ?? 8, bins = o.bins ?? 160, skip = o.skip ?? 0;
  if (!Number.isInteger(skip) || skip < 0) throw new FarfieldError('INVALID_INPUT', `--skip must be an integer ≥ 0, got ${skip}`);
  if (o.out) checkOutputDir(o.out, 'report folder');
  const traj = readStructures(o.trajectory);
  if (skip >= traj.length) throw new FarfieldError('INVALID_INPUT', `${o.trajectory}: --skip ${skip} leaves no frames (file has ${traj.length})`);
  const sets = [curveSet('trajectory', o.trajectory, traj.slice(skip), rMaxA, bins)];
  let difference: RdfAnalysis['difference'] = null;
  if (o.reference) {
    const ref = curveSet('reference', o.reference, readStructures(o.reference), rMaxA, bins);
    sets.push(ref);
    difference = {};
    for (const [pair, g] of Object.entries(sets[0].curves)) {
      const h = ref.curves[pair];
      if (!h) continue;
      let mx = 0, sum = 0;
      for (let k = 0; k < g.length; k++) {
        const d = Math.abs(g[k] - h[k]);
        mx = Math.max(mx, d);
        sum += d;
      }
      difference[pair] = { maxAbs: mx, meanAbs: sum / g.length };
    }
  }
  let written: WrittenReport | null = null;
  if (o.out) {
    const note = `r_max ${rMaxA} Å, ${bins} bins (Δr = ${(rMaxA / bins).toPrecision(3)} Å)${skip ? `, first ${skip} trajectory frames skipped` : ''}`;
    written = writeRdfReport(o.out, 'Radial distribution functions', sets, note);
  }
  return { sets, difference, written };
}
