/**
 * Kernel defaults and bindings read from the descriptors' column metadata (issue 14 item 1), pinned to the
 * documented defaults (docs/model.md, blockKernel.ts): the paper's polynomial kernel for a single column block
 * ('sr', or a composite of one block); for a composite, polynomial on short-range and non-linear blocks, whitened
 * linear on FKK (density coefficients) and linear with whitenShrink 0 on LODE (potential coefficients); lode-ms is
 * not linear. Block kernels get each block's columns; a vasp part is bound inside its block; block balancing sees a
 * composite's top-level blocks and weights only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDescriptor, type DescriptorSpec } from '../../src/descriptors/index.js';
import { PAPER_KERNEL, balanceBlocks, bindBlockKernel, defaultKernelFor, isBalanceable } from '../../src/model/index.js';

const species = ['Na', 'Cl'];
const SR = { radial: { cutoffA: 4, nmax: 2 }, angular: { cutoffA: 3.5, nmax: 2, lmax: 1 } };
const block = (kind: string, hypers: Record<string, unknown>, weight = 1) => ({ spec: { kind, hypers }, weight });
const composite = (...blocks: ReturnType<typeof block>[]): DescriptorSpec => ({ kind: 'composite', species, hypers: { blocks } });
const LINEAR_FKK = { kind: 'linear', hypers: { whiten: true } };
const LINEAR_LODE = { kind: 'linear', hypers: { whiten: true, whitenShrink: 0 } };

test('default kernel from column metadata: polynomial for one block, linear on FKK / LODE blocks, not on lode-ms', () => {
  assert.deepEqual(defaultKernelFor(createDescriptor({ kind: 'sr', species, hypers: SR })), PAPER_KERNEL);
  assert.deepEqual(defaultKernelFor(createDescriptor(composite(block('sr', SR)))), PAPER_KERNEL);
  assert.deepEqual(defaultKernelFor(createDescriptor({ kind: 'fkk', species, hypers: { count: 2 } })), PAPER_KERNEL);
  const parts = (spec: DescriptorSpec) => (defaultKernelFor(createDescriptor(spec)).hypers.parts as { kernel: unknown }[]).map((p) => p.kernel);
  assert.deepEqual(parts(composite(block('sr', SR), block('fkk', { count: 2 }))), [PAPER_KERNEL, LINEAR_FKK]);
  assert.deepEqual(parts(composite(block('sr', SR), block('fkk', { count: 2, includeZero: false }))), [PAPER_KERNEL, LINEAR_FKK]);
  assert.deepEqual(parts(composite(block('sr', SR), block('lode', { count: 2 }))), [PAPER_KERNEL, LINEAR_LODE]);
  assert.deepEqual(parts(composite(block('sr', SR), block('lode-ms', { count: 2, lmax: 1 }))), [PAPER_KERNEL, PAPER_KERNEL]);
  assert.deepEqual(parts(composite(block('radial', SR.radial), block('angular', SR.angular), block('fkk', { count: 2 }))), [PAPER_KERNEL, PAPER_KERNEL, LINEAR_FKK]);
});

test('block kernel parts bound to the composite blocks; a vasp part gets its block-relative columns', () => {
  const d = createDescriptor(composite(block('sr', SR), block('fkk', { count: 2 })));
  const sw = d.columnBlocks[0].end, rw = d.columnBlocks[0].groups[0].end;
  const bound = bindBlockKernel({ kind: 'block', hypers: { parts: [{ kernel: { kind: 'vasp', hypers: {} } }, { kernel: { kind: 'linear', hypers: {} } }] } }, d);
  const p = bound.hypers.parts as { kernel: { kind: string; hypers: Record<string, unknown> }; columns: [number, number][] }[];
  assert.deepEqual(p.map((x) => x.columns), [[[0, sw]], [[sw, d.width]]]);
  assert.deepEqual(p[0].kernel.hypers.linearColumns, [[0, rw]]);
  assert.deepEqual(p[0].kernel.hypers.polynomialColumns, [[rw, sw]]);
  assert.throws(() => bindBlockKernel({ kind: 'block', hypers: { parts: [{ kernel: PAPER_KERNEL }, { kernel: PAPER_KERNEL }] } },
    createDescriptor({ kind: 'sr', species, hypers: SR })), /need a composite descriptor with as many top-level blocks \(descriptor 'sr' has 1\)/);
});

test('block balancing acts on a composite\'s top-level blocks and rewrites only their weights', () => {
  const sr = createDescriptor({ kind: 'sr', species, hypers: SR });
  assert.equal(isBalanceable(sr), false);
  assert.equal(balanceBlocks(sr, [new Float64Array(sr.width)]), null);
  const d = createDescriptor(composite(block('sr', SR, 1), block('fkk', { count: 2 }, 3)));
  assert.equal(isBalanceable(d), true);
  const sw = d.columnBlocks[0].end;
  // one environment, features as computed with the configured weights: 2 in every sr column, 2√3 in every fkk column,
  // so the raw mean squares are m_k = Σ x²/β_k and the balanced weights (β_k/Σβ)/m_k
  const x = Float64Array.from({ length: d.width }, (_, k) => (k < sw ? 2 : 2 * Math.sqrt(3)));
  const bal = balanceBlocks(d, [x])!;
  const m0 = 4 * sw, m1 = (12 * (d.width - sw)) / 3;
  assert.deepEqual(bal.blocks.map((b) => [b.kind, b.columns, b.configuredWeight]), [['sr', [0, sw], 1], ['fkk', [sw, d.width], 3]]);
  assert.ok(Math.abs(bal.blocks[0].weight - 0.25 / m0) < 1e-15 && Math.abs(bal.blocks[1].weight - 0.75 / m1) < 1e-15);
  const hb = bal.spec.hypers.blocks as { spec: { kind: string }; weight: number }[];
  assert.deepEqual(hb.map((b) => [b.spec.kind, b.weight]), [['sr', bal.blocks[0].weight], ['fkk', bal.blocks[1].weight]]);
});
