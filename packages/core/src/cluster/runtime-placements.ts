import type { PgBinaries } from '../postgres/binaries.js';
import type { ProgressListener } from '../postgres/embedded/install-embedded.js';
import { resolveServerUser, type ServerUser } from '../postgres/os-user.js';
import { binariesOn } from '../postgres/remote-binaries.js';
import { binariesOf } from './runtime-binaries.js';
import type { NodePlacement } from './runtime-machines.js';
import { serverUserOf } from './runtime-server-user.js';
import { everyNode, type TopologyRecord } from './runtime-topology.js';

// The command's own server account and binaries (this machine's; the primary's host's when every node is on another
// host), and each node's machine, account and binaries.
export interface PlacementsRecord {
  serverUser: ServerUser;
  binaries: PgBinaries;
  byNode: ReadonlyMap<string, NodePlacement>;
}

// Resolve where every node runs. The cluster's major is the primary's: its data directory's, the config's, or (for a
// new primary on another host with none configured) that host's PostgreSQL; every other host must have that major.
export async function placementsOf(
  topology: TopologyRecord,
  options: { purpose: 'up' | 'inspect'; dryRun?: boolean; onDownloadProgress?: ProgressListener },
): Promise<PlacementsRecord> {
  const { spec, machines } = topology;
  const nodes = everyNode(spec);
  const primaryMachine = machines.of(spec.primary.name);
  let local: { serverUser: ServerUser; binaries: PgBinaries };
  if (!primaryMachine.remote) {
    const serverUser = await serverUserOf(topology);
    local = { serverUser, binaries: await binariesOf(topology, serverUser, options) };
  } else {
    const [serverUser, binaries] = await Promise.all([
      primaryMachine.serverUser(spec.postgres.osUser),
      binariesOn(primaryMachine, topology.primaryInfo.major ?? spec.postgres.version),
    ]);
    local = { serverUser, binaries };
    if (nodes.some((n) => !machines.of(n.name).remote)) {
      const here = resolveServerUser(spec.postgres.osUser);
      const withMajor: TopologyRecord = { ...topology, primaryInfo: { ...topology.primaryInfo, major: binaries.major } };
      local = { serverUser: here, binaries: await binariesOf(withMajor, here, options) };
    }
  }
  const byNode = new Map<string, NodePlacement>();
  await Promise.all(nodes.map(async (n) => byNode.set(n.name, await machines.placement(n, { ...local, osUser: spec.postgres.osUser }))));
  return { ...local, byNode };
}
