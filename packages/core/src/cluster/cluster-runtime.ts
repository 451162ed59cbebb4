import { existsSync } from 'node:fs';
import path from 'node:path';
import { allNodes, type ClusterSpec, type NodeSpec } from '../config/cluster-spec.js';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { PgBinaries } from '../postgres/binaries.js';
import { inspectDataDir, readPostmasterPort, type DataDirInfo } from '../postgres/data-dir.js';
import { ownerOfPath, resolveServerUser, runningAsRoot, type ServerUser } from '../postgres/os-user.js';
import { PgNode } from '../postgres/pg-node.js';
import { runProgramAllowFailure } from '../postgres/process-runner.js';
import { resolveBinaries } from '../postgres/resolve-binaries.js';
import { majorLabel } from '../postgres/versions.js';
import { resolvePassword, type ResolvedPassword } from '../state/secret-store.js';
import type { ClusterState } from '../state/cluster-state.js';
import { stateLayout, type StateLayout } from '../state/state-layout.js';
import { StateStore } from '../state/state-store.js';
import { assignPorts, knownPorts } from './assign-ports.js';
import { effectiveSpec } from './effective-spec.js';
import { settlePendingPromotion } from './topology-change.js';
import { withUnlistedNodes, type UnlistedNodes } from './unlisted-nodes.js';
import type { ProgressListener } from '../postgres/embedded/install-embedded.js';
import { isInside } from '../util/is-inside.js';

// How a command opens the cluster.
export interface RuntimeOptions {
  // `up` checks ports and generates missing passwords; `inspect` (status, verify, down) only reads.
  purpose: 'up' | 'inspect';
  dryRun?: boolean;
  // Nodes the state records but the config no longer names: refused (default), or included (down stops them).
  unlisted?: UnlistedNodes;
  // Progress of a download of embedded binaries.
  onDownloadProgress?: ProgressListener;
}

// Everything a command needs about a cluster, resolved once: binaries, OS user, ports, passwords, node handles.
export class ClusterRuntime {
  private constructor(
    // The cluster as it runs now (config + recorded topology), and as the config alone describes it.
    readonly spec: ClusterSpec,
    readonly configSpec: ClusterSpec,
    readonly layout: StateLayout,
    readonly store: StateStore,
    readonly state: ClusterState,
    readonly binaries: PgBinaries,
    readonly serverUser: ServerUser,
    readonly primaryInfo: DataDirInfo,
    readonly primary: PgNode,
    readonly standbys: PgNode[],
    // Former primaries waiting for rejoin: known, but outside the pipeline.
    readonly detached: PgNode[],
    readonly passwords: { superuser?: ResolvedPassword; replication?: ResolvedPassword },
    readonly notices: string[],
    // Nodes whose server ran when the command started.
    readonly initiallyRunning: ReadonlySet<string>,
  ) {}

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
    const layout = stateLayout(configSpec.stateDir);
    const store = new StateStore(layout.stateFile);
    const state = await store.load();
    // A promotion a killed command left half-recorded is settled first, from what the standby shows.
    if (state.topology?.pendingPromotion) await store.update((s) => void settlePendingPromotion(s, configSpec.primary.name));
    const spec = withUnlistedNodes(effectiveSpec(configSpec, state), state, layout.stateFile, options.unlisted ?? 'refuse');
    const primaryInfo = await inspectDataDir(spec.primary.dataDir);
    const existing = primaryInfo.kind === 'cluster';
    const adopted = existing && adoptedByState(state, spec.primary.name, spec.primary.dataDir);

