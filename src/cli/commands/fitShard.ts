/**
 * `farfield fit-shard DIR --stage features|normal --shard K` (hidden): one map task of a sharded fit, started by the
 * executor of `farfield fit --scheduler …` (api/fitCluster.ts); not meant to be typed by users.
 */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('fit-shard', { hidden: true })
    .description('one map task of a sharded fit (started by fit --scheduler)')
    .argument('<dir>', 'work directory of the sharded fit')
    .requiredOption('--stage <name>', 'features | normal')
    .requiredOption('--shard <k>', 'shard index')
    .action(async (dir: string, o: { stage: string; shard: string }) => {
      const { runFitShard } = await import('../../api/fitCluster.js');
      runFitShard(dir, o.stage, Number(o.shard));
    });
}
