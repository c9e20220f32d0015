/**
 * The i-PI driver against a scripted server (test/host/ipiServer.ts) that speaks as ASE's IPIProtocol does:
 * matrix layout and units both ways on a triclinic cell, the state replies, the end of a run (EXIT, close → exit 0),
 * protocol violations (malformed or unexpected header, GETFORCE first, a changed atom count, a close mid-message),
 * --retry for a server that is not up yet, the extra string, and the CLI's exit codes. The independent check of the
 * layout is test/host/ipi-ase.test.ts (ASE's own server).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FarfieldError, cellVolume, makeStructure, type CalculateOptions, type CalculationResult, type Calculator, type Structure } from '../../src/core/index.js';
import { IPI_UNITS, runIpiDriver, type IpiDriverOptions } from '../../src/host/index.js';
import { saveStructures } from '../../src/api/index.js';
import { CLI_NODE_ARGS } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { int32, socketName, startServer, type Session } from './ipiServer.js';

const U = IPI_UNITS.ase;
const CELL = [5.1, 0, 0, 0.7, 4.8, 0, -0.4, 0.9, 6.2]; // rows = lattice vectors, triclinic
const POS = [0.1, 0.2, 0.3, 2.5, 2.0, 3.1, 1.0, 4.0, 5.0];
const STRESS = [1e-3, 2e-3, 3e-3, 4e-3, 5e-3, 6e-3, 7e-3, 8e-3, 9e-3]; // deliberately not symmetric: pins the layout

/** Records what it was given; E = −3.25 eV, F_k = 0.1·k − 0.3 eV/Å, σ = STRESS; optional uncertainty 0.042 eV. */
class Recorder implements Calculator {
  readonly name = 'recorder';
  seen: Structure[] = [];
  options: CalculateOptions[] = [];
  calculate(s: Structure, o: CalculateOptions = {}): CalculationResult {
    this.seen.push(s);
    this.options.push(o);
    const r: CalculationResult = { energyEv: -3.25, forcesEvPerA: Float64Array.from({ length: s.positions.length }, (_, k) => 0.1 * k - 0.3) };
    if (o.stress) r.stressEvPerA3 = Float64Array.from(STRESS);
    if (o.uncertainty) r.uncertainty = { energyEv: 0.042 };
    return r;
  }
}

const template = (): Structure => makeStructure({ symbols: ['Na', 'Cl', 'Na'], positions: POS.map((x) => x + 1), cell: CELL });

function drive(name: string, extra: Partial<IpiDriverOptions> = {}, calc: Calculator = new Recorder()) {
  return runIpiDriver({ calculator: calc, template: template(), endpoint: { kind: 'unix', path: `/tmp/ipi_${name}` }, ...extra });
}

