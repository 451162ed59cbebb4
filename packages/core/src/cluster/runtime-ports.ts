import path from 'node:path';
import type { NodeSpec } from '../config/cluster-spec.js';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import { readPostmasterPort } from '../postgres/data-dir.js';
import type { PgNode } from '../postgres/pg-node.js';
import { isUnreachable } from '../hosts/unreachable-machine.js';
import { isPortFreeOn } from '../postgres/remote-port.js';
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
export async function portsOf(topology: TopologyRecord, nodeOf: NodeFactory, purpose: 'up' | 'inspect'): Promise<PortsRecord> {
  const { spec, state } = topology;
  const actualPorts = new Map<string, number>();
  if (topology.adopted) actualPorts.set(spec.primary.name, await adoptedPort(topology, nodeOf(spec.primary, spec.primary.port), state.nodes[spec.primary.name]?.configDir));
  const initial = knownPorts(spec, state, actualPorts);
  // A node whose host cannot be reached is not known to run: status reports it as unreachable, and `up` fails on it
  // when it checks that node's port there. The nodes are asked concurrently (each host over its own connection).
  const nodes = everyNode(spec);
  const runs = await Promise.all(
    nodes.map(async (n) => !isUnreachable(topology.machines.of(n.name)) && (await nodeOf(n, initial.get(n.name) ?? state.nodes[n.name]?.port ?? n.port).isRunning())),
  );
  const running = new Set(nodes.filter((_, i) => runs[i]).map((n) => n.name));
  const isFree = (n: NodeSpec, port: number) => isPortFreeOn(topology.machines.of(n.name), port);
  const { ports, notices } = purpose === 'up' ? await assignPorts(spec, state, running, actualPorts, isFree) : { ports: initial, notices: [] as string[] };
  return { initial, ports, running, notices };
}

// The port an existing cluster really uses: postmaster.pid when running, else `postgres -C port`.
async function adoptedPort(topology: TopologyRecord, primary: PgNode, remembered: string | undefined): Promise<number> {
  const { spec } = topology;
  const machine = topology.machines.of(spec.primary.name);
  let port = await readPostmasterPort(spec.primary.dataDir, machine);
  if (port === undefined) {
    const controlDir = spec.primary.configDir ?? remembered ?? spec.primary.dataDir;
    if (!(await machine.stat(path.join(controlDir, 'postgresql.conf')))) {
      throw new HotstandbyError(
        'DATA_DIR_CONFLICT',
        `the existing cluster in ${spec.primary.dataDir} keeps its postgresql.conf elsewhere, and it is not running, so hotstandby cannot find it`,
        {
          where: { node: spec.primary.name, key: 'primary.configDir' },
          fix: 'set primary.configDir to the directory holding its postgresql.conf (Debian/Ubuntu: /etc/postgresql/<version>/main), or start the server and run again',
        },
      );
    }
    const result = await machine.runAllowFailure(primary.binaries.path('postgres'), ['-C', 'port', '-D', controlDir], { user: primary.osUser, purpose: 'postgres -C port' });
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
