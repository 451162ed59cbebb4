import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ClusterSpec } from '../config/cluster-spec.js';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { PgBinaries } from '../postgres/binaries.js';
import { readPostmasterPort } from '../postgres/data-dir.js';
import type { ServerUser } from '../postgres/os-user.js';
import { runProgramAllowFailure } from '../postgres/process-runner.js';
import { assignPorts, knownPorts } from './assign-ports.js';
import type { NodeFactory } from './node-factory.js';
import { everyNode, type TopologyRecord } from './runtime-topology.js';

// Each node's port, which servers ran when the command started, and what was said about ports that moved.
export interface PortsRecord {
  // The ports the servers were found on (or are recorded with) when the command started.
  initial: ReadonlyMap<string, number>;
  // The ports the command works with: for `up`, a default port that is taken moves (and notices say so).
  ports: ReadonlyMap<string, number>;
  running: ReadonlySet<string>;
  notices: string[];
}

// Find every node's port and whether its server runs. An adopted primary's port is the one it really uses.
export async function portsOf(topology: TopologyRecord, binaries: PgBinaries, serverUser: ServerUser, nodeOf: NodeFactory, purpose: 'up' | 'inspect'): Promise<PortsRecord> {
  const { spec, state } = topology;
  const actualPorts = new Map<string, number>();
  if (topology.adopted) actualPorts.set(spec.primary.name, await adoptedPort(spec, binaries, serverUser, state.nodes[spec.primary.name]?.configDir));
  const initial = knownPorts(spec, state, actualPorts);
  const running = new Set<string>();
  for (const n of everyNode(spec)) if (await nodeOf(n, initial.get(n.name) ?? state.nodes[n.name]?.port ?? n.port).isRunning()) running.add(n.name);
  const { ports, notices } = purpose === 'up' ? await assignPorts(spec, state, running, actualPorts) : { ports: initial, notices: [] as string[] };
  return { initial, ports, running, notices };
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