async function expectFarfield(p: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof FarfieldError, `expected a FarfieldError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.match(e.message, pattern);
    return true;
  });
}

test('one step as ASE sends it: cell rows, positions, energy, forces and the virial −σV in atomic units', async () => {
  const name = socketName();
  const calc = new Recorder();
  const server = await startServer({ unix: name }, async (s: Session) => {
    const first = await s.status();
    s.init();
    const second = await s.status();
    s.posdata(CELL, POS, U.bohrA);
    const third = await s.status();
    const f = await s.getforce();
    const fourth = await s.status();
    s.send('EXIT');
    return { states: [first, second, third, fourth], f };
  });
  try {
    const summary = await drive(name, {}, calc);
    const { states, f } = (await server.done) as { states: string[]; f: Awaited<ReturnType<Session['getforce']>> };
    assert.deepEqual(states, ['NEEDINIT', 'READY', 'HAVEDATA', 'READY']);
    assert.equal(summary.reason, 'exit');
    assert.equal(summary.steps, 1);
    // what the calculator saw: our cell rows and positions back (to the rounding of ×/÷ a₀), species from the template
    const s = calc.seen[0];
    s.cell.forEach((x, k) => assert.ok(Math.abs(x - CELL[k]) <= 1e-15 * 7, `cell[${k}] ${x} vs ${CELL[k]}`));
    s.positions.forEach((x, k) => assert.ok(Math.abs(x - POS[k]) <= 1e-15 * 7, `pos[${k}]`));
    assert.deepEqual(s.symbols, ['Na', 'Cl']);
    assert.deepEqual(Array.from(s.species), [0, 1, 0]);
    assert.deepEqual(s.labels, {});
    assert.deepEqual(calc.options[0], { forces: true, stress: true, uncertainty: false });
    // the reply, decoded as ASE's sendrecv_force does: E·Eh, F·Eh/a₀, virial = recv((3,3)).T · Eh
    assert.equal(f.header, 'FORCEREADY');
    assert.equal(f.natoms, 3);
    assert.ok(Math.abs(f.energy * U.hartreeEv + 3.25) < 1e-14);
    f.forces.forEach((x, k) => assert.ok(Math.abs((x * U.hartreeEv) / U.bohrA - (0.1 * k - 0.3)) < 1e-14, `force ${k}`));
    const v = cellVolume(Float64Array.from(CELL));
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        const aseVirial = f.virial[3 * j + i] * U.hartreeEv; // ASE: virial = recv((3, 3)).T
        assert.ok(Math.abs(aseVirial + STRESS[3 * i + j] * v) < 1e-14, `virial ${i}${j}`);
      }
    assert.equal(f.extra, '');
  } finally {
    server.close();
  }
});

test('a server that skips INIT, several steps, the extra string as JSON, i-PI units, and the close ends cleanly', async () => {
  const name = socketName();
  const calc = new Recorder();
  const server = await startServer({ unix: name }, async (s) => {
    const out = [];
    for (let k = 0; k < 3; k++) {
      s.posdata(CELL, POS.map((x) => x + 0.01 * k), IPI_UNITS.ipi.bohrA);
      out.push(await s.getforce());
    }
    return out; // then the server closes the socket (no EXIT), as ASE does when its calculator is closed
  });
  try {
    const summary = await drive(name, { units: 'ipi', uncertainty: true }, calc);
    const replies = (await server.done) as Awaited<ReturnType<Session['getforce']>>[];
    assert.equal(summary.reason, 'closed');
    assert.equal(summary.steps, 3);
    assert.equal(calc.seen.length, 3);
    assert.ok(Math.abs(calc.seen[2].positions[0] - 0.12) < 1e-14);
    assert.deepEqual(JSON.parse(replies[0].extra), { energy_uncertainty: 0.042 });
    assert.ok(Math.abs(replies[1].energy * IPI_UNITS.ipi.hartreeEv + 3.25) < 1e-14);
  } finally {
    server.close();
  }
});

test('a non-periodic structure: no stress asked, zero virial', async () => {
  const name = socketName();
  const calc = new Recorder();
  const server = await startServer({ unix: name }, async (s) => {
    s.posdata([0, 0, 0, 0, 0, 0, 0, 0, 0], POS, U.bohrA);
    return s.getforce();
  });
  try {
    const mol = makeStructure({ symbols: ['O', 'H', 'H'], positions: POS });
    await runIpiDriver({ calculator: calc, template: mol, endpoint: { kind: 'unix', path: `/tmp/ipi_${name}` } });
    const f = (await server.done) as Awaited<ReturnType<Session['getforce']>>;
    assert.deepEqual(Array.from(f.virial), new Array(9).fill(0));
    assert.equal(calc.options[0].stress, false);
  } finally {
    server.close();
  }
});

test('protocol violations are FarfieldErrors that say what the server sent', async () => {
  const cases: [string, (s: Session) => Promise<unknown>, string, RegExp][] = [
    ['malformed header', async (s) => s.send(Buffer.from([0x53, 0x54, 0x00, 0xff, 1, 2, 3, 4, 5, 6, 7, 8])), 'EXTERNAL', /malformed header \(bytes 5354/],
    ['unexpected header', async (s) => s.send('HELLO'), 'EXTERNAL', /unexpected header 'HELLO'/],
    ['GETFORCE first', async (s) => s.send('GETFORCE'), 'EXTERNAL', /GETFORCE before any POSDATA/],
    ['changed atom count', async (s) => s.posdata(CELL, [...POS, 1, 1, 1], U.bohrA), 'INVALID_INPUT', /server sent 4 atoms, but the structure has 3; the atom count cannot change/],
    ['close mid-message', async (s) => s.send('POSDATA', Buffer.alloc(40)), 'EXTERNAL', /closed the connection in the middle of a POSDATA message/],
    ['negative INIT length', async (s) => s.send('INIT', int32(0), int32(-5)), 'EXTERNAL', /initialisation string length -5/],
    ['zero-volume cell', async (s) => s.posdata([1, 0, 0, 2, 0, 0, 0, 0, 1], POS, U.bohrA), 'INVALID_INPUT', /cell of zero volume/],
  ];
  for (const [what, script, code, pattern] of cases) {
    const name = socketName();
    const server = await startServer({ unix: name }, async (s) => {
      await script(s);
      await new Promise((r) => setTimeout(r, 50));
    });
    try {
      await expectFarfield(drive(name), code, pattern);
    } catch (e) {
      throw new Error(`${what}: ${(e as Error).message}`);
    } finally {
      server.close();
    }
  }
});

test('--retry waits for a server that is not up yet; without it the error says how to wait', async () => {
  const name = socketName();
  await expectFarfield(drive(name), 'IO', new RegExp(`cannot connect to unix socket /tmp/ipi_${name}: ENOENT \\(is the server running\\? --retry SECONDS waits for it\\)`));
  const logs: string[] = [];
  const driver = drive(name, { retrySeconds: 10, retryIntervalSeconds: 0.05, onLog: (m) => logs.push(m) });
  await new Promise((r) => setTimeout(r, 300));
  const server = await startServer({ unix: name }, async (s) => s.send('EXIT'));
  try {
    const summary = await driver;
    assert.equal(summary.reason, 'exit');
    assert.ok(summary.attempts > 2, `attempts ${summary.attempts}`);
    assert.match(logs[0], /waiting for the server at unix socket/);
  } finally {
    server.close();
  }
  // TCP: connection refused on a closed port, and a retry that gives up
  const probe = await startServer({ port: 0 }, async () => undefined);
  const port = probe.port;
  probe.close();
  await expectFarfield(
    runIpiDriver({ calculator: new Recorder(), template: template(), endpoint: { kind: 'tcp', host: '127.0.0.1', port }, retrySeconds: 0.3, retryIntervalSeconds: 0.1 }),
    'IO', /ECONNREFUSED \(gave up after \d+ attempts in 0.3 s\)/);
});

/** Run the CLI with a bounded lifetime (killed after `ms`). */
function cli(args: string[], ms = 30000): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...CLI_NODE_ARGS, ...args], { cwd: REPO_ROOT, env: { ...process.env, FARFIELD_PROGRESS: '0' } });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, err });
    });
  });
}

test('farfield driver CLI over TCP: exit 0 with a message when the server closes, exit 1 on a bad header', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-driver-'));
  try {
    const file = join(dir, 'nacl.xyz');
    saveStructures(file, [makeStructure({ symbols: ['Na', 'Cl'], positions: [0, 0, 0, 2.82, 2.82, 2.82], cell: [5.64, 0, 0, 0, 5.64, 0, 0, 0, 5.64] })]);
    const ok = await startServer({ port: 0 }, async (s) => {
      await s.status();
      s.posdata([5.64, 0, 0, 0, 5.64, 0, 0, 0, 5.64], [0, 0, 0, 2.8, 2.85, 2.82], U.bohrA);
      return s.getforce();
    });
    const [r] = await Promise.all([cli(['driver', '--calculator', 'fumi-tosi', '--address', `127.0.0.1:${ok.port}`, '--structure', file]), ok.done]);
    ok.close();
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /connected to 127\.0\.0\.1:\d+; serving 2 atoms/);
    assert.match(r.err, /the server closed the connection after 1 step;/);
    const f = (await ok.done) as Awaited<ReturnType<Session['getforce']>>;
    const net = [0, 1, 2].map((c) => f.forces[c] + f.forces[3 + c]);
    assert.ok(Math.hypot(...net) < 1e-8 && Math.hypot(...f.forces) > 1e-4, `forces ${Array.from(f.forces)}: nonzero, summing to zero`);

    const bad = await startServer({ port: 0 }, async (s) => {
      s.send('POSDATA!');
      await new Promise((res) => setTimeout(res, 2000));
    });
    const b = await cli(['driver', '--calculator', 'fumi-tosi', '--address', `127.0.0.1:${bad.port}`, '--structure', file]);
    bad.close();
    assert.equal(b.code, 1);
    assert.match(b.err, /farfield: error: 127\.0\.0\.1:\d+ \(header\): i-PI protocol: unexpected header 'POSDATA!'/);
    const usage = await cli(['driver', '--calculator', 'fumi-tosi', '--structure', file]);
    assert.equal(usage.code, 1);
    assert.match(usage.err, /give exactly one of --unix NAME/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
