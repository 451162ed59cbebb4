import type { Command } from 'commander';
import { openCommandCluster, type CliContext } from '../cli-context.js';

// `env`: connection URLs for applications that split reads and writes (no passwords; PGPASSFILE has them).
export function registerEnv(program: Command, cli: CliContext): void {
  program
    .command('env')
    .description('print connection URLs: per node, and libpq multi-host URLs for read-write and read-only use')
    .option('--json', 'print JSON')
    .option('--database <name>', 'database in the URLs', 'postgres')
    .action(async (opts: { json?: boolean; database: string }, command: Command) => {
      const { cluster } = await openCommandCluster(cli, command, { withPlugins: false });
      const env = await cluster.env(opts.database);
      const { quoteShellArg } = await import('@hotstandby/core');
      if (opts.json) return cli.out(JSON.stringify(env, null, 2));
      const line = (k: string, v: string) => cli.out(`export ${k}=${quoteShellArg(v)}`);
      line('PGPASSFILE', env.passfile);
      for (const n of env.nodes) line(nodeVariable(n.name), n.url);
      line('DATABASE_URL', env.readWriteUrl);
      line('DATABASE_READ_ONLY_URL', env.readOnlyUrl);
      line('DATABASE_READ_ONLY_BALANCED_URL', env.readOnlyBalancedUrl);
      line('DATABASE_PREFER_STANDBY_URL', env.preferStandbyUrl);
      cli.out('# read-write: libpq 10+; read-only and prefer-standby: libpq 14+; the balanced URL: libpq 16+');
      // Delayed standbys serve old data on purpose: say why they are missing from the read URLs.
      for (const x of env.excludedFromReads) {
        cli.out(
          `# ${x.name} is not in the read-only, balanced or prefer-standby URLs: it ${x.reason}; read from it through ${nodeVariable(x.name)} only when old data is what you want`,
        );
      }
    });
}

// The shell variable holding one node's URL.
function nodeVariable(name: string): string {
  return `HOTSTANDBY_${name.toUpperCase().replace(/-/g, '_')}_URL`;
}
