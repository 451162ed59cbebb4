import type { Action } from '../executor/action.js';
import type { OperationPlan, PlanStep } from '../executor/operation-plan.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { deleteItYourself } from './remove-standby-hints.js';
import { replicationRuleCleanupActions } from './replication-rule-cleanup.js';
import { checkRemovableStandby, recordRemovedStandby } from './standby-membership.js';
import { deleteStandbyDataStep, dropStandbySlotSteps, stopStandbySteps } from './standby-discard-steps.js';
import { entryAt, journalPlaceOf } from '../state/journal-node.js';
import { everyNode } from './runtime-topology.js';
import { refuseMovedStandbyPurge } from './former-hosts.js';

// How remove-standby runs.
export interface RemoveStandbyRequest {
  purge: boolean;
  // Bring synchronous_standby_names (the wal-config step) in line with the topology without the standby.
  applyWalConfig(): Promise<void>;
}

// remove-standby's plan and what it will have deleted and kept.
export interface RemoveStandbyPlan {
  plan: OperationPlan;
  deleted: string[];
  kept: string[];
}

// The plan of remove-standby with the paths it deletes and keeps.
export async function planStandbyRemoval(rt: ClusterRuntime, name: string, request: RemoveStandbyRequest): Promise<RemoveStandbyPlan> {
  checkRemovableStandby(rt, name);
  if (request.purge) await refuseMovedStandbyPurge(rt, name);
  const node = rt.node(name);
  const spec = rt.spec.standbys.find((s) => s.name === name)!;
  const upstream = spec.upstream ? rt.node(spec.upstream) : rt.primary;
  const checked = [`${name} is a standby of ${upstream.name} and no standby streams from it`];
  const steps: PlanStep[] = [
    {
      title: `take ${name} out of the cluster's topology${spec.synchronous ? ' and synchronous_standby_names' : ''}`,
      actions: [
        { kind: 'record', summary: `${name} is no longer a standby of this cluster`, run: () => recordRemovedStandby(rt, name) },
        {
          kind: 'task',
          changes: spec.synchronous === true,
          summary: `bring synchronous_standby_names in line with the remaining standbys (the wal-config step)`,
          details: [
            spec.synchronous ? `${name} is synchronous: it leaves synchronous_standby_names first, so commits do not wait for it` : `${name} is not synchronous: nothing to change`,
          ],
          run: () => request.applyWalConfig(),
          byHand: { text: `take ${name} out of synchronous_standby_names on ${rt.primary.name} (ALTER SYSTEM, then SELECT pg_reload_conf())` },
        },
      ],
    },
  ];
  steps.push(...(await stopStandbySteps(node)));
  steps.push(
    ...(await dropStandbySlotSteps(name, upstream, spec.slot, {
      check: `SELECT slot_name FROM pg_replication_slots WHERE slot_name = '${spec.slot}' returns no row on ${upstream.name}`,
      after: [
        {
          kind: 'record',
          summary: `forget the slot ${spec.slot} on ${upstream.name}`,
          run: () => rt.store.removeJournal((e) => e.kind === 'slot' && e.slot === spec.slot && e.node === upstream.name),
        },
      ],
    })),
  );
  const deleted: string[] = [];
  const kept: string[] = [];
  if (request.purge && rt.createdByTool(node.dataDir, node)) {
    const forgetDir: Action = {
      kind: 'record',
      summary: `forget the directory ${node.dataDir}`,
      run: () => rt.store.removeJournal((e) => e.kind === 'dir' && e.path === node.dataDir && entryAt(e, journalPlaceOf(node.machine, node.name))),
    };
    const discard = await deleteStandbyDataStep(rt, node, { after: [forgetDir] });
    deleted.push(...discard.deleted);
    steps.push(discard.step);
  } else if (await node.exists()) {
    // --purge works only now, while the standby is still part of the cluster: afterwards the user deletes it.
    kept.push(
      `${node.dataDir} (${rt.createdByTool(node.dataDir, node) ? deleteItYourself(node.dataDir, node.machine.remote ? everyNode(rt.spec).find((n) => n.name === node.name)?.host : undefined) : 'not created by hotstandby, so it never deletes it'})`,
    );
  }
  const forget: Action = {
    kind: 'record',
    summary: `forget ${name}'s node state`,
    run: async () => {
      await rt.store.update((s) => {
        delete s.nodes[name];
      });
    },
  };
  steps.push({ title: `forget ${name}`, actions: [forget] });
  const rule = await replicationRuleCleanupActions(rt, name);
  if (rule.length > 0) {
    steps.push({
      title: `take hotstandby's replication rule out of ${rt.primary.name}'s pg_hba.conf (no standby needs it any more)`,
      check: `psql -c "SELECT * FROM pg_hba_file_rules" on ${rt.primary.name} shows no rule for ${rt.spec.replication.user}`,
      actions: rule,
    });
  }
  return {
    plan: {
      command: `remove-standby ${name}${request.purge ? ' --purge' : ''}`,
      purpose: `Take the standby ${name} out of the cluster: it stops, its slot is dropped${request.purge ? ', and its data directory deleted if hotstandby made it' : ''}.`,
      checked,
      steps,
      after: kept.map((k) => `kept ${k}`),
    },
    deleted,
    kept,
  };
}
