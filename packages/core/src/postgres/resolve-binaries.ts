import { existsSync } from 'node:fs';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import {
  binariesNotFound,
  inspectBinDir,
  installLocationCandidates,
  isServerBinDir,
  pathCandidates,
  pgConfigCandidate,
  type BinaryCandidate,
  type PgBinaries,
} from './binaries.js';
import { majorLabel, type PgMajorNum } from './versions.js';

// What to look for.
export interface BinaryRequest {
  // postgres.binDir from the config.
  binDir?: string;
  // The major the binaries must have (the existing primary's PG_VERSION, or postgres.version).
  major?: PgMajorNum;
  // Extra candidates tried last (the embedded binaries).
  fallbacks?: () => Promise<BinaryCandidate[]>;
  // The set chosen on an earlier run, tried first when the config names none.
  remembered?: BinaryCandidate;
}

// Find server binaries: the config's binDir, then pg_config / PATH, then the usual install locations, then fallbacks.
// The first set with the wanted major wins; the result says where it came from and why.
export async function resolveBinaries(request: BinaryRequest): Promise<PgBinaries> {
  if (request.binDir) {
    if (!existsSync(request.binDir) || !isServerBinDir(request.binDir)) {
      throw new HotstandbyError('BINARIES_NOT_FOUND', `postgres.binDir ${request.binDir} does not hold postgres, initdb and pg_ctl`, {
        where: { key: 'postgres.binDir' },
        fix: 'point postgres.binDir at the bin directory of a PostgreSQL installation (for example /usr/lib/postgresql/15/bin)',
      });
    }
    const chosen = await inspectBinDir({ binDir: request.binDir, source: 'config', reason: 'postgres.binDir in the config' });
    if (request.major && chosen.major !== request.major) {
      throw new HotstandbyError('UNSUPPORTED_VERSION', `postgres.binDir ${request.binDir} holds PostgreSQL ${chosen.version}, but the cluster needs PostgreSQL ${majorLabel(request.major)}`, {
        where: { key: 'postgres.binDir' },
        fix: `point postgres.binDir at PostgreSQL ${majorLabel(request.major)} binaries`,
      });
    }
    return chosen;
  }
  const looked: string[] = [];
  const seen = new Set<string>();
  const sources: (() => Promise<BinaryCandidate[]>)[] = [
    async () => (request.remembered && isServerBinDir(request.remembered.binDir) ? [{ ...request.remembered, reason: `${request.remembered.reason} (remembered)` }] : []),
    async () => [await pgConfigCandidate()].filter((c): c is BinaryCandidate => c !== undefined),
    async () => pathCandidates(),
    async () => installLocationCandidates(),
    request.fallbacks ?? (async () => []),
  ];
  for (const source of sources) {
    for (const candidate of await source()) {
      if (seen.has(candidate.binDir)) continue;
      seen.add(candidate.binDir);
      looked.push(candidate.binDir);
      const binaries = await inspectBinDir(candidate).catch(() => undefined);
      if (!binaries) continue;
      if (request.major && binaries.major !== request.major) continue;
      return binaries;
    }
  }
  throw binariesNotFound(request.major, looked);
}
