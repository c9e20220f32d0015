/** `farfield demo`: the main job on bundled data (grows with the project: see README). */
import type { Command } from 'commander';
import { runDemo } from '../../api/index.js';

export function register(program: Command): void {
  program
    .command('demo')
    .description('run the main farfield job on bundled data and print the result')
    .action(async () => {
      const text = await runDemo({ log: (s) => process.stdout.write(s + '\n') });
      process.stdout.write(text);
    });
}
