/**
 * i-PI socket client ("driver"): serves energies, forces and the virial of any core `Calculator` to an MD engine
 * that speaks the i-PI protocol as a server (i-PI itself, ASE's `SocketIOCalculator`, LAMMPS `fix ipi`, …).
 * Host layer: the only place that owns the socket; the numerics see a Structure and return a CalculationResult.
 *
 * Protocol (read from i-PI's `ipi/interfaces/sockets.py`, `drivers/py/driver.py` and ASE 3.22's
 * `ase/calculators/socketio.py`). Every message starts with a 12-byte ASCII header, upper case, right-padded with
 * spaces; binary payloads follow in little-endian byte order (int32, float64), in atomic units.
 *
 *   server → client   payload
 *   STATUS            –                        reply with our state: NEEDINIT | READY | HAVEDATA
 *   INIT              int32 bead index, int32 n, n bytes (parameter string; unused here)
 *   POSDATA           float64[9] h (Bohr), float64[9] h⁻¹ (1/Bohr), int32 N, float64[3N] positions (Bohr)
 *   GETFORCE          –                        reply FORCEREADY + float64 E (Hartree), int32 N,
 *                                              float64[3N] forces (Hartree/Bohr), float64[9] virial (Hartree),
 *                                              int32 n, n bytes "extra" (here JSON, e.g. {"energy_uncertainty": σ_E/eV})
 *   EXTRADATA         int32 n, n bytes (newer i-PI; only sent to clients that answer NEEDEXTRA, read and ignored)
 *   EXIT              –                        the driver ends (exit 0)
 *
 * Matrix layout: i-PI's cell h has the lattice vectors as columns and is sent in C order, ASE sends `cell.T` (its
 * cell has the vectors as rows), so in both cases byte-slot 3i+j holds h_ij = component i of lattice vector j.
 * Our cell is row-major with rows = vectors: cell[3j+i] = slot[3i+j] · a₀. The virial goes back in the same layout
 * (W is symmetric for the calculators here; we send Wᵀ in C order, as ASE and i-PI's ASE driver do). h⁻¹ is ignored.
 * Virial W = −σ·V (eV, σ in eV/Å³ with ASE's sign, V in Å³), zero when the structure is not fully periodic.
 *
 * States (as i-PI's reference driver): NEEDINIT until the first INIT (a server that skips INIT and sends POSDATA at
 * once, as ASE may, is accepted), READY after INIT or GETFORCE, HAVEDATA after POSDATA. ASE answers NEEDINIT with
 * INIT, so both servers work.
 *
 * Units: the protocol is in Bohr and Hartree; server and client must use the same conversion factors for a round
 * trip to be exact. `IPI_UNITS` has ASE 3.22's (CODATA 2014, ASE's default), i-PI's (`ipi/utils/units.py`: 1 Å =
 * 1.8897261 Bohr, 1 eV = 0.036749326 Hartree) and CODATA 2018 (farfield's core/units.ts); they differ by < 1e-8
 * relative. Default: 'ase'.
 *
 * Cost per step beyond the force call: decoding 24N + 148 bytes and encoding 24N + 100 bytes (O(N), no per-atom
 * objects), one socket write per reply; TCP_NODELAY on TCP sockets (the messages are small and latency-bound).
 */
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { BOHR_A, FarfieldError, HARTREE_EV, cellVolume, type CalculationResult, type Calculator, type Structure } from '../core/index.js';

/** Length of every i-PI header, bytes. */
export const IPI_HEADER_LENGTH = 12;

/** Conversion factors between farfield's units (Å, eV) and the protocol's atomic units. */
export interface IpiUnits {
  /** 1 Bohr in Å. */
  bohrA: number;
  /** 1 Hartree in eV. */
  hartreeEv: number;
}

export type IpiUnitsName = 'ase' | 'ipi' | 'codata2018';

