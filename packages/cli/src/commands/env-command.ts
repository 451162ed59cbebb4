import type { Command } from 'commander';
import { openCommandCluster, type CliContext } from '../cli-context.js';

// The driver formats, for the help text without loading the library at start (the library's DRIVER_FORMATS; a unit
// test keeps the two lists the same).
export const DRIVER_FORMAT_HELP = 'node-postgres, postgres-js, prisma, drizzle, knex, kysely, jdbc';

// `env`: connection URLs for applications that split reads and writes (no passwords; PGPASSFILE has them), or
// one client library's settings with --format.
export function registerEnv(program: Command, cli: CliContext): void {
  program
    .command('env')
    .description('print connection URLs: per node, and libpq multi-host URLs for read-write and read-only use')
    .option('--json', 'print JSON (the same as --format json)')
    .option('--format <format>', `shell (default), json, or settings for a client library: ${DRIVER_FORMAT_HELP}`)
    .option('--show-password', 'put the superuser password into a driver format (without it the driver reads PGPASSFILE)')
    .option('--database <name>', 'database in the URLs', 'postgres')
    .action(async (opts: { json?: boolean; format?: string; showPassword?: boolean; database: string }, command: Command) => {
      const { quoteShellArg, isDriverFormat } = await import('@hotstandby/core');
      const format = opts.format ?? (opts.json ? 'json' : 'shell');
      if (opts.json && opts.format !== undefined && opts.format !== 'json')
        command.error(`error: --json and --format ${opts.format} ask for two outputs; give one`, { exitCode: 2 });
      if (format !== 'shell' && format !== 'json' && !isDriverFormat(format)) {
        command.error(`error: --format must be shell, json, ${DRIVER_FORMAT_HELP} (got "${format}")`, { exitCode: 2 });
      }
      if (opts.showPassword && !isDriverFormat(format)) {
        command.error(`error: --show-password applies to the driver formats (${DRIVER_FORMAT_HELP}); the shell and json output name PGPASSFILE instead`, { exitCode: 2 });
      }
      const { cluster } = await openCommandCluster(cli, command, { withPlugins: false });
      if (isDriverFormat(format)) {
        const settings = await cluster.driverSettings(format, { database: opts.database, showPassword: opts.showPassword });
        if (format !== 'jdbc') return cli.out(JSON.stringify(settings, null, 2));
        for (const [k, v] of Object.entries(settings)) cli.out(`export ${k}=${quoteShellArg(v)}`);
        return;
      }
      const env = await cluster.env(opts.database);
      if (format === 'json') return cli.out(JSON.stringify(env, null, 2));
      const line = (k: string, v: string) => cli.out(`export ${k}=${quoteShellArg(v)}`);
      line('PGPASSFILE', env.passfile);
      for (const n of env.nodes) line(nodeVariable(n.name), n.url);
      line('DATABASE_URL', env.readWriteUrl);
      line('DATABASE_READ_ONLY_URL', env.readOnlyUrl);
      line('DATABASE_READ_ONLY_BALANCED_URL', env.readOnlyBalancedUrl);
      line('DATABASE_PREFER_STANDBY_URL', env.preferStandbyUrl);
      cli.out('# read-write: libpq 10+; read-only and prefer-standby: libpq 14+; the balanced URL: libpq 16+');
      for (const note of env.notes) cli.out(`# ${note}`);
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
