import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { Machine } from '../hosts/machine.js';
import { versionInOutput, type PgBinaries, type PgProgram } from './binaries.js';
import { majorLabel, parseMajor, type PgMajorNum } from './versions.js';

// Where PostgreSQL's packages put a major's programs (Debian/Ubuntu, then RHEL/Fedora's PGDG), before asking
// pg_config and PATH on the host.
function conventionalBinDirs(major: PgMajorNum): string[] {
  const label = majorLabel(major);
  return [`/usr/lib/postgresql/${label}/bin`, `/usr/pgsql-${label}/bin`];
}

// Finds, on one host, server binaries of the cluster's major: the configured directory when given, else where the
// packages install them, pg_config --bindir, or postgres on PATH; each candidate's postgres --version must be of that
// major (primary and standbys share one). One round trip to the host.
// Without a major (a new cluster whose primary is on another host and whose config names none), the host's own
// PostgreSQL (pg_config, PATH) is taken.
export async function binariesOn(machine: Machine, major: PgMajorNum | undefined, configuredBinDir?: string): Promise<PgBinaries> {
  const candidates = configuredBinDir ? [configuredBinDir] : major === undefined ? [] : conventionalBinDirs(major);
  const wanted = major === undefined ? 'PostgreSQL' : `PostgreSQL ${majorLabel(major)}`;
  const script = [
    'for dir in "$@"; do [ -x "$dir/postgres" ] && printf "%s\\n" "$dir" && "$dir/postgres" --version && ls -1 "$dir" && exit 0; done',
    '[ -n "$HOTSTANDBY_ONLY_GIVEN" ] && exit 3',
    'dir=$(pg_config --bindir 2>/dev/null) || dir=$(dirname -- "$(command -v postgres 2>/dev/null)" 2>/dev/null) || exit 3',
    '[ -x "$dir/postgres" ] || exit 3',
    'printf "%s\\n" "$dir"; "$dir/postgres" --version; ls -1 "$dir"',
  ].join('\n');
  const result = await machine.runAllowFailure('sh', ['-c', script, 'find-postgres', ...candidates], {
    env: configuredBinDir ? { HOTSTANDBY_ONLY_GIVEN: '1' } : {},
    purpose: `look for ${wanted}`,
  });
  const [binDir, versionLine, ...programs] = result.stdout.trim().split('\n');
  const version = versionLine === undefined ? undefined : versionInOutput(versionLine);
  if (result.exitCode !== 0 || !binDir || !version) {
    throw new HotstandbyError('BINARIES_NOT_FOUND', `${wanted} is not installed on ${machine.label}${configuredBinDir ? ` (no postgres in ${configuredBinDir})` : ''}`, {
      where: { host: machine.label },
      fix:
        major === undefined
          ? 'install the PostgreSQL server package there, or set postgres.version'
          : `install PostgreSQL ${majorLabel(major)}'s server package there (Debian/Ubuntu: apt-get install postgresql-${majorLabel(major)})`,
    });
  }
  const found = parseMajor(version);
  if (major !== undefined && found !== major) {
    throw new HotstandbyError('UNSUPPORTED_VERSION', `the PostgreSQL on ${machine.label} (${binDir}) is ${version}, but the cluster runs ${wanted}`, {
      where: { host: machine.label },
      fix: `install ${wanted} there: primary and standbys must run one major`,
    });
  }
  const present = new Set(programs.map((p) => p.trim()));
  return {
    binDir,
    major: found,
    version,
    source: configuredBinDir ? 'config' : 'install-location',
    reason: `found on ${machine.label}`,
    has: (program: PgProgram) => present.has(program),
    path: (program: PgProgram) => `${binDir}/${program}`,
  };
}
