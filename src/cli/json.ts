/**
 * `--json` output discipline, shared by every command that has the flag: stdout carries exactly one JSON object
 * (the result, or `{"error": {code, message}}` when the command fails) and everything else — progress, MD thermo
 * tables, warnings, stray console.log — goes to stderr, so `farfield CMD --json | jq` always works.
 *
 * main.ts switches JSON mode on in a commander preAction hook when the command's options have `json` set; while it is
 * on, writes to process.stdout are redirected to stderr, and `emitJson` writes the one object to the real stdout.
 */
import { isFarfieldError } from '../core/index.js';

type Write = typeof process.stdout.write;

let realWrite: Write | null = null;
let emitted = false;

/** Route stdout to stderr until `endJsonMode` (idempotent). */
export function beginJsonMode(): void {
  if (realWrite) return;
  emitted = false;
  realWrite = process.stdout.write.bind(process.stdout) as Write;
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => (process.stderr.write as (...a: unknown[]) => boolean)(chunk, ...rest)) as Write;
}

/** Restore stdout. */
export function endJsonMode(): void {
  if (!realWrite) return;
  process.stdout.write = realWrite;
  realWrite = null;
}

/** Print the command's one JSON object on stdout (compact, one line). Outside JSON mode it is printed as well. */
export function emitJson(value: unknown): void {
  if (emitted && realWrite) throw new Error('internal: a --json command printed two JSON objects');
  emitted = true;
  const text = JSON.stringify(value) + '\n';
  if (realWrite) realWrite(text);
  else process.stdout.write(text);
}

/** In JSON mode, print `{"error": {code, message}}` for a failed command (unless a result was already printed). */
export function emitJsonError(e: unknown): void {
  if (!realWrite || emitted) return;
  const message = e instanceof Error ? e.message : String(e);
  emitJson({ error: { code: isFarfieldError(e) ? e.code : 'INTERNAL', message } });
}