    // An existing cluster runs as the account owning it; a new one as the configured (default postgres) account.
    const serverUser = existing ? await dataDirOwner(spec) : resolveServerUser(spec.postgres.osUser);
    if (primaryInfo.major !== undefined && spec.postgres.version !== undefined && primaryInfo.major !== spec.postgres.version) {
      throw new HotstandbyError(
        'UNSUPPORTED_VERSION',
        `postgres.version is ${majorLabel(spec.postgres.version)}, but the primary's data directory ${spec.primary.dataDir} is PostgreSQL ${majorLabel(primaryInfo.major)}`,
        {
          where: { key: 'postgres.version', node: spec.primary.name },
          fix: `set postgres.version to ${majorLabel(primaryInfo.major)} (primary and standbys share one major)`,
        },
      );
    }
    const binaries = await resolveBinaries({
      binDir: spec.postgres.binDir,
      major: primaryInfo.major ?? spec.postgres.version,
      remembered: primaryInfo.kind === 'cluster' ? state.binaries : undefined,
      download: options.purpose === 'up' ? (options.dryRun ? 'plan' : true) : false,
      onProgress: options.onDownloadProgress,
      user: serverUser,
    });
    if (primaryInfo.major !== undefined && primaryInfo.major !== binaries.major) {
      throw new HotstandbyError(
        'UNSUPPORTED_VERSION',
        `the primary's data directory is PostgreSQL ${majorLabel(primaryInfo.major)}, but the binaries in ${binaries.binDir} are ${binaries.version}`,
        {
          where: { node: spec.primary.name, key: 'postgres.binDir' },
          fix: `set postgres.binDir to PostgreSQL ${majorLabel(primaryInfo.major)} binaries`,
        },
      );
    }

    const actualPorts = new Map<string, number>();
    if (adopted) actualPorts.set(spec.primary.name, await adoptedPort(spec, binaries, serverUser, state.nodes[spec.primary.name]?.configDir));
    const running = new Set<string>();
    const probe = (n: NodeSpec, port: number) =>
      new PgNode({ name: n.name, role: n.role, port, dataDir: n.dataDir, binaries, osUser: serverUser, logFile: layout.logFile(n.name), superuser: { name: spec.superuser.name } });
    const initialPorts = knownPorts(spec, state, actualPorts);
    for (const n of [...allNodes(spec), ...(spec.detached ?? [])])
      if (await probe(n, initialPorts.get(n.name) ?? state.nodes[n.name]?.port ?? n.port).isRunning()) running.add(n.name);
    const { ports, notices } = options.purpose === 'up' ? await assignPorts(spec, state, running, actualPorts) : { ports: initialPorts, notices: [] as string[] };

    // Generated passwords stay in memory until the state directory is prepared (nothing is written before preflight).
    const superuser = await resolvePassword(spec.superuser.password, layout.secretFile('superuser'), {
      generate: options.purpose === 'up' && primaryInfo.kind !== 'cluster',
      persist: false,
      passfile: { path: layout.userPassfile, user: spec.superuser.name },
    });
    const replication = await resolvePassword(spec.replication.password, layout.secretFile('replication'), {
      generate: options.purpose === 'up',
      persist: false,
      passfile: { path: layout.replicationPassfile, user: spec.replication.user },
    });

    // A running primary whose postgresql.conf is outside its data directory tells where it is.
    const configDirs = new Map<string, string>();
    for (const n of [...allNodes(spec), ...(spec.detached ?? [])]) {
      const dir =
        n.configDir ??
        state.nodes[n.name]?.configDir ??
        (running.has(n.name) && existsSync(path.join(n.dataDir, 'PG_VERSION')) && !existsSync(path.join(n.dataDir, 'postgresql.conf'))
          ? await configDirOf(
              new PgNode({
                name: n.name,
                role: n.role,
                port: initialPorts.get(n.name) ?? n.port,
                dataDir: n.dataDir,
                binaries,
                osUser: serverUser,
                logFile: layout.logFile(n.name),
                superuser: { name: spec.superuser.name, password: superuser?.value },
              }),
            )
          : undefined);
      if (dir) configDirs.set(n.name, dir);
    }

