/**
 * Reader warnings: things a parser notices and skips without failing (the incomplete last ionic step of an OUTCAR
 * whose run is still going, a VASP stress line overflowed to '*****'). They go to one replaceable handler; the
 * default prints `farfield: warning: file:line: message` to stderr (console.warn), so CLI users see them and
 * library callers or tests can collect them with `setIoWarningHandler`. No `node:*` imports.
 */
import { formatLocation, type ErrorLocation } from '../core/index.js';

export interface IoWarning {
  message: string;
  location?: ErrorLocation;
}

export type IoWarningHandler = (w: IoWarning) => void;

const defaultHandler: IoWarningHandler = (w) => {
  const where = formatLocation(w.location);
  console.warn(`farfield: warning: ${where ? `${where}: ` : ''}${w.message}`);
};

let handler: IoWarningHandler = defaultHandler;

/** Replace the warning handler; returns the previous one (pass nothing to restore the default). */
export function setIoWarningHandler(h?: IoWarningHandler): IoWarningHandler {
  const prev = handler;
  handler = h ?? defaultHandler;
  return prev;
}

export function ioWarn(message: string, location?: ErrorLocation): void {
  handler({ message, location });
}
