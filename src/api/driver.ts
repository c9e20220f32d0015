/**
 * Library verb `runDriver`: serve a fitted model (or a built-in reference calculator) to an MD engine over the i-PI
 * socket protocol (host/ipi.ts) — i-PI, ASE's SocketIOCalculator, LAMMPS `fix ipi`. The species and their order come
 * from a structure file (the server sends only positions and the cell); one calculator instance serves every step,
 * so what it caches between calls (descriptor tabulations, prepared references, tuned electrostatics) is reused.
 */
import { FarfieldError, type Calculator, type Structure } from '../core/index.js';
import {
  parseAddress, runIpiDriver, unixSocketPath, type IpiDriverSummary, type IpiEndpoint, type IpiStepInfo, type IpiUnits, type IpiUnitsName,
} from '../host/index.js';
import { KernelModel } from '../model/index.js';
import { loadCalculator, loadFrame, withTrajectoryWorkspace } from './md.js';

export { IPI_UNITS, parseAddress, unixSocketPath, type IpiDriverSummary, type IpiEndpoint, type IpiStepInfo, type IpiUnits, type IpiUnitsName } from '../host/index.js';

export interface DriverOptions {
  /** A fitted model file, a built-in calculator name (MD_CALCULATORS), or a Calculator instance. */
  model?: string;
  calculator?: string | Calculator;
  /** Structure file giving species, their order and pbc (the last frame unless `frame`). */
  structure: string | Structure;
  frame?: number;
  /** Unix socket name (/tmp/ipi_NAME; a name containing '/' is used as the path) — exactly one of unix, address. */
  unix?: string;
  /** TCP `HOST:PORT`. */
  address?: string;
  units?: IpiUnitsName | IpiUnits;
  /** Keep retrying the connection for this many seconds while the server is not up (default 0). */
  retrySeconds?: number;
  /**
   * Send the model's energy uncertainty as the extra string `{"energy_uncertainty": σ_E (eV)}` (default false: ASE
   * 3.22's server fails on an extra string longer than one byte — `if morebytes:` on a numpy array — i-PI reads it).
   */
  uncertainty?: boolean;
  onStep?: (info: IpiStepInfo) => void;
  onLog?: (message: string) => void;
  signal?: AbortSignal;
}

/** The endpoint of `--unix NAME` / `--address HOST:PORT` (exactly one). */
export function driverEndpoint(o: { unix?: string; address?: string }): IpiEndpoint {
  if ((o.unix === undefined) === (o.address === undefined))
    throw new FarfieldError('INVALID_INPUT', 'driver: give exactly one of --unix NAME (socket /tmp/ipi_NAME) or --address HOST:PORT');
  return o.unix !== undefined ? { kind: 'unix', path: unixSocketPath(o.unix) } : parseAddress(o.address!);
}

/** Connect and serve until the server ends the run; see host/ipi.ts for the protocol. */
export async function runDriver(o: DriverOptions): Promise<IpiDriverSummary> {
  const endpoint = driverEndpoint(o);
  if (o.model === undefined && o.calculator === undefined) throw new FarfieldError('INVALID_INPUT', 'driver needs a model file (or --calculator NAME)');
  const calculator = typeof o.calculator === 'object' ? o.calculator : loadCalculator({ model: o.model, calculator: o.calculator });
  const template = typeof o.structure === 'string' ? await loadFrame(o.structure, o.frame ?? -1) : o.structure;
  if (o.uncertainty && !(calculator instanceof KernelModel && calculator.params.covarianceFactor !== undefined))
    throw new FarfieldError('UNSUPPORTED', 'driver: the calculator has no uncertainty estimate (a model fitted with a stored covariance has)');
  if (calculator instanceof KernelModel) {
    const unknown = template.symbols.filter((s) => !calculator.species.includes(s));
    if (unknown.length > 0)
      throw new FarfieldError('INVALID_INPUT', `driver: the model knows species [${calculator.species.join(', ')}], the structure has [${unknown.join(', ')}]`);
  }
  // the server sends a trajectory: reuse neighbour lists from step to step (dropped when the run ends)
  return withTrajectoryWorkspace(calculator, () => runIpiDriver({
    calculator, template, endpoint, units: o.units, retrySeconds: o.retrySeconds, uncertainty: o.uncertainty ?? false,
    templateName: typeof o.structure === 'string' ? o.structure : undefined, onStep: o.onStep, onLog: o.onLog, signal: o.signal,
  }));
}
