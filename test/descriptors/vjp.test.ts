/**
 * The descriptor contract's one reverse entry point, `vjp` (issue 14 item 1):
 * - every registered descriptor kind has `vjp` and no other reverse method (no `backward*` left to probe for);
 * - its declared column metadata tiles its columns (blocks, then groups) and says what each kind is
 *   (body order, range, linear response, species channels) — what the model binds its kernels from;
 * - the vjp of each upstream form (one-entry plain batch, column view of a wider array, factored own term) equals
 *   central finite differences of a random linear functional of the features (checkDescriptorGradients), for the
 *   short-range, long-range (FKK split / PME, LODE, lode-ms) and composite descriptors, periodic and open.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeStructure } from '../../src/core/index.js';
import { ComputeContext, DESCRIPTORS, columnGroups, createDescriptor, denseUpstream, upstreamColumns, type CompositeDescriptor, type Descriptor, type DescriptorSpec } from '../../src/descriptors/index.js';
import { checkDescriptorGradients, type UpstreamForm } from '../helpers/descriptorGradients.js';
import { randomIonic } from './longRange/helpers.js';

const species = ['Na', 'Cl'];
const SR = { radial: { cutoffA: 3.5, nmax: 3 }, angular: { cutoffA: 3.2, nmax: 2, lmax: 2 } };
const FKK = { count: 2, method: 'split', splitWidthA: 1, realCutoffA: 6, kCutoffPerA: 4 };
const LODE = { cutoffA: 3, count: 2, kCutoffPerA: 5 };
const LODE_MS = { lmax: 1, cutoffA: 3, count: 2, densityCutoffA: 3, densityCount: 2, sigmaA: 0.5, kCutoffPerA: 4, method: 'reciprocal' };

const specs: Record<string, DescriptorSpec> = {
  radial: { kind: 'radial', species, hypers: SR.radial },
  angular: { kind: 'angular', species, hypers: SR.angular },
  sr: { kind: 'sr', species, hypers: SR },
  fkk: { kind: 'fkk', species, hypers: FKK },
  'fkk-pme': { kind: 'fkk', species, hypers: { count: 2, method: 'split', reciprocalSolver: 'pme', splitWidthA: 1, realCutoffA: 6, kCutoffPerA: 4 } },
  lode: { kind: 'lode', species, hypers: LODE },
  'lode-ms': { kind: 'lode-ms', species, hypers: LODE_MS },
  'sr+fkk+lode': { kind: 'composite', species, hypers: { blocks: [
    { spec: { kind: 'sr', hypers: SR }, weight: 0.7 }, { spec: { kind: 'fkk', hypers: FKK }, weight: 1.3 }, { spec: { kind: 'lode', hypers: LODE }, weight: 0.4 },
  ] } },
};

test('every registered descriptor has one reverse entry point, vjp, and column metadata that tiles its columns', () => {
  const kinds = DESCRIPTORS.names().filter((k) => k in specs || k === 'composite');
  assert.deepEqual([...kinds].sort(), ['angular', 'composite', 'fkk', 'lode', 'lode-ms', 'radial', 'sr']);
  for (const [name, spec] of Object.entries(specs)) {
    const d = createDescriptor(spec);
    assert.equal(typeof d.vjp, 'function', name);
    const methods = new Set<string>();
    for (let p: object | null = d; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null)
      for (const m of Object.getOwnPropertyNames(p)) methods.add(m);
    assert.deepEqual([...methods].filter((m) => /^backward/i.test(m)), [], `${name}: no backward* methods`);
    let col = 0;
    for (const b of d.columnBlocks) {
      assert.equal(b.start, col, `${name}: block ${b.name} starts where the previous ended`);
      let g0 = b.start;
      for (const g of b.groups) {
        assert.equal(g.start, g0, `${name}: group ${g.name} contiguous`);
        assert.ok(g.end > g.start);
        g0 = g.end;
      }
      assert.equal(g0, b.end, `${name}: groups cover block ${b.name}`);
      col = b.end;
    }
    assert.equal(col, d.width, `${name}: blocks cover the width`);
  }
});

test('declared column metadata: body order, range, linear response, species channels, blocks', () => {
  const meta = (spec: DescriptorSpec) => columnGroups(createDescriptor(spec)).map((g) => [g.name, g.bodyOrder, g.range, g.linear, g.speciesChannels]);
  assert.deepEqual(meta(specs.radial), [['radial', 2, 'short', null, 2]]);
  assert.deepEqual(meta(specs.angular), [['angular', 3, 'short', null, null]]);
  assert.deepEqual(meta(specs.sr), [['radial', 2, 'short', null, 2], ['angular', 3, 'short', null, null]]);
  assert.deepEqual(meta(specs.fkk), [['fkk', 2, 'long', 'density', 2]]);
  assert.deepEqual(meta(specs.lode), [['lode', 2, 'long', 'potential', 2]]);
  assert.deepEqual(meta(specs['lode-ms']), [['lode-ms', 3, 'long', null, null]]);
  // 'sr' is one block; a composite has one block per child, with the configured weight
  assert.deepEqual(createDescriptor(specs.sr).columnBlocks.map((b) => [b.name, b.weight, b.groups.length]), [['sr', 1, 2]]);
  const c = createDescriptor(specs['sr+fkk+lode']);
  assert.deepEqual(c.columnBlocks.map((b) => [b.name, b.weight, b.groups.map((g) => g.name)]),
    [['sr', 0.7, ['radial', 'angular']], ['fkk', 1.3, ['fkk']], ['lode', 0.4, ['lode']]]);
});

const periodic = randomIonic(17, 4, 5.5, 0.15, 1.9);
const open = makeStructure({ symbols: ['Na', 'Cl', 'Cl', 'Na'], positions: [0, 0, 0, 2.3, 0.2, 0, 0.3, 2.5, -0.4, 2.1, 2.4, 1.7] });
const FORMS: UpstreamForm[] = ['rows', 'view', 'factored'];

function check(d: Descriptor, name: string, periodicToo = true): void {
  for (const upstream of FORMS) {
    if (periodicToo)
      checkDescriptorGradients(d, periodic, { upstream, components: [0, 4, 8, 9], strainComponents: [0, 5, 7], what: `${name} periodic ${upstream}` });
    checkDescriptorGradients(d, open, { upstream, components: [1, 5, 6, 11], what: `${name} open ${upstream}` });
  }
}

test('vjp of every upstream form = finite differences: radial, angular, sr', () => {
  for (const name of ['radial', 'angular', 'sr']) check(createDescriptor(specs[name]), name);
});

test('vjp of every upstream form = finite differences: fkk (split, PME), lode', () => {
  for (const name of ['fkk', 'fkk-pme', 'lode']) check(createDescriptor(specs[name]), name);
});

test('vjp of every upstream form = finite differences: lode-ms (periodic only) and a composite of sr, fkk, lode', () => {
  const ms = createDescriptor(specs['lode-ms']);
  for (const upstream of FORMS)
    checkDescriptorGradients(ms, periodic, { upstream, components: [0, 7], strainComponents: [1, 4], what: `lode-ms ${upstream}` });
  check(createDescriptor(specs['sr+fkk+lode']), 'sr+fkk+lode');
});

test('a composite hands a single dense gradient to its blocks as row views of the caller\'s array (no column copies), with the results of the copied columns', () => {
  const g = new Float64Array(7 * 10).map((_, k) => Math.sin(1.7 * k + 0.3));
  const sub = upstreamColumns(denseUpstream(g, 1), 7, 10, 3, 4, 0.5);
  assert.ok(sub && sub.form === 'rows' && sub.data === g && sub.stride === 10 && sub.offset === 3 && sub.scale === 0.5);
  // one gradient through a view = the single-gradient pass on the scaled copy of the columns, bit for bit
  const comp = createDescriptor(specs['sr+fkk+lode']) as CompositeDescriptor;
  const sr = comp.blocks[0] as CompositeDescriptor;
  const ctx = new ComputeContext(periodic);
  for (const d of sr.blocks) {
    const out = d.compute(periodic, ctx);
    const n = periodic.species.length, D = d.width + 5, off = 2, s = 0.8;
    const wide = new Float64Array(n * D).map((_, k) => Math.cos(0.37 * k));
    const copy = new Float64Array(n * d.width);
    for (let i = 0; i < n; i++) for (let k = 0; k < d.width; k++) copy[i * d.width + k] = s * wide[i * D + off + k];
    const a = d.vjp(periodic, ctx, out.saved, denseUpstream(copy, 1));
    const b = d.vjp(periodic, ctx, out.saved, upstreamColumns(denseUpstream(wide, 1), n, D, off, d.width, s)!);
    assert.deepEqual(b.positions, a.positions, d.kind);
    assert.deepEqual(b.strain, a.strain, d.kind);
  }
});

test('computeInto writes a block\'s features into a wider matrix, bit for bit those of compute (radial, angular, sr, a composite of sr, fkk, lode)', () => {
  for (const name of ['radial', 'angular', 'sr', 'sr+fkk+lode']) {
    const d = createDescriptor(specs[name]);
    assert.ok(d.computeInto, name);
    const ref = d.compute(periodic, new ComputeContext(periodic)).features.data;
    const n = periodic.species.length, D = d.width + 3, off = 1;
    const wide = new Float64Array(n * D);
    d.computeInto(periodic, new ComputeContext(periodic), { data: wide, stride: D, offset: off });
    for (let i = 0; i < n; i++) {
      assert.deepEqual(wide.subarray(i * D + off, i * D + off + d.width), ref.subarray(i * d.width, (i + 1) * d.width), `${name} row ${i}`);
      assert.ok(wide[i * D] === 0 && wide[i * D + off + d.width] === 0 && wide[i * D + off + d.width + 1] === 0, `${name} row ${i}: only its columns`);
    }
  }
});
