/**
 * Paths used by tests: the repository root and `../shared` (third-party data and fixtures; may be absent).
 * Tests run either from the sources (tsx) or compiled into dist-test/ by scripts/run-tests.mjs (dist-test/test/…);
 * REPO_ROOT is the checkout in both cases, so files beside the tests are read from test/, not from dist-test/.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ABOVE_HELPERS = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const REPO_ROOT = basename(ABOVE_HELPERS) === 'dist-test' ? dirname(ABOVE_HELPERS) : ABOVE_HELPERS;
/** Whether this process runs the compiled tests (dist-test/) rather than the sources through tsx. */
export const COMPILED = ABOVE_HELPERS !== REPO_ROOT;
export const SHARED_DIR = process.env.FARFIELD_SHARED ?? resolve(REPO_ROOT, '..', 'shared');
export const HAVE_SHARED = existsSync(join(SHARED_DIR, 'fixtures'));

/** Reason string for `test(name, { skip })` when ../shared is missing, or false. */
export function skipWithoutShared(): string | false {
  return HAVE_SHARED ? false : `../shared not found at ${SHARED_DIR}: skipping cross-check on third-party data`;
}

export function sharedPath(...parts: string[]): string {
  return join(SHARED_DIR, ...parts);
}
