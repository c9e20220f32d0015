/**
 * End-to-end CP2K labelling (runs only when `cp2k.psmp` is installed; CI has no CP2K and skips).
 * Proves: the pipeline labels a tiny cell and accepts it through the quality gate; a second call resumes without
 * running CP2K; the parsed forces are −∂E/∂r and the stress is ASE-signed (1/V) ∂E/∂ε, by central finite differences
 * of CP2K's own energies (GFN1-xTB, 8 ions, EPS_SCF 1e-8).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cellVolume, makeStructure, strained, type Structure } from '../../src/core/index.js';
import { cp2kAvailable, cp2kInput, labelWithCp2k, parseCp2kOutput, runCp2k } from '../../src/reference/cp2k/index.js';
import { labelFile } from '../../src/api/index.js';
import { readStructures, writeStructures } from '../../src/host/index.js';

const SKIP = cp2kAvailable() ? false : 'cp2k.psmp not installed (apt-get install cp2k cp2k-data): skipping CP2K end-to-end test';

function tinyNaCl(): Structure {
  const a = 5.64;
  const fcc = [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]];
  const disp = [0.12, -0.05, 0.08, -0.1, 0.07, 0.02, 0.03, 0.11, -0.09, -0.06, -0.04, 0.1, 0.05, 0.09, -0.02, -0.08, 0.02, 0.06, 0.1, -0.11, 0.04, -0.03, 0.05, -0.12];
  const symbols: string[] = [], pos: number[] = [];
  for (const f of fcc) { symbols.push('Na'); pos.push(f[0] * a, f[1] * a, f[2] * a); }
  for (const f of fcc) { symbols.push('Cl'); pos.push(((f[0] + 0.5) * a) % a, f[1] * a, f[2] * a); }
  for (let k = 0; k < 24; k++) pos[k] += disp[k];
  return makeStructure({ symbols, positions: pos, cell: [a, 0, 0, 0, a, 0, 0, 0, a] });
}

test('CP2K GFN1-xTB: label, resume, forces and stress by finite differences', { skip: SKIP, timeout: 120_000 }, async () => {
  const work = mkdtempSync(join(tmpdir(), 'farfield-cp2k-'));
  try {
    const s = tinyNaCl();
    const opts = { method: 'gfn1-xtb' as const, workdir: join(work, 'label'), np: 1, epsScf: 1e-8 };
    const first = await labelWithCp2k([s], opts);
    assert.equal(first.labelled.length, 1);
    assert.equal(first.computed, 1);
    const lab = first.labelled[0].labels;
    assert.ok(lab.energyEv !== undefined && lab.forcesEvPerA && lab.stressEvPerA3);
    const again = await labelWithCp2k([s], opts);
    assert.equal(again.computed, 0);
    assert.equal(again.reused, 1);
    assert.equal(again.labelled[0].labels.energyEv, lab.energyEv);

    let n = 0;
    const energy = async (x: Structure): Promise<number> => {
      const dir = join(work, `fd-${n++}`);
      mkdirSync(dir);
      writeFileSync(join(dir, 'in.inp'), cp2kInput(x, { method: 'gfn1-xtb', epsScf: 1e-8 }));
      const run = await runCp2k(dir, 'in.inp', 'out.out', { np: 1 });
      assert.equal(run.exitCode, 0);
      return parseCp2kOutput(readFileSync(join(dir, 'out.out'), 'utf8')).energyEv;
    };
    const h = 0.005, c = 1;
    const p = s.positions.slice(); p[c] += h;
    const m = s.positions.slice(); m[c] -= h;
    const fd = -((await energy({ ...s, positions: p })) - (await energy({ ...s, positions: m }))) / (2 * h);
    assert.ok(Math.abs(fd - lab.forcesEvPerA![c]) < 0.02 * Math.abs(lab.forcesEvPerA![c]) + 1e-3, `force ${lab.forcesEvPerA![c]} vs FD ${fd}`);
    const e = 0.002, eps = new Float64Array(9);
    eps[0] = e;
    const ep = await energy(strained(s, eps));
    eps[0] = -e;
    const em = await energy(strained(s, eps));
    const sxx = (ep - em) / (2 * e) / cellVolume(s.cell);
    assert.ok(Math.abs(sxx - lab.stressEvPerA3![0]) < 0.02 * Math.abs(lab.stressEvPerA3![0]) + 1e-4, `stress ${lab.stressEvPerA3![0]} vs FD ${sxx}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('farfield label (api): extended XYZ in, labelled extended XYZ out, resumable', { skip: SKIP, timeout: 60_000 }, async () => {
  const work = mkdtempSync(join(tmpdir(), 'farfield-label-'));
  try {
    const input = join(work, 'in.xyz'), output = join(work, 'out.xyz');
    const s = tinyNaCl();
    s.info.tag = 'tiny';
    writeStructures(input, [s]);
    const r = await labelFile({ input, output, engine: 'cp2k', method: 'gfn1-xtb', np: 1 });
    assert.equal(r.accepted, 1);
    assert.equal(r.computed, 1);
    const [out] = readStructures(output);
    assert.equal(out.info.tag, 'tiny');
    assert.equal(out.info.label_method, 'cp2k-gfn1-xtb');
    assert.ok(out.labels.energyEv! < 0 && out.labels.forcesEvPerA!.length === 24 && out.labels.stressEvPerA3!.length === 9);
    const again = await labelFile({ input, output, engine: 'cp2k', method: 'gfn1-xtb', np: 1 });
    assert.equal(again.computed, 0);
    await assert.rejects(labelFile({ input, output, engine: 'cp2k', method: 'pbe', np: 1 }), /different frame/);
    await assert.rejects(labelFile({ input, output, engine: 'vasp', method: 'pbe' }), /unknown labelling engine/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
