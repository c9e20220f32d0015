/**
 * A scripted i-PI server for the driver's protocol tests: listens on a unix socket in /tmp (or TCP on 127.0.0.1),
 * accepts one client and runs `script(session)`; the session sends headers and payloads as ASE's IPIProtocol does
 * (cell as `cell.T / Bohr` in C order, positions / Bohr) and reads exact byte counts back.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { rmSync } from 'node:fs';

let counter = 0;

/** A fresh socket name (the driver connects to /tmp/ipi_NAME). */
export function socketName(): string {
  return `fftest-${process.pid}-${++counter}`;
}

export class Session {
  private chunks: Buffer[] = [];
  private have = 0;
  private ended = false;
  private wake: (() => void) | null = null;

  constructor(readonly socket: Socket) {
    socket.on('data', (c: Buffer) => {
      this.chunks.push(c);
      this.have += c.length;
      this.wake?.();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake?.();
    });
    socket.on('error', () => {
      this.ended = true;
      this.wake?.();
    });
  }

  send(...parts: (string | Buffer)[]): void {
    for (const p of parts) this.socket.write(typeof p === 'string' ? Buffer.from(p.padEnd(12, ' '), 'ascii') : p);
  }

  async read(n: number): Promise<Buffer> {
    while (this.have < n) {
      if (this.ended) throw new Error(`client closed with ${this.have} of ${n} bytes`);
      await new Promise<void>((r) => (this.wake = r));
      this.wake = null;
    }
    const all = Buffer.concat(this.chunks);
    this.chunks = [all.subarray(n)];
    this.have -= n;
    return all.subarray(0, n);
  }

  async header(): Promise<string> {
    return (await this.read(12)).toString('ascii').trimEnd();
  }

  /** STATUS → reply. */
  async status(): Promise<string> {
    this.send('STATUS');
    return this.header();
  }

  /** INIT as ASE sends it: bead 0, one zero byte. */
  init(): void {
    this.send('INIT', int32(0), int32(1), Buffer.alloc(1));
  }

  /** POSDATA: cell rows (Å, row-major) and positions (Å), in Bohr with factor `bohrA`. */
  posdata(cellRows: ArrayLike<number>, positions: ArrayLike<number>, bohrA: number, natoms = positions.length / 3): void {
    const h = Buffer.alloc(72), ih = Buffer.alloc(72);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) h.writeDoubleLE(cellRows[3 * j + i] / bohrA, 8 * (3 * i + j));
    const p = Buffer.alloc(8 * positions.length);
    for (let k = 0; k < positions.length; k++) p.writeDoubleLE(positions[k] / bohrA, 8 * k);
    this.send('POSDATA', h, ih, int32(natoms), p);
  }

  /** GETFORCE → { energy (Ha), forces (Ha/Bohr, 3N), virial slots (9, as sent), extra string }. */
  async getforce(): Promise<{ header: string; energy: number; natoms: number; forces: Float64Array; virial: Float64Array; extra: string }> {
    this.send('GETFORCE');
    const header = await this.header();
    const e = (await this.read(8)).readDoubleLE(0);
    const natoms = (await this.read(4)).readInt32LE(0);
    const fb = await this.read(24 * natoms);
    const forces = Float64Array.from({ length: 3 * natoms }, (_, k) => fb.readDoubleLE(8 * k));
    const vb = await this.read(72);
    const virial = Float64Array.from({ length: 9 }, (_, k) => vb.readDoubleLE(8 * k));
    const ne = (await this.read(4)).readInt32LE(0);
    const extra = ne > 0 ? (await this.read(ne)).toString('utf8') : '';
    return { header, energy: e, natoms, forces, virial, extra };
  }
}

export function int32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(v, 0);
  return b;
}

export interface MockServer {
  /** Resolves with the script's return value (or rejects with its error) once the script finished. */
  done: Promise<unknown>;
  close(): void;
}

/** Listen on /tmp/ipi_NAME (or 127.0.0.1:port when `port` is given) and run `script` on the first connection. */
export async function startServer(where: { unix: string } | { port: number }, script: (s: Session) => Promise<unknown>): Promise<MockServer & { port: number }> {
  let resolveDone!: (v: unknown) => void, rejectDone!: (e: unknown) => void;
  const done = new Promise<unknown>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });
  done.catch(() => undefined);
  const path = 'unix' in where ? `/tmp/ipi_${where.unix}` : null;
  if (path) rmSync(path, { force: true });
  const server: Server = createServer((sock) => {
    server.close();
    const s = new Session(sock);
    script(s).then(resolveDone, rejectDone).finally(() => sock.end());
  });
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    if (path) server.listen(path, res);
    else server.listen((where as { port: number }).port, '127.0.0.1', res);
  });
  const addr = server.address();
  return {
    done,
    port: typeof addr === 'object' && addr ? addr.port : 0,
    close: () => {
      server.close();
      if (path) rmSync(path, { force: true });
    },
  };
}
