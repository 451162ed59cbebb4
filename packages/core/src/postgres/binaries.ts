import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import { runProgramAllowFailure } from './process-runner.js';
import { majorLabel, parseMajor, type PgMajorNum } from './versions.js';

// A PostgreSQL program hotstandby may call.
export type PgProgram = 'postgres' | 'initdb' | 'pg_ctl' | 'pg_basebackup' | 'pg_rewind' | 'pg_controldata' | 'psql';

// A set of server binaries, where they came from and why they were chosen.
export interface PgBinaries {
  binDir: string;
  major: PgMajorNum;
  version: string;
  source: BinarySource;
  reason: string;
  has(program: PgProgram): boolean;
  path(program: PgProgram): string;
}

// Where a set of binaries was found.
export type BinarySource = 'config' | 'pg_config' | 'PATH' | 'install-location' | 'embedded';

// A bin directory to consider, with how it was found.
export interface BinaryCandidate {
  binDir: string;
  source: BinarySource;
  reason: string;
}

// The file name suffix of programs on this platform.
export const EXE = process.platform === 'win32' ? '.exe' : '';
const SERVER_PROGRAMS: readonly PgProgram[] = ['postgres', 'initdb', 'pg_ctl'];

// True when the directory holds the three programs a server needs.
export function isServerBinDir(dir: string): boolean {
  return SERVER_PROGRAMS.every((p) => existsSync(path.join(dir, p + EXE)));
}

// A set of binaries chosen by an earlier command: what their postgres printed as its version then, and the stamp
// of that postgres program (so a later command can describe them without running it again).
export interface RememberedBinaries extends BinaryCandidate {
  version?: string;
  stamp?: string;
}

// What identifies a program file as it is now (size, modification and change times, inode): an upgrade or a
// reinstall changes it, and so does any change to the file's contents or metadata.
export async function programStamp(file: string): Promise<string> {
  const st = await stat(file);
  return `${st.size}:${Math.floor(st.mtimeMs)}:${Math.floor(st.ctimeMs)}:${st.ino}`;
}

// The remembered binaries described from what was recorded, when their postgres program is still the file it
// was then; undefined when anything differs or is missing (then the version is read by running postgres again).
export async function unchangedBinaries(remembered: RememberedBinaries): Promise<PgBinaries | undefined> {
  if (!remembered.version || !remembered.stamp || !isServerBinDir(remembered.binDir)) return undefined;
  const stamp = await programStamp(path.join(remembered.binDir, 'postgres' + EXE)).catch(() => undefined);
  if (stamp !== remembered.stamp) return undefined;
  let major: PgMajorNum;
  try {
    major = parseMajor(remembered.version);
  } catch {
    return undefined;
  }
  return binariesAt({ binDir: remembered.binDir, source: remembered.source, reason: remembered.reason }, major, remembered.version);
}

// The version `postgres --version` printed, per program file (path and programStamp): a command that resolves the
// same binaries twice (verify, then the status it reports) runs the program once, and a replaced binary is asked
// again.
const versionByFile = new Map<string, Promise<string>>();

// Read the version of the binaries in a directory and describe them.
export async function inspectBinDir(candidate: BinaryCandidate): Promise<PgBinaries> {
  const postgres = path.join(candidate.binDir, 'postgres' + EXE);
  const stamp = await programStamp(postgres).catch(() => undefined);
  const key = stamp === undefined ? undefined : `${postgres}\0${stamp}`;
  const known = key === undefined ? undefined : versionByFile.get(key);
  const asking = known ?? readVersion(postgres);
  if (key !== undefined && !known) {
    versionByFile.set(key, asking);
    asking.catch(() => versionByFile.delete(key));
  }
  const version = await asking;
  return binariesAt(candidate, parseMajor(version), version);
}

async function readVersion(postgres: string): Promise<string> {
  const result = await runProgramAllowFailure(postgres, ['--version'], { purpose: `${postgres} --version` });
  if (result.exitCode !== 0) {
    throw new HotstandbyError('BINARIES_NOT_FOUND', `${postgres} --version failed: ${(result.stderr || result.stdout).trim()}`, {
      fix: 'point postgres.binDir at a working PostgreSQL installation',
    });
  }
  return versionInOutput(result.stdout) ?? result.stdout.trim();
}

// The version `postgres --version` prints ("postgres (PostgreSQL) 15.18" gives "15.18"), if the output has one.
export function versionInOutput(output: string): string | undefined {
  return /\(PostgreSQL\)\s+(\S+)/.exec(output)?.[1];
}

