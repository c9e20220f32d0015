/**
 * Progress reporting for long work: library code calls a callback; the CLI renders bars, the web page a widget.
 */
export interface ProgressEvent {
  /** Phase name, e.g. 'descriptors', 'normal equations'. */
  phase: string;
  done: number;
  total: number;
  /** Optional free text (current file, error estimate …). */
  message?: string;
}

export type ProgressCallback = (e: ProgressEvent) => void;

export const noProgress: ProgressCallback = () => {};
