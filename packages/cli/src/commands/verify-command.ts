import type { Command } from 'commander';
import { openCommandCluster, type CliContext } from '../cli-context.js';

// `hotstandby verify`: the recipe's checks on every standby; exits non-zero naming the check that failed.
export function registerVerify(program: Command, cli: CliContext): void {
  program
    .command('verify')
    .description('check every standby: in recovery, refuses writes, replays a new row, streams; measure the lag')
    .option('--json', 'print the verification report as JSON')
    .action(async (opts: { json?: boolean }, command: Command) => {
      const { cluster } = await openCommandCluster(cli, command);
      const { isHotstandbyError } = await import('@hotstandby/core');
      const { renderReport } = await import('../output/verify-view.js');
      let report: unknown;
      try {
        report = await cluster.verify({ renderer: opts.json ? 'silent' : 'auto' });
      } catch (error) {
        if (opts.json && isHotstandbyError(error) && error.data) cli.out(JSON.stringify(error.data, null, 2));
        else if (isHotstandbyError(error) && error.data) cli.out(renderReport(error.data));
        throw error;
      }
      cli.out(opts.json ? JSON.stringify(report, null, 2) : renderReport(report));
    });
}
