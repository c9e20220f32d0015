/**
 * Child entry for bench/streaming.bench.ts: runs one farfield CLI command in this process and prints its peak
 * resident set size on stderr (`MAXRSS_KB n`, from process.resourceUsage().maxRSS) when it ends.
 * Usage: node --import tsx bench/rss-child.ts <farfield arguments…>
 */
import { main } from '../src/cli/main.js';

const code = await main(['node', 'farfield', ...process.argv.slice(2)]);
process.stderr.write(`\nMAXRSS_KB ${process.resourceUsage().maxRSS}\n`);
process.exitCode = code;