export const IPI_UNITS: Readonly<Record<IpiUnitsName, IpiUnits>> = {
  // ase.units (ASE 3.22, CODATA 2014 as ASE derives it): Bohr, Hartree printed with repr()
  ase: { bohrA: 0.5291772105638411, hartreeEv: 27.211386024367243 },
  // i-PI ipi/utils/units.py UnitMap: length 'angstrom' 1.8897261, energy 'electronvolt' 0.036749326 (to atomic units)
  ipi: { bohrA: 1 / 1.8897261, hartreeEv: 1 / 0.036749326 },
  codata2018: { bohrA: BOHR_A, hartreeEv: HARTREE_EV },
};

/** Where the server listens: a unix socket path or a TCP host and port. */
export type IpiEndpoint = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

/** `/tmp/ipi_NAME`, the socket file of i-PI's `<ffsocket mode="unix">` and ASE's `unixsocket=NAME`. */
export function unixSocketPath(name: string): string {
  if (name.length === 0) throw new FarfieldError('INVALID_INPUT', '--unix needs a socket name (the socket file is /tmp/ipi_NAME)');
  return name.includes('/') ? name : `/tmp/ipi_${name}`;
}

/** Parse `HOST:PORT` (`[::1]:PORT` for IPv6). */
export function parseAddress(address: string): IpiEndpoint {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(address) ?? /^([^:]+):(\d+)$/.exec(address);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new FarfieldError('INVALID_INPUT', `--address expects HOST:PORT with a port in 1..65535 (e.g. localhost:31415), got '${address}'`);
  return { kind: 'tcp', host: m[1], port };
}

export function describeEndpoint(e: IpiEndpoint): string {
  return e.kind === 'unix' ? `unix socket ${e.path}` : `${e.host}:${e.port}`;
}

/** A 12-byte header. */
export function ipiHeader(name: string): Buffer {
  return Buffer.from(name.toUpperCase().padEnd(IPI_HEADER_LENGTH, ' '), 'ascii');
}

/** Decoded POSDATA: cell rows (Å, row-major, rows = lattice vectors) and positions (Å, 3N). */
export interface IpiPositions {
  cell: Float64Array;
  positions: Float64Array;
}

/**
 * Decode the POSDATA payload after the header (h, h⁻¹, N, positions). `where` names the connection in errors.
 * Throws on non-finite numbers; the atom count is checked by the caller (it needs N before reading positions).
 */
export function decodePositions(h: Buffer, positions: Buffer, units: IpiUnits, where: string): IpiPositions {
  const a0 = units.bohrA;
  const cell = new Float64Array(9);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) cell[3 * j + i] = h.readDoubleLE(8 * (3 * i + j)) * a0;
  const n3 = positions.length / 8;
  const pos = new Float64Array(n3);
  for (let k = 0; k < n3; k++) pos[k] = positions.readDoubleLE(8 * k) * a0;
  if (!cell.every(Number.isFinite)) throw protocolError(where, 'POSDATA', 'the cell contains a non-finite number');
  if (!pos.every(Number.isFinite)) throw protocolError(where, 'POSDATA', 'the positions contain a non-finite number');
  return { cell, positions: pos };
}

/**
 * The complete FORCEREADY reply (header included) for a calculation: E/Eₕ, N, F·a₀/Eₕ, (−σV)ᵀ/Eₕ, extra bytes.
 * `volumeA3` is used only when the result has a stress.
 */
export function encodeForces(result: CalculationResult, n: number, volumeA3: number, units: IpiUnits, extra: string): Buffer {
  const eh = units.hartreeEv, fConv = units.bohrA / eh;
  const extraBytes = Buffer.from(extra, 'utf8');
  const buf = Buffer.allocUnsafe(IPI_HEADER_LENGTH + 8 + 4 + 24 * n + 72 + 4 + extraBytes.length);
  let o = buf.write('FORCEREADY'.padEnd(IPI_HEADER_LENGTH, ' '), 0, 'ascii');
  o = buf.writeDoubleLE(result.energyEv / eh, o);
  o = buf.writeInt32LE(n, o);
  const f = result.forcesEvPerA;
  if (!f || f.length !== 3 * n) throw new FarfieldError('INVALID_INPUT', `i-PI driver: the calculator returned ${f ? f.length / 3 : 'no'} forces for ${n} atoms`);
  for (let k = 0; k < 3 * n; k++) o = buf.writeDoubleLE(f[k] * fConv, o);
  const s = result.stressEvPerA3;
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) o = buf.writeDoubleLE(s ? (-s[3 * j + i] * volumeA3) / eh : 0, o);
  o = buf.writeInt32LE(extraBytes.length, o);
  extraBytes.copy(buf, o);
  return buf;
}

