import { readFile } from 'node:fs/promises';
import { Executor } from '../executor/executor.js';
import { withManagedBlock } from '../postgres/hba-file.js';
import type { ClusterRuntime } from './cluster-runtime.js';

// Once the last standby has left (and no former primary waits to rejoin), the replication rule hotstandby put
// into the primary's pg_hba.conf serves nobody: its marked block is taken out, the user's lines stay byte for
// byte, and the primary reloads. Returns the file it changed, if any. (`up` puts the rule back, as it prepares
// the primary for standbys.)
export async function removeUnneededReplicationRule(rt: ClusterRuntime, leaving: string, log: (line: string) => void): Promise<string | undefined> {
  const remaining = rt.spec.standbys.filter((s) => s.name !== leaving);
  if (remaining.length > 0 || (rt.spec.detached?.length ?? 0) > 0 || !(await rt.primary.isRunning())) return undefined;
  const row = await rt.primary.queryOne<{ f: string }>("SELECT current_setting('hba_file') AS f");
  if (!row) return undefined;
  const current = await readFile(row.f, 'utf8');
  const wanted = withManagedBlock(current, []);
  if (wanted === current) return undefined;
  const executor = new Executor({ node: (n) => rt.node(n), serverUser: rt.serverUser, state: rt.store, layout: rt.layout });
  await executor.applyAll([
    { kind: 'write-file', path: row.f, content: wanted, owner: 'server', mode: 0o600, summary: `remove hotstandby's replication rule from ${row.f}` },
    { kind: 'node', node: rt.primary.name, op: 'reload', summary: `reload ${rt.primary.name}` },
  ]);
  log(`removed hotstandby's replication rule from ${row.f} (no standby needs it any more; your own lines are unchanged) and reloaded ${rt.primary.name}`);
  return row.f;
}
