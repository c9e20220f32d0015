/**
 * labelFile / relabelStructures with the reference engines: the written energy, forces and stress equal a fresh
 * reference calculator's output frame by frame (old labels replaced, info kept plus label_method); point charges
 * from a charge map or the per-atom column; the shift changes energies but not forces; clear errors for unknown
 * engines, a missing cp2k method, missing charges.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng, makeStructure, type Structure } from '../../src/core/index.js';
import { labelFile, loadStructures, relabelStructures, saveStructures, parseChargeMap } from '../../src/api/index.js';
import { fumiTosiNaCl, pointCharges, buckinghamZrO2 } from '../../src/reference/index.js';

/** 8-ion rock salt (a = 5.64 Å), jittered, with stale labels and provenance from a "previous labeller". */
function nacl(seed: number, withCharges = false): Structure {
  const rng = new Rng(seed);
  const a = 5.64;
  const fcc = [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]];
  const symbols: string[] = [], pos: number[] = [];
  for (const [sym, off] of [['Na', 0], ['Cl', 0.5]] as const)
    for (const f of fcc) {
      symbols.push(sym);
      pos.push((f[0] + off) * a + rng.range(-0.2, 0.2), f[1] * a + rng.range(-0.2, 0.2), f[2] * a + rng.range(-0.2, 0.2));
    }
  return makeStructure({
    symbols, positions: pos, cell: [a, 0, 0, 0, a, 0, 0, 0, a],
    info: { config_type: 'test', temperature_K: 300 + seed, label_method: 'cp2k-gfn1-xtb', label_code: 'CP2K version 2023.1' },
    labels: {
      energyEv: 1234.5, forcesEvPerA: new Float64Array(24).fill(7), stressEvPerA3: new Float64Array(9).fill(3),
      ...(withCharges ? { charges: Float64Array.from(symbols, (s) => (s === 'Na' ? 0.8 : -0.8)) } : {}),
    },
  });
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol * (1 + Math.abs(b[i])), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

test('label --engine fumi-tosi: energy, forces, stress of every frame equal the calculator; info kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-label-'));
  try {
    const frames = [nacl(1), nacl(2)];
    const src = join(dir, 'in.xyz'), dst = join(dir, 'out.xyz');
    saveStructures(src, frames);
    const events: number[] = [];
    const r = await labelFile({ input: src, output: dst, engine: 'fumi-tosi', onProgress: (e) => events.push(e.done) });
    assert.equal(r.frames, 2);
    assert.equal(r.accepted, 2);
    assert.equal(r.workdir, undefined);
    assert.deepEqual(events, [1, 2]);
    const out = loadStructures(dst).structures;
    assert.equal(out.length, 2);
    const calc = fumiTosiNaCl();
    out.forEach((s, k) => {
      const ref = calc.calculate(frames[k], { forces: true, stress: true });
      assert.ok(Math.abs(s.labels.energyEv! - ref.energyEv) < 1e-9, `energy ${k}`);
      assert.ok(Math.abs(s.labels.energyEv! - 1234.5) > 1, 'old energy replaced');
      close(s.labels.forcesEvPerA!, ref.forcesEvPerA!, 1e-9, `forces ${k}`);
      close(s.labels.stressEvPerA3!, ref.stressEvPerA3!, 1e-9, `stress ${k}`);
      assert.equal(s.info.label_method, 'fumi-tosi');
      assert.equal(s.info.label_code, undefined, 'stale label_code of the previous labeller removed');
      assert.equal(s.info.config_type, 'test');
      assert.equal(s.info.temperature_K, 301 + k);
      assert.deepEqual(Array.from(s.positions), Array.from(frames[k].positions));
    });
    // The two frames differ (a per-frame calculation, not one result copied).
    assert.notEqual(out[0].labels.energyEv, out[1].labels.energyEv);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('relabelStructures: shift changes the energy by the pair shifts only; point charges by map or per-atom column; ZrO₂ engine', () => {
  const frames = [nacl(3), nacl(4, true)];
  const plain = relabelStructures(frames, { engine: 'fumi-tosi' });
  const shifted = relabelStructures(frames, { engine: 'fumi-tosi', shift: true });
  assert.equal(shifted[0].info.label_shift, true);
  close(shifted[0].labels.forcesEvPerA!, plain[0].labels.forcesEvPerA!, 1e-12, 'shift keeps forces');
  assert.ok(Math.abs(shifted[0].labels.energyEv! - plain[0].labels.energyEv!) > 1e-4, 'shift moves the energy');
  assert.ok(Math.abs(shifted[0].labels.energyEv! - fumiTosiNaCl({ shift: true }).calculate(frames[0]).energyEv) < 1e-9);

  const map = relabelStructures(frames, { engine: 'point-charges', charges: parseChargeMap('Na=1, Cl=-1') });
  assert.ok(Math.abs(map[0].labels.energyEv! - pointCharges({ Na: 1, Cl: -1 }).calculate(frames[0]).energyEv) < 1e-9);
  // Per-atom charges ±0.8: energy scales as q² relative to ±1.
  const col = relabelStructures([frames[1]], { engine: 'point-charges' });
  const unit = pointCharges({ Na: 1, Cl: -1 }).calculate(frames[1]).energyEv;
  assert.ok(Math.abs(col[0].labels.energyEv! - 0.64 * unit) < 1e-8 * Math.abs(unit));
  close(col[0].labels.charges!, frames[1].labels.charges!, 0, 'charges kept');
  assert.throws(() => relabelStructures(frames, { engine: 'point-charges', source: 'x.xyz' }), /x\.xyz: frame 0 has no per-atom charges.*--charges Na=1,Cl=-1/);

  const zr = makeStructure({ symbols: ['Zr', 'O', 'O'], positions: [0, 0, 0, 1.3, 1.3, 1.3, 3.8, 3.8, 3.8], cell: [5.1, 0, 0, 0, 5.1, 0, 0, 0, 5.1] });
  const z = relabelStructures([zr], { engine: 'buckingham-zro2' });
  assert.ok(Math.abs(z[0].labels.energyEv! - buckinghamZrO2().calculate(zr).energyEv) < 1e-9);
});

test('label: unknown engine, cp2k without method, misplaced options, bad charge maps → clear errors', async () => {
  await assert.rejects(labelFile({ input: 'in.xyz', output: 'out.xyz', engine: 'lj' }), /unknown labelling engine 'lj' \(known: cp2k, fumi-tosi, point-charges, buckingham-zro2\)/);
  await assert.rejects(labelFile({ input: 'in.xyz', output: 'out.xyz', engine: 'cp2k' }), /cp2k engine needs a method \(known: gfn1-xtb, pbe\)/);
  await assert.rejects(labelFile({ input: 'in.xyz', output: 'out.xyz', engine: 'fumi-tosi', method: 'pbe' }), /method applies only to the cp2k engine/);
  assert.throws(() => relabelStructures([nacl(1)], { engine: 'fumi-tosi', charges: { Na: 1 } }), /charges apply only to the point-charges engine/);
  assert.throws(() => relabelStructures([nacl(1)], { engine: 'point-charges', charges: { Na: 1 } }), /frame 0: charges: no charge given for species 'Cl'/);
  assert.throws(() => parseChargeMap('Na:1'), /expected 'Symbol=charge,…'/);
  assert.throws(() => parseChargeMap('Na=1,Na=2'), /given twice/);
});
