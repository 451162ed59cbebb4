import { rm } from 'node:fs/promises';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import { dropInactiveSlot } from '../postgres/replication-slots.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { removeStandbyTablespaceDirs } from './standby-tablespace-dirs.js';

// Throw away a standby's copy so that up builds it again from a fresh base backup: for a standby whose slot was
// lost (the WAL it needs is gone) or whose data diverged. It is stopped, its data directory deleted (only one
// hotstandby made) and its slot on its upstream dropped, so the base backup starts from a new one.
export async function discardStandbyCopy(rt: ClusterRuntime, name: string, log: (line: string) => void): Promise<void> {
  const spec = rt.spec.standbys.find((s) => s.name === name);
  if (!spec) {
    throw new HotstandbyError('TOPOLOGY_CONFLICT', `${name} is not a standby of this cluster`, {
      where: { node: name },
      fix: `standbys: ${rt.spec.standbys.map((s) => s.name).join(', ') || '(none)'}; a former primary comes back with hotstandby rejoin`,
    });
  }
  const node = rt.node(name);
  if (node.exists() && !rt.createdByTool(node.dataDir)) {
    throw new HotstandbyError('DATA_DIR_CONFLICT', `${node.dataDir} was not created by hotstandby, so it will not delete it`, {
      where: { node: name },
      fix: `move ${node.dataDir} away yourself, then run hotstandby up to take a new base backup into it`,
    });
  }
  const children = rt.spec.standbys.filter((s) => s.upstream === name).map((s) => s.name);
  if (children.length > 0) {
    log(
      `note: ${children.join(', ')} stream${children.length === 1 ? 's' : ''} from ${name}: up recreates their slots on the new copy and they reconnect; one that then lacks WAL older than the new copy needs hotstandby rebuild too`,
    );
  }
  if (await node.isRunning()) {
    log(`stopping ${name}`);
    await node.stop('fast');
  }
  // Its tablespace directories go with it: the next base backup needs them empty.
  await removeStandbyTablespaceDirs(rt, node, log);
  log(`deleting ${node.dataDir}`);
  await rm(node.dataDir, { recursive: true, force: true });
  const upstream = rt.node(spec.upstream ?? rt.primary.name);
  if (spec.slot && (await upstream.isRunning())) {
    if (await dropInactiveSlot(upstream, spec.slot)) log(`dropped the replication slot ${spec.slot} on ${upstream.name}`);
  }
}
