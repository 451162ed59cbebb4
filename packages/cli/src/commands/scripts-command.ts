import path from 'node:path';
import type { Command } from 'commander';
import { openCommandCluster, type CliContext } from '../cli-context.js';
import { printJson } from '../output/json-output.js';
import type { ScriptsJson } from '../output/json-types.js';
import { DRY_RUN_HELP, printPlan } from './dry-run-option.js';

// `scripts [--out DIR]`: start and stop scripts for each node and for all, like the recipe's appendix.
export function registerScripts(program: Command, cli: CliContext): void {
  program
    .command('scripts')
    .description('write start/stop scripts for each node and for all of them (POSIX sh and Windows .cmd)')
    .option('--out <dir>', 'where to write them (default: <stateDir>/scripts)')
    .option('--host-dir <dir>', 'where to write them on every other host a node lives on (an absolute path there; default: hotstandby-scripts beside the data directory)')
    .option('--dry-run', DRY_RUN_HELP)
    .option('--json', 'print the directory and the scripts written as JSON (with --dry-run: the plan)')
    .action(async (opts: { out?: string; hostDir?: string; json?: boolean; dryRun?: boolean }, command: Command) => {
      if (opts.hostDir !== undefined && !path.posix.isAbsolute(opts.hostDir)) {
        command.error(`error: --host-dir must be an absolute path on the hosts (got "${opts.hostDir}")`, { exitCode: 2 });
      }
      const { spec, cluster } = await openCommandCluster(cli, command, { withPlugins: false });
      const out = opts.out ? path.resolve(cli.cwd, opts.out) : path.join(spec.stateDir, 'scripts');
      if (opts.dryRun) return printPlan(cli, await cluster.describePlan('scripts', { args: opts.hostDir ? [out, opts.hostDir] : [out] }), opts.json);
      const files = await cluster.scripts(out, { hostDir: opts.hostDir });
      if (opts.json) return printJson(cli, { dir: out, files } satisfies ScriptsJson);
      const here = files.filter((f) => path.dirname(f) === out);
      // Nodes on other hosts have their scripts written there ("root@db2:/var/lib/.../hotstandby-scripts/start-b.sh").
      const elsewhere = files.filter((f) => path.dirname(f) !== out);
      if (here.length) cli.out(`Wrote ${here.length} scripts to ${out}:`);
      for (const f of here) cli.out(`  ${path.basename(f)}`);
      if (elsewhere.length) cli.out(`Wrote ${elsewhere.length} files on the nodes' hosts (systemd units are not installed or enabled):`);
      for (const f of elsewhere) cli.out(`  ${f}`);
    });
}
