import type { Action } from '../executor/action.js';
import { withManagedBlock } from '../postgres/hba-file.js';
import type { ClusterRuntime } from './cluster-runtime.js';

// Once the last standby has left (and no former primary waits to rejoin), the replication rule hotstandby put
// into the primary's pg_hba.conf serves nobody: the actions that take its marked block out (the user's lines stay
// byte for byte) and reload the primary; none when a standby remains or the rule is not there. (`up` puts the rule
// back, as it prepares the primary for standbys.)
export async function replicationRuleCleanupActions(rt: ClusterRuntime, leaving: string): Promise<Action[]> {
  const remaining = rt.spec.standbys.filter((s) => s.name !== leaving);
  if (remaining.length > 0 || (rt.spec.detached?.length ?? 0) > 0 || !(await rt.primary.isRunning())) return [];
  const row = { f: await rt.primary.settingPath('hba_file') };
  const current = (await rt.primary.machine.readFile(row.f))?.toString('utf8') ?? '';
  const wanted = withManagedBlock(current, []);
  if (wanted === current) return [];
  return [
    { kind: 'write-file', node: rt.primary.name, path: row.f, content: wanted, owner: 'server', mode: 0o600, summary: `remove hotstandby's replication rule from ${row.f}` },
    {
      kind: 'node',
      node: rt.primary.name,
      op: 'reload',
      summary: `removed hotstandby's replication rule from ${row.f} (no standby needs it any more; your own lines are unchanged); reloading ${rt.primary.name}`,
    },
  ];
}