function protocolError(where: string, field: string, message: string): FarfieldError {
  return new FarfieldError('EXTERNAL', `i-PI protocol: ${message}`, { file: where, field });
}

/** Thrown internally when the peer closed the connection; `clean` = at a message boundary. */
class Closed extends Error {
  constructor(readonly clean: boolean, readonly during: string) {
    super('connection closed');
  }
}

/** Exact-length reads from a stream socket (chunks queued as they arrive). */
class SocketReader {
  private chunks: Buffer[] = [];
  private have = 0;
  private ended = false;
  private failure: Error | null = null;
  private waiting: { n: number; during: string; resolve: (b: Buffer) => void; reject: (e: unknown) => void } | null = null;

  constructor(sock: Socket) {
    sock.on('data', (c: Buffer) => {
      this.chunks.push(c);
      this.have += c.length;
      this.pump();
    });
    sock.on('end', () => {
      this.ended = true;
      this.pump();
    });
    sock.on('close', () => {
      this.ended = true;
      this.pump();
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      // a reset or broken pipe is the server going away, not our failure
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') this.ended = true;
      else this.failure = e;
      this.pump();
    });
  }

  /** `n` bytes, or a Closed error; `boundary` = a header read (a close there is a clean end). */
  read(n: number, during: string): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.waiting = { n, during, resolve, reject };
      this.pump();
    });
  }

  private take(n: number): Buffer {
    const first = this.chunks[0];
    if (first.length === n) {
      this.chunks.shift();
      this.have -= n;
      return first;
    }
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      this.have -= n;
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let o = 0;
    while (o < n) {
      const c = this.chunks[0];
      const k = Math.min(c.length, n - o);
      c.copy(out, o, 0, k);
      o += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    this.have -= n;
    return out;
  }

  private pump(): void {
    const w = this.waiting;
    if (!w) return;
    if (this.have >= w.n) {
      this.waiting = null;
      w.resolve(this.take(w.n));
    } else if (this.failure) {
      this.waiting = null;
      w.reject(this.failure);
    } else if (this.ended) {
      this.waiting = null;
      w.reject(new Closed(this.have === 0 && w.during === 'header', w.during));
    }
  }
}

export interface IpiStepInfo {
  /** 1-based count of POSDATA messages served. */
  step: number;
  energyEv: number;
  /** Wall time of the calculator call, ms. */
  computeMs: number;
}

export interface IpiDriverOptions {
  calculator: Calculator;
  /** Species, their order, pbc and per-atom arrays; positions and cell come from the server at every step. */
  template: Structure;
  endpoint: IpiEndpoint;
  /** Conversion factors (default 'ase'). */
  units?: IpiUnitsName | IpiUnits;
  /** Keep retrying the connection for this long while the server is not up (ENOENT, ECONNREFUSED), s; default 0. */
  retrySeconds?: number;
  /** Delay between connection attempts, s (default 0.2). */
  retryIntervalSeconds?: number;
  /** Ask the calculator for its uncertainty and send `{"energy_uncertainty": σ_E (eV)}` as the extra string. */
  uncertainty?: boolean;
  /** Name of the structure source, for messages. */
  templateName?: string;
  onStep?: (info: IpiStepInfo) => void;
  /** Connection events (connected, retrying). */
  onLog?: (message: string) => void;
  signal?: AbortSignal;
}

export interface IpiDriverSummary {
  /** 'exit': the server sent EXIT; 'closed': the server closed the connection at a message boundary. */
  reason: 'exit' | 'closed';
  steps: number;
  endpoint: string;
  /** Connection attempts made. */
  attempts: number;
  /** Wall time from connection to end, s. */
  wallS: number;
  /** Time inside the calculator, s. */
  computeS: number;
  /** Time decoding POSDATA and encoding FORCEREADY (the driver's own protocol work), s. */
  protocolS: number;
}

