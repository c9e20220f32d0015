/** `farfield serve [--port 8080]`: serve the web page with cross-origin isolation headers (thin shell over api/webServer). */
import type { Command } from 'commander';
import { FarfieldError } from '../../core/index.js';

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve the browser page (load data, view structures, descriptors, fit, MD — all client-side) with COOP/COEP headers')
    .option('--port <port>', 'TCP port (0 = any free port)', '8080')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--dir <dir>', 'folder of the built page (default: dist/web of the package; built on first use in a source checkout)')
    .action(async (opts: { port: string; host: string; dir?: string }) => {
      const { defaultWebDir, ensureWebBuilt, startWebServer } = await import('../../api/index.js');
      const port = Number(opts.port);
      if (!Number.isInteger(port)) throw new FarfieldError('INVALID_INPUT', `serve: --port must be an integer, got '${opts.port}'`);
      if (!opts.dir && ensureWebBuilt(defaultWebDir())) process.stderr.write(`built the web page into ${defaultWebDir()}\n`);
      const s = await startWebServer({ port, host: opts.host, dir: opts.dir });
      process.stdout.write(`farfield web page: ${s.url}  (serving ${s.dir}; cross-origin isolated: COOP same-origin, COEP require-corp; Ctrl-C to stop)\n`);
      await new Promise<void>((r) => {
        const stop = () => void s.close().then(r);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
