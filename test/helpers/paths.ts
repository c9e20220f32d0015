/**
 * Paths used by tests: the repository root and `../shared` (third-party data and fixtures; may be absent).
 * Tests run either from the sources (tsx) or compiled by scripts/run-tests.mjs into dist-test/run-PID/ (test/…, src/…);
 * REPO_ROOT is the checkout in both cases, so files beside the tests are read from test/, not from the compilation.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ABOVE_HELPERS = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Whether this process runs the compiled tests (dist-test/run-PID/) rather than the sources through tsx. */
export const COMPILED = basename(dirname(ABOVE_HELPERS)) === 'dist-test';
/** The root of the tree this process runs: the checkout, or the compilation (which has src/ and test/, no data). */
export const CODE_ROOT = ABOVE_HELPERS;
export const REPO_ROOT = COMPILED ? dirname(dirname(ABOVE_HELPERS)) : ABOVE_HELPERS;
export const SHARED_DIR = process.env.FARFIELD_SHARED ?? resolve(REPO_ROOT, '..', 'shared');
export const HAVE_SHARED = existsSync(join(SHARED_DIR, 'fixtures'));

/** Reason string for `test(name, { skip })` when ../shared is missing, or false. */
export function skipWithoutShared(): string | false {
  return HAVE_SHARED ? false : `../shared not found at ${SHARED_DIR}: skipping cross-check on third-party data`;
}

export function sharedPath(...parts: string[]): string {
  return join(SHARED_DIR, ...parts);
}
