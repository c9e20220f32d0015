/**
 * i-PI driver (host/ipi.ts): the per-step cost of the socket protocol against the force call it serves.
 * An in-process server speaks as ASE's IPIProtocol does (STATUS, POSDATA with cell/Bohr, STATUS, GETFORCE, read the
 * FORCEREADY reply) to `runIpiDriver` over a unix socket and over TCP on 127.0.0.1.
 * - protocol round trip per step with a null calculator (zero forces, N = 512): everything a step costs besides the
 *   force call — headers, 12 kB of positions and forces encoded, sent, decoded on both sides;
 * - the same with a 512-ion sr+lr model (fitted on 4 rock-salt frames of data/nacl-rocksalt-xtb.xyz, 40 references,
 *   applied to a 2×2×2 supercell of a frame): step time seen by the server minus the driver's calculator time;
 * - the direct force call (energy, forces, stress) of that model; overhead % = round trip / force call.
 * Wall and CPU times are both affected by a shared machine; medians of the steps are reported.
 */
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { createServer, type Socket } from 'node:net';
import { rmSync } from 'node:fs';
import type { CalculationResult, Calculator, Structure } from '../src/core/index.js';
import { fitModel, loadStructures } from '../src/api/index.js';
import { supercell } from '../src/geometry/index.js';
import { IPI_UNITS, runIpiDriver, type IpiEndpoint } from '../src/host/index.js';
import type { BenchContext } from './harness.js';

const HERE = new URL('.', import.meta.url).pathname;

class Reader {
  private buf: Buffer = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  constructor(sock: Socket) {
    sock.on('data', (c: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, c]) : c;
      this.wake?.();
    });
  }
  async read(n: number): Promise<Buffer> {
    while (this.buf.length < n) await new Promise<void>((r) => (this.wake = r));
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }
}

const hdr = (s: string) => Buffer.from(s.padEnd(12, ' '), 'ascii');

/** Serve `steps` steps of `s` through a fresh server; returns per-step wall times (ms) seen by the server. */
async function serve(endpoint: IpiEndpoint, s: Structure, calc: Calculator, steps: number): Promise<{ stepMs: number[]; computeMs: number[]; protocolMsPerStep: number }> {
  const n = s.species.length, b = IPI_UNITS.ase.bohrA;
  const h = Buffer.alloc(72), ih = Buffer.alloc(72), nat = Buffer.alloc(4), pos = Buffer.alloc(24 * n);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) h.writeDoubleLE(s.cell[3 * j + i] / b, 8 * (3 * i + j));
  nat.writeInt32LE(n, 0);
  const stepMs: number[] = [];
  const server = createServer(async (sock) => {
    sock.setNoDelay?.(true);
    const r = new Reader(sock);
    for (let k = 0; k < steps; k++) {
      const t0 = performance.now();
      sock.write(hdr('STATUS'));
      if ((await r.read(12)).toString().trim() === 'NEEDINIT') {
        sock.write(Buffer.concat([hdr('INIT'), Buffer.from([0, 0, 0, 0, 1, 0, 0, 0, 0])]));
        sock.write(hdr('STATUS'));
        await r.read(12);
      }
      for (let q = 0; q < 3 * n; q++) pos.writeDoubleLE((s.positions[q] + 1e-4 * k) / b, 8 * q);
      sock.write(Buffer.concat([hdr('POSDATA'), h, ih, nat, pos]));
      sock.write(hdr('STATUS'));
      await r.read(12);
      sock.write(hdr('GETFORCE'));
      await r.read(12 + 8 + 4);
      const f = await r.read(24 * n + 72 + 4);
      const ne = f.readInt32LE(24 * n + 72);
      if (ne > 0) await r.read(ne);
      // decode as a server would
      let sum = 0;
      for (let q = 0; q < 3 * n; q++) sum += f.readDoubleLE(8 * q);
      if (!Number.isFinite(sum)) throw new Error('bad forces');
      stepMs.push(performance.now() - t0);
    }
    sock.write(hdr('EXIT'));
  });
  const path = endpoint.kind === 'unix' ? endpoint.path : null;
  if (path) rmSync(path, { force: true });
  await new Promise<void>((res) => (path ? server.listen(path, res) : server.listen(0, '127.0.0.1', res)));
  const ep: IpiEndpoint = path ? endpoint : { kind: 'tcp', host: '127.0.0.1', port: (server.address() as { port: number }).port };
  const computeMs: number[] = [];
  const summary = await runIpiDriver({ calculator: calc, template: s, endpoint: ep, onStep: (i) => computeMs.push(i.computeMs) });
  server.close();
  if (path) rmSync(path, { force: true });
  return { stepMs, computeMs, protocolMsPerStep: (1000 * summary.protocolS) / summary.steps };
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

export async function run(ctx: BenchContext): Promise<void> {
  const frames = loadStructures(join(HERE, '..', 'data', 'nacl-rocksalt-xtb.xyz')).structures;
  const big = { ...supercell(frames[10], [2, 2, 2]), labels: {} };
  const n = big.species.length;
  const zero: Calculator = {
    name: 'null',
    calculate: (st): CalculationResult => ({ energyEv: 0, forcesEvPerA: new Float64Array(st.positions.length), stressEvPerA3: new Float64Array(9) }),
  };
  const unix: IpiEndpoint = { kind: 'unix', path: `/tmp/ipi_ffbench-${process.pid}` };
  const tcp: IpiEndpoint = { kind: 'tcp', host: '127.0.0.1', port: 0 };
  const nullSteps = ctx.quick ? 50 : 400;
  for (const [label, ep] of [['unix', unix], ['tcp', tcp]] as const) {
    const r = await serve(ep, big, zero, nullSteps);
    ctx.report(`protocol round trip, null calculator, ${n} atoms, ${label}`, 1000 * median(r.stepMs.slice(5)), 'µs/step', `median of ${nullSteps - 5} steps`);
  }

  const { model } = await fitModel(frames.slice(0, ctx.quick ? 2 : 4), { descriptors: 'sr+lr', selection: { count: ctx.quick ? 16 : 40 } }, { onWarning: () => undefined });
  model.calculate(big); // warm-up (tabulations)
  const direct: number[] = [];
  const reps = ctx.quick ? 2 : 4;
  for (let k = 0; k < reps; k++) {
    const t0 = performance.now();
    model.calculate(big, { forces: true, stress: true });
    direct.push(performance.now() - t0);
  }
  const force = median(direct);
  ctx.report(`sr+lr force call (E, F, σ), ${n} ions, direct`, force, 'ms', `median of ${reps}`);
  const steps = ctx.quick ? 3 : 6;
  const r = await serve(unix, big, model, steps);
  const over = r.stepMs.slice(1).map((t, k) => t - r.computeMs[k + 1]);
  ctx.report(`sr+lr via unix socket: step − calculator time, ${n} ions`, 1000 * median(over), 'µs/step', `median of ${steps - 1} steps; calculator ${median(r.computeMs.slice(1)).toFixed(0)} ms/step; driver decode+encode ${r.protocolMsPerStep.toFixed(2)} ms/step (mean)`);
  ctx.report('  same, as % of the force call', (100 * median(over)) / force, '%', 'includes GC and event-loop scheduling after the force call');
  const nullUnix = (await serve(unix, big, zero, nullSteps)).stepMs.slice(5);
  ctx.report('socket overhead / force call', (100 * median(nullUnix)) / force, '%', 'null-calculator round trip (unix) / direct sr+lr force call; target < 5 %');
}
