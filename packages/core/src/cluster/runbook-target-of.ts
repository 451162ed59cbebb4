import { existsSync } from 'node:fs';
import path from 'node:path';
import type { NodeHostSpec } from '../config/cluster-spec.js';
import type { PgNode } from '../postgres/pg-node.js';
import type { RunbookNode, RunbookTarget } from '../runbook/runbook-target.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { everyNode } from './runtime-topology.js';

// The cluster as a runbook addresses it: this runtime's binaries, server account, superuser passfile and nodes
// (the former primaries waiting to rejoin included).
export function runbookTargetOf(rt: ClusterRuntime): RunbookTarget {
  const nodes: Record<string, RunbookNode> = {};
  const hosts = new Map(everyNode(rt.spec).map((n) => [n.name, n.host]));
  for (const node of [rt.primary, ...rt.standbys, ...rt.detached]) nodes[node.name] = runbookNode(node, hosts.get(node.name));
  const binDir = rt.binaries.binDir;
  return {
    binDir,
    psql: rt.binaries.has('psql') ? rt.binaries.path('psql') : existsSync(path.join(binDir, 'psql')) ? path.join(binDir, 'psql') : 'psql',
    serverUser: process.getuid?.() === 0 ? rt.serverUser.name : undefined,
    superuser: rt.spec.superuser.name,
    passfile: rt.layout.userPassfile,
    stateDir: rt.layout.root,
    nodes,
  };
}

function runbookNode(node: PgNode, ssh: NodeHostSpec | undefined): RunbookNode {
  const there = node.machine.remote && ssh ? { ssh, serverUser: node.osUser.name, binDir: node.binaries.binDir } : {};
  return { name: node.name, host: node.host, port: node.port, controlDir: node.controlDir, dataDir: node.dataDir, logFile: node.logFile, ...there };
}
