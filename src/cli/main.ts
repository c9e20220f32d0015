/**
 * farfield CLI: commander program; each command lives in commands/<name>.ts and registers itself here.
 * Thin shell over api/ (no numerics here). Errors end with a one-line message and a non-zero exit code.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { isFarfieldError } from '../core/index.js';
import { COMMANDS } from './commands/index.js';
import { beginJsonMode, emitJsonError, endJsonMode } from './json.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('farfield')
    .description('Machine-learned force fields with long-range electrostatic descriptors (FKK, LODE), Ewald/PME')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .hook('preAction', (_program, action) => {
      if ((action.opts() as { json?: unknown }).json === true) beginJsonMode();
    });
  for (const register of COMMANDS) register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit through here with code 0; usage errors were already printed by commander (stderr);
      // with --json, stdout still gets its one object
      if (e.exitCode !== 0 && argv.slice(2).includes('--json'))
        process.stdout.write(JSON.stringify({ error: { code: 'USAGE', message: e.message.replace(/^error: /, '') } }) + '\n');
      return e.exitCode;
    }
    const msg = isFarfieldError(e) ? e.message : e instanceof Error ? e.message : String(e);
    emitJsonError(e);
    process.stderr.write(`farfield: error: ${msg.split('\n')[0]}\n`);
    if (process.env.FARFIELD_DEBUG && e instanceof Error && e.stack) process.stderr.write(e.stack + '\n');
    return 1;
  } finally {
    endJsonMode();
  }
}

// Run as a script (`node --import tsx src/cli/main.ts …`, handy from a source checkout); bin/farfield.js imports
// main() from dist/ instead.
const entry = process.argv[1];
if (entry && /main\.[cm]?[jt]s$/.test(entry) && import.meta.url === pathToFileURL(resolve(entry)).href) process.exitCode = await main(process.argv);
