/**
 * `farfield driver [MODEL] (--unix NAME | --address HOST:PORT) --structure FILE [--calculator NAME]`: an i-PI socket
 * client serving a fitted model (or a built-in reference calculator) to i-PI, ASE's SocketIOCalculator or any other
 * i-PI server. Ends with exit 0 when the server sends EXIT or closes the socket. Thin shell over api/runDriver.
 */
import type { Command } from 'commander';
import { FarfieldError } from '../../core/index.js';
import type { IpiUnitsName } from '../../api/index.js';
import { IPI_UNIT_NAMES, MD_CALCULATOR_NAMES } from '../../api/names.js';

export function register(program: Command): void {
  program
    .command('driver')
    .description('serve a model to an MD engine over the i-PI socket protocol (i-PI, ASE SocketIOCalculator)')
    .argument('[model]', 'fitted model file (farfield fit); omit it when --calculator is given')
    .requiredOption('--structure <file>', 'structure file giving the species and their order (the server sends only positions and cell)')
    .option('--unix <name>', 'connect to the unix socket /tmp/ipi_NAME (i-PI <ffsocket mode="unix">, ASE unixsocket=NAME)')
    .option('--address <host:port>', 'connect over TCP, e.g. localhost:31415')
    .option('--calculator <name>', `built-in reference calculator instead of a model: ${MD_CALCULATOR_NAMES.join(', ')}`)
    .option('--frame <i>', 'frame of the structure file to take species from (negative counts from the end)', '-1')
    .option('--units <name>', `Bohr/Hartree conversion of the server: ${IPI_UNIT_NAMES.join(' | ')} (i-PI: ipi)`, 'ase')
    .option('--retry <seconds>', 'keep trying to connect for this long while the server is not up', '0')
    .option('--uncertainty', 'send the model energy uncertainty as the extra string {"energy_uncertainty": eV} (i-PI reads it; ASE 3.22 fails on it)')
    .option('-v, --verbose', 'print one line per step on stderr')
    .action(async (model: string | undefined, o: Record<string, string | boolean | undefined>) => {
      const { runDriver } = await import('../../api/index.js');
      const num = (v: unknown, name: string, integer = false): number => {
        const x = Number(v);
        if (String(v).trim() === '' || !Number.isFinite(x) || (integer && !Number.isInteger(x)))
          throw new FarfieldError('INVALID_INPUT', `--${name} expects ${integer ? 'an integer' : 'a number'}, got '${String(v)}'`);
        return x;
      };
      const log = (m: string) => process.stderr.write(`farfield driver: ${m}\n`);
      const units = String(o.units) as IpiUnitsName;
      if (!(IPI_UNIT_NAMES as readonly string[]).includes(units)) throw new FarfieldError('INVALID_INPUT', `--units must be one of ${IPI_UNIT_NAMES.join(', ')}, got '${units}'`);
      const summary = await runDriver({
        model, calculator: o.calculator as string | undefined, structure: String(o.structure), frame: num(o.frame, 'frame', true),
        unix: o.unix as string | undefined, address: o.address as string | undefined, units, retrySeconds: num(o.retry, 'retry'),
        uncertainty: o.uncertainty === true,
        onLog: log,
        onStep: o.verbose ? (s) => log(`step ${s.step}: E = ${s.energyEv.toFixed(6)} eV (${s.computeMs.toFixed(1)} ms)`) : undefined,
      });
      const how = summary.reason === 'exit' ? 'the server sent EXIT' : 'the server closed the connection';
      log(`${how} after ${summary.steps} step${summary.steps === 1 ? '' : 's'}; ${summary.wallS.toFixed(2)} s, of which calculator ${summary.computeS.toFixed(2)} s, protocol ${(1000 * summary.protocolS).toFixed(1)} ms. Bye.`);
    });
}
