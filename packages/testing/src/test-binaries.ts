import { resolveBinaries, type PgBinaries } from '@hotstandby/core';

let cached: Promise<PgBinaries> | undefined;

// The PostgreSQL binaries tests use: HOTSTANDBY_TEST_BINDIR when set, else what hotstandby itself would pick.
export function testBinaries(): Promise<PgBinaries> {
  cached ??= resolveBinaries({ binDir: process.env.HOTSTANDBY_TEST_BINDIR || undefined });
  return cached;
}