const RETRYABLE = new Set(['ENOENT', 'ECONNREFUSED', 'EAGAIN', 'ECONNRESET']);

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new FarfieldError('CANCELLED', 'i-PI driver: cancelled while waiting for the server'));
    }, { once: true });
  });
}

function connectOnce(e: IpiEndpoint): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = e.kind === 'unix' ? connect({ path: e.path }) : connect({ host: e.host, port: e.port });
    const onError = (err: Error) => {
      sock.destroy();
      reject(err);
    };
    sock.once('error', onError);
    sock.once('connect', () => {
      sock.off('error', onError);
      resolve(sock);
    });
  });
}

/** Connect, retrying while the server is not up yet (socket file missing, connection refused). */
export async function connectWithRetry(e: IpiEndpoint, retrySeconds = 0, intervalSeconds = 0.2, onLog?: (m: string) => void, signal?: AbortSignal): Promise<{ socket: Socket; attempts: number }> {
  if (!(retrySeconds >= 0) || !Number.isFinite(retrySeconds)) throw new FarfieldError('INVALID_INPUT', `--retry expects a number of seconds ≥ 0, got ${retrySeconds}`);
  const deadline = performance.now() + 1000 * retrySeconds;
  for (let attempts = 1; ; attempts++) {
    if (signal?.aborted) throw new FarfieldError('CANCELLED', 'i-PI driver: cancelled while connecting');
    try {
      return { socket: await connectOnce(e), attempts };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (RETRYABLE.has(code) && performance.now() + 1000 * intervalSeconds <= deadline) {
        if (attempts === 1) onLog?.(`waiting for the server at ${describeEndpoint(e)} (${code}); retrying for up to ${retrySeconds} s`);
        await sleep(1000 * intervalSeconds, signal);
        continue;
      }
      const hint = RETRYABLE.has(code) ? (retrySeconds > 0 ? ` (gave up after ${attempts} attempts in ${retrySeconds} s)` : ' (is the server running? --retry SECONDS waits for it)') : '';
      throw new FarfieldError('IO', `i-PI driver: cannot connect to ${describeEndpoint(e)}: ${code || (err as Error).message}${hint}`, undefined, { cause: err });
    }
  }
}

function resolveUnits(u: IpiDriverOptions['units']): IpiUnits {
  if (u === undefined) return IPI_UNITS.ase;
  if (typeof u === 'object') return u;
  const r = IPI_UNITS[u];
  if (!r) throw new FarfieldError('INVALID_INPUT', `unknown --units '${u as string}' (known: ${Object.keys(IPI_UNITS).join(', ')})`);
  return r;
}

const MAX_BYTES = 1 << 26;

/**
 * Serve the calculator over one i-PI connection until the server sends EXIT or closes the socket (both resolve);
 * protocol violations, a changed atom count and calculator errors reject with a FarfieldError (the socket is closed).
 */
