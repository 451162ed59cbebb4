import type { ColdCopy } from './cold-copy.js';
import path from 'node:path';
import type { ClusterSpec, NodeSpec } from '../config/cluster-spec.js';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { PgBinaries } from '../postgres/binaries.js';
import type { DataDirInfo } from '../postgres/data-dir.js';
import type { ProgressListener } from '../postgres/embedded/install-embedded.js';
import type { ServerUser } from '../postgres/os-user.js';
import type { PgNode } from '../postgres/pg-node.js';
import type { ClusterState, Topology } from '../state/cluster-state.js';
import type { StateLayout } from '../state/state-layout.js';
import type { StateStore } from '../state/state-store.js';
import { nodeFactory } from './node-factory.js';
import type { MachinesRecord } from './runtime-machines.js';
import { placementsOf } from './runtime-placements.js';
import { portsOf, type PortsRecord } from './runtime-ports.js';
import { secretsOf, type SecretsRecord } from './runtime-secrets.js';
import { createdByJournal, everyNode, loadTopology, type TopologyRecord } from './runtime-topology.js';
import type { UnlistedNodes } from './unlisted-nodes.js';
import { journalPlaceOf } from '../state/journal-node.js';

// How a command opens the cluster.
export interface RuntimeOptions {
  // `up` checks ports and generates missing passwords; `inspect` (status, verify, down) only reads.
  purpose: 'up' | 'inspect';
  dryRun?: boolean;
  // Nodes the state records but the config no longer names: refused (default), or included (down stops them).
  unlisted?: UnlistedNodes;
  // Progress of a download of embedded binaries.
  onDownloadProgress?: ProgressListener;
  // Open the cluster as if this topology were recorded (a dry run planning what a failover's last step will find).
  topology?: Topology;
}

// Everything a command needs about a cluster, resolved once per command from small records (runtime-*.ts): the
// topology, the server account, the binaries, the ports and the secrets; and a handle per node from one factory.
export class ClusterRuntime {
  // The cluster as it runs now (config + recorded topology), and as the config alone describes it.
  readonly spec: ClusterSpec;
  readonly configSpec: ClusterSpec;
  readonly layout: StateLayout;
  readonly store: StateStore;
  readonly state: ClusterState;
  readonly primaryInfo: DataDirInfo;
  readonly binaries: PgBinaries;
  readonly serverUser: ServerUser;
  readonly primary: PgNode;
  readonly standbys: PgNode[];
  // Former primaries waiting for rejoin: known, but outside the pipeline.
  readonly detached: PgNode[];
  readonly passwords: SecretsRecord;
  readonly notices: string[];
  // Nodes whose server ran when the command started.
  readonly initiallyRunning: ReadonlySet<string>;
  // True when the primary's data directory held a cluster the tool did not create.
  readonly primaryAdopted: boolean;
  // The machines the nodes live on, connected for this command.
  readonly machines: MachinesRecord;
  // The cold copy of a primary up creates, for the standbys it builds (planned by the primary's provisioning).
  coldCopy?: ColdCopy;

  private constructor(
    records: { topology: TopologyRecord; serverUser: ServerUser; binaries: PgBinaries; ports: PortsRecord; secrets: SecretsRecord },
    makeNode: (n: NodeSpec) => PgNode,
  ) {
    const { topology, ports } = records;
    this.spec = topology.spec;
    this.configSpec = topology.configSpec;
    this.layout = topology.layout;
    this.store = topology.store;
    this.state = topology.state;
    this.primaryInfo = topology.primaryInfo;
    this.primaryAdopted = topology.adopted;
    this.machines = topology.machines;
    this.binaries = records.binaries;
    this.serverUser = records.serverUser;
    this.passwords = records.secrets;
    this.notices = ports.notices;
    this.initiallyRunning = ports.running;
    this.primary = makeNode(topology.spec.primary);
    this.standbys = topology.spec.standbys.map(makeNode);
    this.detached = (topology.spec.detached ?? []).map(makeNode);
  }

  // Resolve the cluster described by the spec on this machine.
  // An error about a config key (postgres.binDir, postgres.version ...) also names the config file it is in.
  static async open(configSpec: ClusterSpec, options: RuntimeOptions): Promise<ClusterRuntime> {
    try {
      return await ClusterRuntime.resolve(configSpec, options);
    } catch (error) {
      if (error instanceof HotstandbyError && error.where.key && !error.where.file && configSpec.source.path) throw error.within({ file: configSpec.source.path });
      throw error;
    }
  }

  private static async resolve(configSpec: ClusterSpec, options: RuntimeOptions): Promise<ClusterRuntime> {
    const topology = await loadTopology(configSpec, options);
    try {
      return await ClusterRuntime.resolveOn(topology, options);
    } catch (error) {
      await topology.machines.close();
      throw error;
    }
  }

  private static async resolveOn(topology: TopologyRecord, options: RuntimeOptions): Promise<ClusterRuntime> {
    const placements = await placementsOf(topology, options);
    const { serverUser, binaries } = placements;
    const { spec, state, layout } = topology;
    const nodeOf = nodeFactory(spec, layout, (n) => placements.byNode.get(n.name)!);
    const ports = await portsOf(topology, nodeOf, options.purpose);
    const secrets = await secretsOf(topology, options.purpose);

    // A running primary whose postgresql.conf is outside its data directory tells where it is.
    const configDirs = new Map<string, string>();
    for (const n of everyNode(spec)) {
      const machine = topology.machines.of(n.name);
      const dir =
        n.configDir ??
        state.nodes[n.name]?.configDir ??
        (ports.running.has(n.name) && (await machine.stat(path.join(n.dataDir, 'PG_VERSION'))) && !(await machine.stat(path.join(n.dataDir, 'postgresql.conf')))
          ? await configDirOf(nodeOf(n, ports.initial.get(n.name) ?? n.port, { password: secrets.superuser?.value }))
          : undefined);
      if (dir) configDirs.set(n.name, dir);
    }

    const makeNode = (n: NodeSpec) =>
      nodeOf(n, ports.ports.get(n.name) ?? state.nodes[n.name]?.port ?? n.port, { configDir: configDirs.get(n.name), password: secrets.superuser?.value });
    return new ClusterRuntime({ topology, serverUser, binaries, ports, secrets }, makeNode);
  }

  // Every node handle, primary first.
  get nodes(): PgNode[] {
    return [this.primary, ...this.standbys];
  }

  // The node handle with this name (also a former primary waiting for rejoin).
  node(name: string): PgNode {
    const found = [...this.nodes, ...this.detached].find((n) => n.name === name);
    if (!found) {
      throw new HotstandbyError('UNKNOWN_NODE', `there is no node named "${name}"`, { fix: `known nodes: ${[...this.nodes, ...this.detached].map((n) => n.name).join(', ')}` });
    }
    return found;
  }

  // True when the tool created this directory (so --purge may delete it).
  // For a path on a node's machine, pass the node (a path on another host is only the tool's when recorded for it).
  createdByTool(dir: string, node?: PgNode): boolean {
    return createdByJournal(this.state, dir, node && journalPlaceOf(node.machine, node.name));
  }

  // Close every connection (to the servers, then to the hosts).
  async close(): Promise<void> {
    await Promise.all([...this.nodes, ...this.detached].map((n) => n.closeConnections()));
    await this.machines.close();
  }
}

// Where a running server's postgresql.conf is (SHOW config_file).
async function configDirOf(node: PgNode): Promise<string | undefined> {
  try {
    return path.dirname(await node.settingPath('config_file'));
  } finally {
    await node.closeConnections();
  }
}
