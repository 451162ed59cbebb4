import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { OperationPlan, PlanStep } from '../executor/operation-plan.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { deleteStandbyDataStep, dropStandbySlotSteps, stopStandbySteps } from './standby-discard-steps.js';

// Plan throwing away a standby's copy so that up builds it again from a fresh base backup: for a standby whose slot
// was lost (the WAL it needs is gone) or whose data diverged. It is stopped, its data directory deleted (only one
// hotstandby made; another is refused before anything changes) and its slot on its upstream dropped, so the base
// backup starts from a new one. The caller runs up afterwards.
export async function planRebuild(rt: ClusterRuntime, name: string): Promise<OperationPlan> {
  const spec = rt.spec.standbys.find((s) => s.name === name);
  if (!spec) {
    throw new HotstandbyError('TOPOLOGY_CONFLICT', `${name} is not a standby of this cluster`, {
      where: { node: name },
      fix: `standbys: ${rt.spec.standbys.map((s) => s.name).join(', ') || '(none)'}; a former primary comes back with hotstandby rejoin`,
    });
  }
  const node = rt.node(name);
  if ((await node.exists()) && !rt.createdByTool(node.dataDir, node)) {
    throw new HotstandbyError('DATA_DIR_CONFLICT', `${node.dataDir} was not created by hotstandby, so it will not delete it`, {
      where: { node: name },
      fix: `move ${node.dataDir} away yourself, then run hotstandby up to take a new base backup into it`,
    });
  }
  const checked = [`${node.dataDir} was created by hotstandby (or is not there)`];
  const children = rt.spec.standbys.filter((s) => s.upstream === name).map((s) => s.name);
  if (children.length > 0) {
    checked.push(
      `note: ${children.join(', ')} stream${children.length === 1 ? 's' : ''} from ${name}: up recreates their slots on the new copy and they reconnect; one that then lacks WAL older than the new copy needs hotstandby rebuild too`,
    );
  }
  const steps: PlanStep[] = [...(await stopStandbySteps(node))];
  // Its tablespace directories go with it: the next base backup needs them empty.
  if (await node.exists()) steps.push((await deleteStandbyDataStep(rt, node)).step);
  const upstream = rt.node(spec.upstream ?? rt.primary.name);
  steps.push(...(await dropStandbySlotSteps(name, upstream, spec.slot, { why: 'so the new base backup starts from a new one' })));
  return {
    command: `rebuild ${name}`,
    purpose: `Build the standby ${name} again from a new base backup: its copy is discarded, then up takes a new base backup, starts and verifies it.`,
    checked,
    steps,
    after: [
      `hotstandby up takes a new base backup of ${upstream.name} into ${node.dataDir}, starts ${name} and verifies it (hotstandby up --dry-run shows how, once the steps above are done)`,
    ],
  };
}
