/**
 * Lattice-constant check of the PBE setup used for nacl-liquid-pbe (soft Na GTH-PBE-q1 + TZVP-MOLOPT, Cl GTH-PBE-q7 +
 * DZVP-MOLOPT, 400 Ry): E(a) and the analytical pressure of the 8-ion conventional rock-salt cell with a
 * Monkhorst–Pack k mesh, at several lattice constants; fits E(a) with a Birch–Murnaghan equation of state (least squares
 * on a cubic in V^(−2/3)) and prints a₀ and B₀. Experiment: 5.64 Å at room temperature (≈ 5.60 Å extrapolated to 0 K).
 *
 *   node --import tsx scripts/data/pbe-lattice.ts <workdir> [np] [k] [a1,a2,...] [cutoffRy]
 * With METHOD=gfn1-xtb in the environment the same check runs for GFN1-xTB on the 64-ion 2×2×2 supercell at Γ (CP2K's
 * xTB has no k-points; energies are then per 64 ions).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeStructure, EV_PER_A3_IN_GPA } from '../../src/core/index.js';
import { cp2kInput, parseCp2kOutput, runCp2k } from '../../src/reference/cp2k/index.js';

async function main(): Promise<void> {
  const [work = '/tmp/farfield-pbe-lattice', np = '1', k = '4', list = '5.5,5.6,5.7,5.8', cutoff = '400'] = process.argv.slice(2);
  const as = list.split(',').map(Number);
  const rows: { a: number; e: number; p: number; s: number }[] = [];
  for (const a of as) {
    const xtb = process.env.METHOD === 'gfn1-xtb';
    const m = xtb ? 2 : 1;
    const fcc = [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]];
    const symbols: string[] = [], pos: number[] = [];
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) for (let l = 0; l < m; l++) {
      for (const f of fcc) { symbols.push('Na'); pos.push((i + f[0]) * a, (j + f[1]) * a, (l + f[2]) * a); }
      for (const f of fcc) { symbols.push('Cl'); pos.push((i + ((f[0] + 0.5) % 1)) * a, (j + f[1]) * a, (l + f[2]) * a); }
    }
    const s = makeStructure({ symbols, positions: pos, cell: [m * a, 0, 0, 0, m * a, 0, 0, 0, m * a] });
    const dir = join(work, `a-${a.toFixed(3)}`);
    mkdirSync(dir, { recursive: true });
    const out = join(dir, 'out.out');
    if (!existsSync(out) || !readFileSync(out, 'utf8').includes('PROGRAM ENDED')) {
      writeFileSync(join(dir, 'in.inp'), xtb
        ? cp2kInput(s, { method: 'gfn1-xtb', epsScf: 1e-7 })
        : cp2kInput(s, { method: 'pbe', kpoints: [Number(k), Number(k), Number(k)], epsScf: 1e-7, maxScf: 200, cutoffRy: Number(cutoff) }));
      const run = await runCp2k(dir, 'in.inp', 'out.out', { np: Number(np), nice: 10 });
      process.stderr.write(`a = ${a}: ${run.seconds.toFixed(0)} s, exit ${run.exitCode}\n`);
    }
    const r = parseCp2kOutput(readFileSync(out, 'utf8'), out);
    const p = -(r.stressEvPerA3![0] + r.stressEvPerA3![4] + r.stressEvPerA3![8]) / 3 * EV_PER_A3_IN_GPA;
    rows.push({ a, e: r.energyEv, p, s: r.scfSteps ?? -1 });
    process.stdout.write(`a ${a.toFixed(3)} Å  E ${r.energyEv.toFixed(6)} eV  P ${p.toFixed(3)} GPa  SCF ${r.scfConverged ? r.scfSteps : 'NOT converged'}\n`);
  }
  if (rows.length >= 4) {
    // Birch–Murnaghan: E(V) = c0 + c1 x + c2 x² + c3 x³ with x = V^(−2/3); least squares, then minimise.
    const X = rows.map((r) => Math.pow(r.a ** 3, -2 / 3));
    const A = X.map((x) => [1, x, x * x, x * x * x]);
    const M = [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => A.reduce((t, r) => t + r[i] * r[j], 0)));
    const b = [0, 1, 2, 3].map((i) => A.reduce((t, r, k2) => t + r[i] * rows[k2].e, 0));
    for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) { const f = M[j][i] / M[i][i]; for (let c = i; c < 4; c++) M[j][c] -= f * M[i][c]; b[j] -= f * b[i]; }
    const c = [0, 0, 0, 0];
    for (let i = 3; i >= 0; i--) c[i] = (b[i] - M[i].slice(i + 1).reduce((t, m, q) => t + m * c[i + 1 + q], 0)) / M[i][i];
    // dE/dx = c1 + 2 c2 x + 3 c3 x² = 0
    const disc = 4 * c[2] * c[2] - 12 * c[3] * c[1];
    const roots = [(-2 * c[2] + Math.sqrt(disc)) / (6 * c[3]), (-2 * c[2] - Math.sqrt(disc)) / (6 * c[3])].filter((x) => x > 0);
    const d2 = (x: number): number => 2 * c[2] + 6 * c[3] * x;
    const x0 = roots.find((x) => d2(x) > 0)!;
    const V0 = Math.pow(x0, -3 / 2);
    // B = V d²E/dV²; with x = V^(−2/3): dE/dV = E_x x_V, d²E/dV² = E_xx x_V² (at the minimum E_x = 0)
    const xV = (-2 / 3) * Math.pow(V0, -5 / 3);
    const B = V0 * d2(x0) * xV * xV * EV_PER_A3_IN_GPA;
    process.stdout.write(`Birch–Murnaghan fit: a0 = ${Math.cbrt(V0).toFixed(4)} Å, B0 = ${B.toFixed(1)} GPa (experiment: a = 5.64 Å at 300 K, B ≈ 24–25 GPa)\n`);
  }
}

main().catch((e: unknown) => { process.stderr.write(String(e) + '\n'); process.exit(1); });
