/** Run Debian's /usr/bin/python3 (which has ASE) for cross-checks; tests skip with a message when ASE is missing. */
import { spawnSync } from 'node:child_process';

const PY = '/usr/bin/python3';

function probe(): boolean {
  const r = spawnSync(PY, ['-c', 'import ase, numpy'], { encoding: 'utf8' });
  return r.status === 0;
}

export const HAVE_ASE = probe();

/** `test(..., { skip })` reason when ASE is missing, else false. */
export function skipWithoutAse(): string | false {
  return HAVE_ASE ? false : `${PY} cannot import ase (install Debian python3-ase): skipping the ASE cross-check`;
}

/** Run a Python script (args available as sys.argv[1:]); returns stdout; throws with stderr on failure. */
export function runPython(script: string, args: string[] = []): string {
  const r = spawnSync(PY, ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}
