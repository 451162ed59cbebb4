import { inspectBinDir, installLocationCandidates, pathCandidates, pgConfigCandidate, type BinaryCandidate, type PgBinaries } from './binaries.js';
import { embeddedCandidates, listEmbeddedInstalls } from './embedded/embedded-installs.js';
import { systemSearchEnabled } from './resolve-binaries.js';

// Every set of PostgreSQL server binaries on this machine, in the order hotstandby would consider them.
export async function listAvailableBinaries(): Promise<PgBinaries[]> {
  const candidates: BinaryCandidate[] = [];
  if (systemSearchEnabled()) {
    const pgConfig = await pgConfigCandidate();
    if (pgConfig) candidates.push(pgConfig);
    candidates.push(...pathCandidates(), ...installLocationCandidates());
  }
  candidates.push(...embeddedCandidates(await listEmbeddedInstalls()));
  const seen = new Set<string>();
  const out: PgBinaries[] = [];
  for (const candidate of candidates) {
    if (seen.has(candidate.binDir)) continue;
    seen.add(candidate.binDir);
    const binaries = await inspectBinDir(candidate).catch(() => undefined);
    if (binaries) out.push(binaries);
  }
  return out;
}
