/** Paths used by tests: the repository root and `../shared` (third-party data and fixtures; may be absent). */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED_DIR = process.env.FARFIELD_SHARED ?? resolve(REPO_ROOT, '..', 'shared');
export const HAVE_SHARED = existsSync(join(SHARED_DIR, 'fixtures'));

/** Reason string for `test(name, { skip })` when ../shared is missing, or false. */
export function skipWithoutShared(): string | false {
  return HAVE_SHARED ? false : `../shared not found at ${SHARED_DIR}: skipping cross-check on third-party data`;
}

export function sharedPath(...parts: string[]): string {
  return join(SHARED_DIR, ...parts);
}
