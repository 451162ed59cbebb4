import { existsSync } from 'node:fs';
import path from 'node:path';
import { z, type PgNode } from '@hotstandby/core';

// The options of the pgbench-smoke step ("steps.pgbench-smoke" in the config).
export const smokeOptions = z.strictObject({
  // pgbench when it is next to the server binaries (auto), always pgbench, or the built-in insert loop.
  method: z.enum(['auto', 'pgbench', 'builtin'], { error: 'must be "auto", "pgbench" or "builtin"' }).default('auto'),
  // pgbench: clients (-c), transactions per client (-t) and scale of the initial data (-s).
  clients: z.int().min(1).max(64).default(2),
  transactions: z.int().min(1).max(1_000_000).default(200),
  scale: z.int().min(1).max(1000).default(1),
  // Built-in load: rows inserted one transaction each.
  rows: z.int().min(1).max(1_000_000).default(500),
  // A scratch database, created for the load and dropped afterwards.
  database: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: 'must be a lower-case database name (a-z, 0-9, _)' })
    .default('hotstandby_smoke'),
  // How long each standby may take to replay the load.
  timeoutSeconds: z.int().min(1).max(3600).default(60),
});

// Options after validation (defaults applied).
export type SmokeOptions = z.infer<typeof smokeOptions>;

// The pgbench program next to the server binaries, if there is one.
export function pgbenchPath(node: PgNode): string | undefined {
  const file = path.join(node.binaries.binDir, process.platform === 'win32' ? 'pgbench.exe' : 'pgbench');
  return existsSync(file) ? file : undefined;
}

// The load this run uses: pgbench where asked for or found, else the built-in loop.
export function chooseMethod(options: SmokeOptions, primary: PgNode): 'pgbench' | 'builtin' {
  if (options.method === 'auto') return pgbenchPath(primary) ? 'pgbench' : 'builtin';
  return options.method;
}
