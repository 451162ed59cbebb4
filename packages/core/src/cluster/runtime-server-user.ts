import { HotstandbyError } from '../errors/hotstandby-error.js';
import { ownerOfPath, resolveServerUser, runningAsRoot, type ServerUser } from '../postgres/os-user.js';
import type { TopologyRecord } from './runtime-topology.js';

// The OS account that runs the servers: an existing cluster's owner, else the configured (default postgres) one.
export async function serverUserOf(topology: TopologyRecord): Promise<ServerUser> {
  return topology.primaryInfo.kind === 'cluster' ? dataDirOwner(topology.spec) : resolveServerUser(topology.spec.postgres.osUser);
}

async function dataDirOwner(spec: TopologyRecord['spec']): Promise<ServerUser> {
  const owner = await ownerOfPath(spec.primary.dataDir);
  if (owner.uid === 0) {
    throw new HotstandbyError('OS_USER', `the data directory ${spec.primary.dataDir} is owned by root, and PostgreSQL refuses to run as root`, {
      where: { node: spec.primary.name },
      fix: `give it to the account that runs PostgreSQL (chown -R postgres ${spec.primary.dataDir})`,
    });
  }
  if (spec.postgres.osUser && spec.postgres.osUser !== owner.name) {
    throw new HotstandbyError('OS_USER', `postgres.osUser is "${spec.postgres.osUser}", but the existing data directory ${spec.primary.dataDir} belongs to "${owner.name}"`, {
      where: { key: 'postgres.osUser' },
      fix: `set postgres.osUser to "${owner.name}" or remove it`,
    });
  }
  if (!runningAsRoot() && !owner.isInvoker) {
    throw new HotstandbyError('OS_USER', `the existing data directory ${spec.primary.dataDir} belongs to "${owner.name}", and only root can run its server as that user`, {
      where: { node: spec.primary.name },
      fix: `run hotstandby as ${owner.name} or as root`,
    });
  }
  return owner;
}
