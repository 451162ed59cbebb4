import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { Machine } from '../hosts/machine.js';
import { debianBinDir, pgdgBinDir, versionInOutput, type PgBinaries, type PgProgram } from './binaries.js';
import { majorLabel, parseMajor, type PgMajorNum } from './versions.js';

// Finds, on one host, server binaries of the cluster's major: where the packages install them (Debian/Ubuntu, then
// the PostgreSQL project's RPMs), else pg_config --bindir or postgres on PATH there; postgres --version must be of
// that major (primary and standbys share one). One round trip to the host. Without a major (a new cluster whose
// primary is on another host and whose config names none), the host's own PostgreSQL (pg_config, PATH) is taken.
export async function binariesOn(machine: Machine, major: PgMajorNum | undefined): Promise<PgBinaries> {
  const candidates = major === undefined ? [] : [debianBinDir(majorLabel(major)), pgdgBinDir(majorLabel(major))];
  const wanted = major === undefined ? 'PostgreSQL' : `PostgreSQL ${majorLabel(major)}`;
  // Prints how it found them (install-location, pg_config or PATH), the directory, the version line and the programs.
  const script = [
    'found() { printf "%s\\n%s\\n" "$1" "$2"; "$2/postgres" --version; ls -1 "$2"; exit 0; }',
    'for dir in "$@"; do [ -x "$dir/postgres" ] && found install-location "$dir"; done',
    'dir=$(pg_config --bindir 2>/dev/null) && [ -x "$dir/postgres" ] && found pg_config "$dir"',
    'dir=$(dirname -- "$(command -v postgres 2>/dev/null)" 2>/dev/null) && [ -x "$dir/postgres" ] && found PATH "$dir"',
    'exit 3',
  ].join('\n');
  const result = await machine.runAllowFailure('sh', ['-c', script, 'find-postgres', ...candidates], { purpose: `look for ${wanted}` });
  const [how, binDir, versionLine, ...programs] = result.stdout.trim().split('\n');
  const version = versionLine === undefined ? undefined : versionInOutput(versionLine);
  if (result.exitCode !== 0 || !binDir || !version) {
    throw new HotstandbyError('BINARIES_NOT_FOUND', `${wanted} is not installed on ${machine.label}`, {
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
    source: how === 'pg_config' || how === 'PATH' ? how : 'install-location',
    reason: `found on ${machine.label}`,
    has: (program: PgProgram) => present.has(program),
    path: (program: PgProgram) => `${binDir}/${program}`,
  };
}
