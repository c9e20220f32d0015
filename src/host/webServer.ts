/**
 * Static server for the web page (`farfield serve`), Node only. Serves the built page (dist/web by default) with
 * the cross-origin isolation headers (COOP same-origin, COEP require-corp) that make SharedArrayBuffer — and so the
 * two-thread WebAssembly linear algebra — available to the page. GET/HEAD only, no directory listings, paths
 * confined to the served folder. Not part of the browser bundle.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FarfieldError } from '../core/index.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8', '.txt': 'text/plain; charset=utf-8', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.wasm': 'application/wasm', '.xyz': 'text/plain; charset=utf-8',
};

/** Headers on every response: cross-origin isolation, and no caching (the page is rebuilt during development). */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-cache',
  'X-Content-Type-Options': 'nosniff',
};

/** The farfield package folder (the first ancestor of this module with farfield's package.json). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      try {
        if ((JSON.parse(readFileSync(p, 'utf8')) as { name?: string }).name === 'farfield') return dir;
      } catch {
        /* not ours; keep going up */
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new FarfieldError('IO', 'cannot find the farfield package folder');
    dir = up;
  }
}

/** Default folder of the built page. */
export function defaultWebDir(): string {
  return join(packageRoot(), 'dist', 'web');
}

/**
 * Make sure the page is built in `dir`: if index.html is missing and this is a source checkout (scripts/build-web.mjs
 * and esbuild present), build it; otherwise throw with the command to run. Returns true when it built.
 */
export function ensureWebBuilt(dir = defaultWebDir()): boolean {
  if (existsSync(join(dir, 'index.html'))) return false;
  const root = packageRoot();
  const script = join(root, 'scripts', 'build-web.mjs');
  if (!existsSync(script) || !existsSync(join(root, 'node_modules', 'esbuild')))
    throw new FarfieldError('IO', `the web page is not built (${join(dir, 'index.html')} missing); run \`npm run build:web\` in a source checkout`);
  const r = spawnSync(process.execPath, [script, '--out', dir], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new FarfieldError('IO', `building the web page failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`);
  return true;
}

export interface WebServerOptions {
  /** Folder to serve (default: dist/web of the package). */
  dir?: string;
  /** TCP port (default 8080; 0 = any free port). */
  port?: number;
  /** Interface (default 127.0.0.1). */
  host?: string;
}

export interface WebServer {
  url: string;
  port: number;
  dir: string;
  server: Server;
  close(): Promise<void>;
}

/** Start the static server; resolves once it listens. */
export function startWebServer(o: WebServerOptions = {}): Promise<WebServer> {
  const dir = resolve(o.dir ?? defaultWebDir());
  const host = o.host ?? '127.0.0.1';
  const port = o.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new FarfieldError('INVALID_INPUT', `serve: port must be an integer in 0..65535, got ${port}`);
  if (!existsSync(join(dir, 'index.html'))) throw new FarfieldError('IO', `serve: ${dir} has no index.html (build the page with \`npm run build:web\`)`);
  const server = createServer((req, res) => {
    const send = (status: number, body: string | Buffer, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { ...ISOLATION_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      return send(400, 'bad request\n');
    }
    const file = normalize(join(dir, path.endsWith('/') ? `${path}index.html` : path));
    if (file !== dir && !file.startsWith(dir + sep)) return send(403, 'forbidden\n');
    if (!existsSync(file) || !statSync(file).isFile()) return send(404, 'not found\n');
    send(200, readFileSync(file), TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream');
  });
  return new Promise((resolveListen, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new FarfieldError('IO', e.code === 'EADDRINUSE' ? `serve: port ${port} is in use (try --port)` : `serve: ${e.message}`, undefined, { cause: e })));
    server.listen(port, host, () => {
      const addr = server.address();
      const actual = typeof addr === 'object' && addr ? addr.port : port;
      resolveListen({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}/`, port: actual, dir, server,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}
