#!/usr/bin/env -S node --no-concurrent-recompilation
// (the option: src/host/executor/index.ts CLI_NODE_OPTIONS — a short process cannot deadlock at exit, nodejs/node#54918)
// farfield command-line entry point. The TypeScript sources are compiled to dist/ by `npm ci` (prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'src', 'cli', 'main.js');
if (!existsSync(entry)) {
  console.error('farfield: dist/ is missing; run `npm ci` (or `npm run build`) in ' + root);
  process.exit(1);
}
const { main } = await import(entry);
process.exitCode = await main(process.argv);