// A PgBinaries value for a directory whose version is already known.
export function binariesAt(candidate: BinaryCandidate, major: PgMajorNum, version: string): PgBinaries {
  const binDir = candidate.binDir;
  return {
    binDir,
    major,
    version,
    source: candidate.source,
    reason: candidate.reason,
    has: (program) => existsSync(path.join(binDir, program + EXE)),
    path: (program) => path.join(binDir, program + EXE),
  };
}

// Directories on PATH that really hold server programs (symlinks resolved; wrapper scripts skipped).
export function pathCandidates(envPath = process.env.PATH ?? ''): BinaryCandidate[] {
  const out: BinaryCandidate[] = [];
  for (const dir of envPath.split(path.delimiter).filter(Boolean)) {
    const pgCtl = path.join(dir, 'pg_ctl' + EXE);
    if (!existsSync(pgCtl)) continue;
    const real = path.dirname(realpathSync(pgCtl));
    if (isServerBinDir(real)) out.push({ binDir: real, source: 'PATH', reason: `pg_ctl on PATH (${pgCtl})` });
  }
  return out;
}

// The bin directory pg_config on PATH reports, when it holds server programs.
export async function pgConfigCandidate(): Promise<BinaryCandidate | undefined> {
  const result = await runProgramAllowFailure('pg_config', ['--bindir']).catch(() => undefined);
  const dir = result?.exitCode === 0 ? result.stdout.trim() : '';
  if (dir && isServerBinDir(dir)) return { binDir: dir, source: 'pg_config', reason: 'pg_config --bindir' };
  return undefined;
}

// Where Debian/Ubuntu's packages put a major's programs ("15", "9.6").
export function debianBinDir(label: string): string {
  return `/usr/lib/postgresql/${label}/bin`;
}

// Where the PostgreSQL project's RPMs (RHEL, Fedora) put them.
export function pgdgBinDir(label: string): string {
  return `/usr/pgsql-${label}/bin`;
}

// Server bin directories in the usual install locations, newest major first.
export function installLocationCandidates(): BinaryCandidate[] {
  const found: { dir: string; major: number; where: string }[] = [];
  const scan = (root: string, pattern: RegExp, toBin: (name: string) => string, where: string) => {
    let names: string[];
    try {
      names = readdirSync(root);
    } catch {
      return;
    }
    for (const name of names) {
      const m = pattern.exec(name);
      if (!m) continue;
      const dir = toBin(name);
      if (isServerBinDir(dir)) found.push({ dir, major: Number(m[1]), where });
    }
  };
  scan('/usr/lib/postgresql', /^(\d+(?:\.\d+)?)$/, debianBinDir, 'Debian/Ubuntu');
  scan('/usr', /^pgsql-(\d+(?:\.\d+)?)$/, (n) => pgdgBinDir(n.slice('pgsql-'.length)), 'RHEL/Fedora');
  scan('/opt/homebrew/opt', /^postgresql@(\d+)$/, (n) => `/opt/homebrew/opt/${n}/bin`, 'Homebrew');
  scan('/usr/local/opt', /^postgresql@(\d+)$/, (n) => `/usr/local/opt/${n}/bin`, 'Homebrew');
  scan('/Applications/Postgres.app/Contents/Versions', /^(\d+)$/, (n) => `/Applications/Postgres.app/Contents/Versions/${n}/bin`, 'Postgres.app');
  scan('C:\\Program Files\\PostgreSQL', /^(\d+)$/, (n) => `C:\\Program Files\\PostgreSQL\\${n}\\bin`, 'Windows installer');
  return found.sort((a, b) => b.major - a.major).map((f) => ({ binDir: f.dir, source: 'install-location' as const, reason: `${f.where} install location` }));
}

// The error raised when no candidate fits.
export function binariesNotFound(wantedMajor: PgMajorNum | undefined, looked: readonly string[]): HotstandbyError {
  const wanted = wantedMajor ? `PostgreSQL ${majorLabel(wantedMajor)} ` : 'PostgreSQL ';
  return new HotstandbyError('BINARIES_NOT_FOUND', `no ${wanted}server binaries (postgres, initdb, pg_ctl) were found`, {
    where: { key: 'postgres.binDir' },
    detail: looked.length ? `looked in: ${looked.join(', ')}` : undefined,
    fix: 'install PostgreSQL (Debian/Ubuntu: apt install postgresql) or set postgres.binDir to its bin directory',
  });
}
