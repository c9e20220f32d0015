/**
 * FarfieldError: the one error type that crosses farfield's public boundary.
 * Codes are stable strings (part of the API); messages say what, where and what was expected.
 */

export type FarfieldErrorCode =
  | 'PARSE'            // a file could not be parsed (file, line, field in `location`)
  | 'FORMAT'           // unknown or unsupported file format
  | 'IO'               // reading or writing failed at the OS level
  | 'INVALID_INPUT'    // a value is out of range, inconsistent or non-finite
  | 'INVALID_STRUCTURE'// singular cell, mixed pbc without a cell, inconsistent arrays
  | 'UNSUPPORTED'      // a request that is valid but not implemented
  | 'MODEL'            // model file refused (version, checksum, content)
  | 'NUMERIC'          // a numerical method failed (no convergence, not positive definite)
  | 'CANCELLED'        // the caller cancelled long work
  | 'EXTERNAL';        // an external program (CP2K, LAMMPS, python) failed

/** Where in a file an error happened. `line` is 1-based. */
export interface ErrorLocation {
  file?: string;
  line?: number;
  field?: string;
}

export class FarfieldError extends Error {
  readonly code: FarfieldErrorCode;
  readonly location: ErrorLocation | undefined;

  constructor(code: FarfieldErrorCode, message: string, location?: ErrorLocation, options?: { cause?: unknown }) {
    const prefix = formatLocation(location);
    super(prefix ? `${prefix}: ${message}` : message, options);
    this.name = 'FarfieldError';
    this.code = code;
    this.location = location;
  }
}

/** `file:line (field)` — the prefix of every parser message, e.g. `train.xyz:1043 (Properties)`. */
export function formatLocation(loc: ErrorLocation | undefined): string {
  if (!loc) return '';
  let s = loc.file ?? '';
  if (loc.line !== undefined) s += `${s ? ':' : 'line '}${loc.line}`;
  if (loc.field) s += `${s ? ' ' : ''}(${loc.field})`;
  return s;
}

export function isFarfieldError(e: unknown): e is FarfieldError {
  return e instanceof FarfieldError;
}