    const makeNode = (n: NodeSpec) =>
      new PgNode({
        configDir: configDirs.get(n.name),
        name: n.name,
        role: n.role,
        port: ports.get(n.name) ?? state.nodes[n.name]?.port ?? n.port,
        dataDir: n.dataDir,
        binaries,
        osUser: serverUser,
        logFile: layout.logFile(n.name),
        superuser: { name: spec.superuser.name, password: superuser?.value },
      });
    return new ClusterRuntime(
      spec,
      configSpec,
      layout,
      store,
      state,
      binaries,
      serverUser,
      primaryInfo,
      makeNode(spec.primary),
      spec.standbys.map(makeNode),
      (spec.detached ?? []).map(makeNode),
      { superuser, replication },
      notices,
      running,
    );
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

  // True when the primary's data directory held a cluster the tool did not create.
  get primaryAdopted(): boolean {
    return this.primaryInfo.kind === 'cluster' && adoptedByState(this.state, this.spec.primary.name, this.spec.primary.dataDir);
  }

  // True when the tool created this directory (so --purge may delete it).
  createdByTool(dir: string): boolean {
    return createdByJournal(this.state, dir);
  }

  // Close every connection.
  async close(): Promise<void> {
    await Promise.all([...this.nodes, ...this.detached].map((n) => n.closeConnections()));
  }
}

async function dataDirOwner(spec: ClusterSpec): Promise<ServerUser> {
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

// Where a running server's postgresql.conf is (SHOW config_file).
async function configDirOf(node: PgNode): Promise<string | undefined> {
  try {
    return path.dirname(await node.settingPath('config_file'));
  } finally {
    await node.closeConnections();
  }
}

// The port an existing cluster really uses: postmaster.pid when running, else `postgres -C port`.
async function adoptedPort(spec: ClusterSpec, binaries: PgBinaries, user: ServerUser, remembered: string | undefined): Promise<number> {
  let port = await readPostmasterPort(spec.primary.dataDir);
  if (port === undefined) {
    const controlDir = spec.primary.configDir ?? remembered ?? spec.primary.dataDir;
    if (!existsSync(path.join(controlDir, 'postgresql.conf'))) {
      throw new HotstandbyError(
        'DATA_DIR_CONFLICT',
        `the existing cluster in ${spec.primary.dataDir} keeps its postgresql.conf elsewhere, and it is not running, so hotstandby cannot find it`,
        {
          where: { node: spec.primary.name, key: 'primary.configDir' },
          fix: 'set primary.configDir to the directory holding its postgresql.conf (Debian/Ubuntu: /etc/postgresql/<version>/main), or start the server and run again',
        },
      );
    }
    const result = await runProgramAllowFailure(binaries.path('postgres'), ['-C', 'port', '-D', controlDir], { user, purpose: 'postgres -C port' });
    port = Number(result.stdout.trim());
    if (result.exitCode !== 0 || !Number.isInteger(port)) {
      throw new HotstandbyError('DATA_DIR_CONFLICT', `cannot read the configuration of the existing cluster in ${controlDir}: ${result.stderr.trim()}`, {
        where: { node: spec.primary.name },
        fix: 'make sure its postgresql.conf is valid, or start the server and run again',
      });
    }
  }
  if (spec.primary.portFixed && spec.primary.port !== port) {
    throw new HotstandbyError('CONFIG_CONFLICT', `primary.port is ${spec.primary.port}, but the existing cluster in ${spec.primary.dataDir} uses port ${port}`, {
      where: { key: 'primary.port', file: spec.source.path },
      fix: `set primary.port to ${port} (or leave it out)`,
    });
  }
  return port;
}

// Whether an existing data directory is adopted: as recorded, else "not created by the tool".
function adoptedByState(state: ClusterState, node: string, dataDir: string): boolean {
  return state.nodes[node]?.adopted ?? !createdByJournal(state, dataDir);
}

function createdByJournal(state: ClusterState, dir: string): boolean {
  return state.journal.some((e) => e.kind === 'dir' && (e.path === dir || isInside(dir, e.path)));
}
