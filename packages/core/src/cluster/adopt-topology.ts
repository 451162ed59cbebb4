import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { Action } from '../executor/action.js';
import type { OperationPlan } from '../executor/operation-plan.js';
import type { PgNode } from '../postgres/pg-node.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { standbyMarkerFile } from './standby-marker.js';
import { recordPromotion, recordRejoin } from './topology-change.js';

// adopt-topology as a plan: read from the servers which node is the primary now and record it in hotstandby's
// state — after a runbook was followed by hand (its record steps are only comments), or a promotion done outside
// the tool. The node that runs out of recovery is the primary; the old primary waits for rejoin, unless its data
// directory already holds a standby marker (the runbook wrote it), then it counts as a standby again.
export async function planAdoptTopology(rt: ClusterRuntime): Promise<OperationPlan> {
  const nodes = [rt.primary, ...rt.standbys, ...rt.detached];
  const primaries: PgNode[] = [];
  for (const node of nodes) if ((await node.isRunning()) && !(await node.isInRecovery().catch(() => true))) primaries.push(node);
  if (primaries.length === 0) {
    throw new HotstandbyError('NOT_CREATED', `no node of this cluster runs as a primary (${nodes.map((n) => n.name).join(', ')})`, {
      fix: 'start the node that is the primary now (pg_ctl start), then run hotstandby adopt-topology again',
    });
  }
  if (primaries.length > 1) {
    const names = primaries.map((n) => n.name);
    throw new HotstandbyError('SPLIT_BRAIN_GUARD', `${names.join(' and ')} both run as primaries: writes may be going to both`, {
      where: { node: names[0] },
      fix: `stop the one that should not be primary (pg_ctl stop), then run hotstandby adopt-topology again`,
    });
  }
  const actual = primaries[0]!;
  const actions: Action[] = [];
  const waiting = rt.detached.map((n) => n);
  if (actual.name !== rt.primary.name) {
    const old = rt.primary.name;
    actions.push({
      kind: 'record',
      summary: `${actual.name} is the primary; ${old} waits for rejoin`,
      run: () => recordPromotion(rt.store, rt.configSpec.primary.name, actual.name, old),
    });
    waiting.push(rt.primary);
  }
  for (const node of waiting) {
    if (node.name === actual.name || !(await node.machine.stat(standbyMarkerFile(node)))) continue;
    actions.push({
      kind: 'record',
      summary: `${node.name} is a standby again (its data directory holds ${node.facts.standbySetup})`,
      run: () => recordRejoin(rt.store, node.name),
    });
  }
  return {
    command: 'adopt-topology',
    purpose: "Record in hotstandby's state which node is the primary now, as the servers say.",
    checked: [`${actual.name} is the only node running out of recovery`],
    steps: [{ title: 'recording who is primary now', actions }],
    after: ['hotstandby up brings every standby to follow it'],
  };
}
