import type { Action } from '../executor/action.js';
import type { PlanStep } from '../executor/operation-plan.js';
import type { PgNode } from '../postgres/pg-node.js';
import { isCompanionEntry, removeRemoteCompanionActions } from './remote-companions.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { dropInactiveSlotAction } from './drop-slot-action.js';
import { removeTablespaceDirActions, standbyTablespaceDirsToRemove } from './standby-tablespace-dirs.js';

// The steps remove-standby and rebuild share to discard a standby: stop it, delete the copy the tool made, drop its
// slot on its upstream.

// Stop the standby (fast), when it runs.
export async function stopStandbySteps(node: PgNode): Promise<PlanStep[]> {
  if (!(await node.isRunning())) return [];
  return [{ title: `stop ${node.name}`, actions: [{ kind: 'node', node: node.name, op: 'stop', mode: 'fast', summary: `stopping ${node.name}` }] }];
}

// Delete the standby's data directory (the caller checked the tool created it) with its tablespace directories (only
// those the tool made and no other node uses); then.after follow the deletion. Also says which directories go.
export async function deleteStandbyDataStep(rt: ClusterRuntime, node: PgNode, then: { after?: readonly Action[] } = {}): Promise<{ step: PlanStep; deleted: string[] }> {
  const tablespaceDirs = await standbyTablespaceDirsToRemove(rt, node);
  return {
    deleted: [...tablespaceDirs, node.dataDir],
    step: {
      title: `delete ${node.name}'s data directory (hotstandby created it)${tablespaceDirs.length ? ' and its tablespace directories' : ''}`,
      actions: [
        ...removeTablespaceDirActions(rt, tablespaceDirs, node),
        { kind: 'remove-dir', node: node.name, path: node.dataDir, summary: `deleting ${node.dataDir}` },
        ...removeRemoteCompanionActions(node),
        ...(node.machine.remote ? [forgetCompanionsAction(rt, node)] : []),
        ...(then.after ?? []),
      ],
    },
  };
}

// Drop the standby's replication slot on its upstream, when the upstream runs (the title says why).
export async function dropStandbySlotSteps(
  name: string,
  upstream: PgNode,
  slot: string | undefined,
  step: { why?: string; check?: string; after?: readonly Action[] } = {},
): Promise<PlanStep[]> {
  if (!slot || !(await upstream.isRunning())) return [];
  return [
    {
      title: `drop ${name}'s replication slot ${slot} on ${upstream.name}${step.why ? `, ${step.why}` : ''}`,
      ...(step.check ? { check: step.check } : {}),
      actions: [dropInactiveSlotAction(upstream.name, slot, `dropping the replication slot ${slot} on ${upstream.name}`), ...(step.after ?? [])],
    },
  ];
}

// What the tool created beside a remote node's data directory is gone with it (files and directories such as its
// TLS files): nothing there to restore or purge any more.
function forgetCompanionsAction(rt: ClusterRuntime, node: PgNode): Action {
  return {
    kind: 'record',
    summary: `forget what hotstandby kept beside ${node.dataDir} on ${node.machine.label}`,
    run: () => rt.store.removeJournal((e) => isCompanionEntry(e, node)),
  };
}
