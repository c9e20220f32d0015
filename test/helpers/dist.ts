/**
 * Is the compiled tree dist/ (`npm run build`) up to date with src/? True when every src/**.ts (declaration files
 * aside) has its dist/src/**.js and that output was written no earlier than the source's last change (a build
 * rewrites every output; a checkout or an edit makes the source newer). A file deleted from src/ leaves an orphan
 * .js behind, which nothing imports. test/helpers/cli.ts runs the compiled CLI only when it is current.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function distUpToDate(root: string): boolean {
  const walk = (rel: string): boolean => {
    for (const e of readdirSync(join(root, 'src', rel), { withFileTypes: true })) {
      const r = join(rel, e.name);
      if (e.isDirectory()) {
        if (!walk(r)) return false;
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        const out = join(root, 'dist', 'src', r.slice(0, -3) + '.js');
        if (!existsSync(out) || statSync(out).mtimeMs < statSync(join(root, 'src', r)).mtimeMs) return false;
      }
    }
    return true;
  };
  return existsSync(join(root, 'dist', 'src')) && walk('');
}
