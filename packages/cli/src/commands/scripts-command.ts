import path from 'node:path';
import type { Command } from 'commander';
import { openCluster, type CliContext } from '../cli-context.js';

// `scripts [--out DIR]`: start and stop scripts for each node and for all, like the recipe's appendix.
export function registerScripts(program: Command, cli: CliContext): void {
  program
    .command('scripts')
    .description('write start/stop scripts for each node and for all of them (POSIX sh and Windows .cmd)')
    .option('--out <dir>', 'where to write them (default: <stateDir>/scripts)')
    .action(async (opts: { out?: string }, command: Command) => {
      const { spec, cluster } = await openCluster(cli, command, { withPlugins: false });
      const out = opts.out ? path.resolve(cli.cwd, opts.out) : path.join(spec.stateDir, 'scripts');
      const files = await cluster.scripts(out);
      cli.out(`Wrote ${files.length} scripts to ${out}:`);
      for (const f of files) cli.out(`  ${path.basename(f)}`);
    });
}