export async function runIpiDriver(o: IpiDriverOptions): Promise<IpiDriverSummary> {
  const units = resolveUnits(o.units);
  const t = o.template;
  const n = t.species.length;
  if (n === 0) throw new FarfieldError('INVALID_INPUT', `i-PI driver: the structure ${o.templateName ?? ''} has no atoms`.replace('  ', ' '));
  const periodic = t.pbc[0] && t.pbc[1] && t.pbc[2];
  const where = describeEndpoint(o.endpoint);
  const source = o.templateName ? `the structure file ${o.templateName}` : 'the structure';
  const { socket, attempts } = await connectWithRetry(o.endpoint, o.retrySeconds ?? 0, o.retryIntervalSeconds ?? 0.2, o.onLog, o.signal);
  if (o.endpoint.kind === 'tcp') socket.setNoDelay(true);
  o.onLog?.(`connected to ${where}; serving ${n} atoms (${source})`);
  const reader = new SocketReader(socket);
  const t0 = performance.now();
  let state: 'NEEDINIT' | 'READY' | 'HAVEDATA' = 'NEEDINIT';
  let reply: Buffer | null = null;
  let steps = 0, computeMs = 0, protocolMs = 0;
  const finish = (reason: IpiDriverSummary['reason']): IpiDriverSummary => ({
    reason, steps, endpoint: where, attempts, wallS: (performance.now() - t0) / 1000, computeS: computeMs / 1000, protocolS: protocolMs / 1000,
  });
  const write = (b: Buffer) => {
    socket.write(b);
  };
  const onAbort = () => socket.destroy(new FarfieldError('CANCELLED', 'i-PI driver: cancelled'));
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      let raw: Buffer;
      try {
        raw = await reader.read(IPI_HEADER_LENGTH, 'header');
      } catch (e) {
        if (e instanceof Closed && e.clean) return finish('closed');
        throw e;
      }
      if (!raw.every((b) => b >= 0x20 && b < 0x7f))
        throw protocolError(where, 'header', `malformed header (bytes ${raw.toString('hex')}): not 12 printable ASCII characters`);
      const header = raw.toString('ascii').trimEnd();
      switch (header) {
        case 'STATUS':
          write(ipiHeader(state));
          break;
        case 'INIT': {
          const head = await reader.read(8, 'INIT');
          const len = head.readInt32LE(4);
          if (len < 0 || len > MAX_BYTES) throw protocolError(where, 'INIT', `the initialisation string length ${len} is out of range`);
          if (len > 0) await reader.read(len, 'INIT');
          if (state === 'NEEDINIT') state = 'READY';
          break;
        }
        case 'POSDATA': {
          const head = await reader.read(148, 'POSDATA');
          const nat = head.readInt32LE(144);
          if (nat <= 0 || nat > MAX_BYTES / 24) throw protocolError(where, 'POSDATA', `the atom count ${nat} is out of range`);
          if (nat !== n)
            throw new FarfieldError('INVALID_INPUT', `i-PI driver: the server sent ${nat} atoms, but ${source} has ${n}; the atom count cannot change (restart the driver with a matching --structure)`, { file: where, field: 'POSDATA' });
          const body = await reader.read(24 * nat, 'POSDATA');
          const tp = performance.now();
          const { cell, positions } = decodePositions(head.subarray(0, 72), body, units, where);
          const structure: Structure = { ...t, cell, positions, labels: {} };
          const volume = periodic ? cellVolume(cell) : 0;
          if (periodic && !(Math.abs(volume) > 1e-12))
            throw new FarfieldError('INVALID_INPUT', `i-PI driver: the server sent a cell of zero volume, but ${source} is periodic`, { file: where, field: 'POSDATA' });
          const tc = performance.now();
          const r = o.calculator.calculate(structure, { forces: true, stress: periodic, uncertainty: o.uncertainty ?? false, ...(o.uncertainty ? { forceUncertainty: false } : {}) });
          const td = performance.now();
          const u = r.uncertainty?.energyEv;
          reply = encodeForces(r, n, volume, units, u === undefined ? '' : JSON.stringify({ energy_uncertainty: u }));
          const te = performance.now();
          computeMs += td - tc;
          protocolMs += tc - tp + (te - td);
          steps++;
          state = 'HAVEDATA';
          o.onStep?.({ step: steps, energyEv: r.energyEv, computeMs: td - tc });
          break;
        }
        case 'GETFORCE':
          if (state !== 'HAVEDATA' || !reply) throw protocolError(where, 'GETFORCE', 'GETFORCE before any POSDATA (no forces to send)');
          write(reply);
          reply = null;
          state = 'READY';
          break;
        case 'EXTRADATA': {
          const len = (await reader.read(4, 'EXTRADATA')).readInt32LE(0);
          if (len < 0 || len > MAX_BYTES) throw protocolError(where, 'EXTRADATA', `the extra-data length ${len} is out of range`);
          if (len > 0) await reader.read(len, 'EXTRADATA');
          break;
        }
        case 'EXIT':
          return finish('exit');
        default:
          throw protocolError(where, 'header', `unexpected header '${header}' (expected STATUS, INIT, POSDATA, GETFORCE or EXIT)`);
      }
    }
  } catch (e) {
    if (e instanceof Closed) {
      // a close in the middle of a message: the server died mid-send
      throw protocolError(where, e.during, `the server closed the connection in the middle of a ${e.during} message`);
    }
    throw e;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    socket.destroy();
  }
}
