/**
 * Byte-level fuzzing of the VASP output readers (OUTCAR, vasprun.xml, XDATCAR) with the mutations of fuzzing.ts:
 * every mutant must give structures or a FarfieldError naming the file (never another exception), the whole-file
 * reader and the streaming reader must agree exactly (frames, or error message), warnings are allowed.
 * More cases / another seed: FF_CASES=3000 FF_SEED=7 node scripts/run-tests.mjs fuzz-vasp (found: a nested
 * <calculation> crashing the vasprun reader, an absurd XDATCAR atom count exhausting memory; both fixed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FarfieldError, Rng, type Structure } from '../../src/core/index.js';
import { setIoWarningHandler } from '../../src/io/index.js';
import { readFrames, readStructures } from '../../src/host/index.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { mutate } from './fuzzing.js';

const FIX = join(REPO_ROOT, 'test', 'fixtures-own', 'vasp');
const XDATCAR = 'Na Cl\n 1\n 5.6 0 0\n 0 5.6 0\n 0 0 5.6\n Na Cl\n 1 1\nDirect configuration=     1\n 0 0 0\n 0.5 0.5 0.5\n' +
  'Na Cl\n 1\n 5.7 0 0\n 0 5.6 0\n 0.1 0 5.5\n Na Cl\n 1 1\nDirect configuration=     2\n 0 0 0.01\n 0.5 0.49 0.5\n';

const FORMATS: [string, string, string][] = [
  ['outcar', 'OUTCAR', readFileSync(join(FIX, 'OUTCAR_nacl3'), 'utf8')],
  ['vasprun', 'vasprun.xml', readFileSync(join(FIX, 'vasprun_relax3.xml'), 'utf8')],
  ['xdatcar', 'XDATCAR', XDATCAR],
];
const CASES = Number(process.env.FF_CASES ?? 200);
const LIMIT_MS = 2000;

function describe(e: unknown): string {
  return e instanceof FarfieldError ? `FarfieldError ${e.code}: ${e.message}` : `${(e as Error)?.name}: ${String((e as Error)?.message ?? e)}\n${(e as Error)?.stack ?? ''}`;
}

for (const [format, name, base] of FORMATS) {
  test(`byte-level mutants of ${format}: parsed or FarfieldError, streaming = whole-file, each within ${LIMIT_MS} ms`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ff-fuzz-vasp-'));
    const prev = setIoWarningHandler(() => {});
    try {
      const path = join(dir, name);
      const rng = new Rng(Number(process.env.FF_SEED ?? 20261205));
      const counts = new Map<string, number>();
      for (let c = 0; c < CASES; c++) {
        const bytes = mutate(Buffer.from(base, 'utf8'), rng);
        writeFileSync(path, bytes);
        const show = () => `\n--- input ---\n${JSON.stringify(Buffer.from(bytes).toString('latin1')).slice(0, 3000)}`;
        const t0 = performance.now();
        let whole: Structure[] | null = null, wholeErr: FarfieldError | null = null;
        try {
          whole = readStructures(path, { format });
        } catch (e) {
          if (!(e instanceof FarfieldError)) assert.fail(`whole-file ${format} reader: ${describe(e)}${show()}`);
          assert.ok(e.location?.file, `error without a file name: ${e.message}${show()}`);
          wholeErr = e;
        }
        const streamed: Structure[] = [];
        let streamErr: FarfieldError | null = null;
        try {
          for await (const s of readFrames(path, { format })) streamed.push(s);
        } catch (e) {
          if (!(e instanceof FarfieldError)) assert.fail(`streaming ${format} reader: ${describe(e)}${show()}`);
          streamErr = e;
        }
        if (wholeErr) assert.equal(streamErr?.message, wholeErr.message, `readers disagree${show()}`);
        else {
          assert.ok(!streamErr, `streaming failed (${streamErr?.message}) but whole-file read ${whole?.length} frames${show()}`);
          assert.deepStrictEqual(streamed, whole, `readers give different frames${show()}`);
        }
        const ms = performance.now() - t0;
        assert.ok(ms < LIMIT_MS, `case ${c} took ${ms.toFixed(0)} ms${show()}`);
        const k = wholeErr ? `error:${wholeErr.code}` : 'parsed';
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      assert.ok((counts.get('parsed') ?? 0) > 0 && (counts.get('error:PARSE') ?? 0) > 0, JSON.stringify([...counts]));
    } finally {
      setIoWarningHandler(prev);
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
