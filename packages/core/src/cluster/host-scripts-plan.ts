import path from 'node:path';
import type { Action } from '../executor/action.js';
import type { PlanStep } from '../executor/operation-plan.js';
import type { Machine } from '../hosts/machine.js';
import type { PgNode } from '../postgres/pg-node.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { controlScripts, type ScriptNode } from './control-scripts.js';
import { systemdUnit, systemdUnitName } from './systemd-unit.js';

// The directory on a host that holds the scripts of its nodes: beside the data directory of its first node.
const HOST_SCRIPTS_DIR_NAME = 'hotstandby-scripts';

// A node as its scripts describe it.
export function scriptNodeOf(rt: ClusterRuntime, n: PgNode): ScriptNode {
  const spec = rt.spec.standbys.find((s) => s.name === n.name);
  return { name: n.name, description: spec ? `standby of ${spec.upstream}, port ${n.port}` : `primary, port ${n.port}`, dataDir: n.dataDir, logFile: n.logFile };
}

// Where the scripts of a host's nodes go on that host: the directory given (the same path on every host), else beside
// its first node's data directory.
function hostScriptsDir(nodes: readonly PgNode[], hostDir?: string): string {
  return hostDir ?? path.posix.join(path.posix.dirname(nodes[0]!.dataDir), HOST_SCRIPTS_DIR_NAME);
}

// True when systemd runs the host (it has /run/systemd/system, as sd_booted() checks).
async function hasSystemd(machine: Machine): Promise<boolean> {
  return (await machine.runAllowFailure('test', ['-d', '/run/systemd/system'], { purpose: 'look for systemd' })).exitCode === 0;
}

// For every other host, one step writing ON that host (through the first node's machine) the POSIX sh scripts of its
// nodes, start-all/stop-all for them, and where systemd runs there a unit per node for the DBA to install. A file
// already as wanted (bytes and mode) is left alone. A host that cannot be reached fails here, naming it.
export async function planHostScripts(rt: ClusterRuntime, ordered: readonly PgNode[], hostDir?: string): Promise<{ steps: PlanStep[]; files: string[] }> {
  const byHost = new Map<Machine, PgNode[]>();
  for (const n of ordered) if (n.machine.remote) byHost.set(n.machine, [...(byHost.get(n.machine) ?? []), n]);
  const steps: PlanStep[] = [];
  const files: string[] = [];
  for (const [machine, nodes] of byHost) {
    const first = nodes[0]!;
    const dir = hostScriptsDir(nodes, hostDir);
    const pgCtl = first.binaries.path('pg_ctl');
    const user = first.osUser;
    const scripts = [...controlScripts({ pgCtl, osUser: user.isInvoker ? undefined : user.name, nodes: nodes.map((n) => scriptNodeOf(rt, n)), scriptDir: dir })].filter(([name]) =>
      name.endsWith('.sh'),
    );
    if (await hasSystemd(machine)) for (const n of nodes) scripts.push([systemdUnitName(n.name), systemdUnit({ node: scriptNodeOf(rt, n), pgCtl, user: user.name })]);
    const actions: Action[] = [{ kind: 'mkdir', path: dir, node: first.name, owner: 'invoker', mode: 0o755, summary: `create ${dir} on ${machine.label}` }];
    for (const [name, content] of scripts) {
      const file = path.posix.join(dir, name);
      files.push(`${machine.label}:${file}`);
      const mode = name.endsWith('.sh') ? 0o755 : 0o644;
      const current = await machine.stat(file);
      const same = current?.kind === 'file' && current.mode === mode && (await machine.readFile(file))?.toString('utf8') === content;
      if (!same) actions.push({ kind: 'write-file', path: file, node: first.name, content, owner: 'invoker', mode, summary: `write ${file} on ${machine.label}` });
    }
    steps.push({ title: `write the scripts of ${nodes.map((n) => n.name).join(', ')} into ${dir} on ${machine.label}`, actions: actions.length > 1 ? actions : [] });
  }
  return { steps, files };
}
