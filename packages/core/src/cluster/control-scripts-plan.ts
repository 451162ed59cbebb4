import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Action } from '../executor/action.js';
import type { OperationPlan } from '../executor/operation-plan.js';
import { onWindows } from '../util/platform.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { controlScripts } from './control-scripts.js';
import type { PlanStep } from '../executor/operation-plan.js';
import type { PgNode } from '../postgres/pg-node.js';
import { planHostScripts, scriptNodeOf } from './host-scripts-plan.js';
import { startOrder } from './node-order.js';

// Plan writing the start and stop scripts into outDir: a file already as wanted (bytes and mode) is left alone, so
// running it again changes nothing, and a dry run shows each change as a diff.
// hostDir: the directory on every other host for its nodes' scripts (default: beside the data directory).
export async function planScripts(rt: ClusterRuntime, outDir: string, hostDir?: string): Promise<OperationPlan> {
  return (await planScriptFiles(rt, outDir, hostDir)).plan;
}

// The scripts plan with every script's path (written or already as wanted; on another host "root@db2:/path").
// Nodes on this machine get their scripts in outDir as always; the nodes of another host get theirs written on that
// host (see host-scripts-plan.ts), and outDir holds scripts only when some node lives here.
export async function planScriptFiles(rt: ClusterRuntime, outDir: string, hostDir?: string): Promise<{ plan: OperationPlan; files: string[] }> {
  const ordered = startOrder(rt);
  const here = ordered.filter((n) => !n.machine.remote);
  const elsewhere = await planHostScripts(rt, ordered, hostDir);
  const local = here.length > 0 || elsewhere.steps.length === 0 ? await planLocalScripts(rt, here, outDir) : { step: undefined, files: [] };
  return {
    plan: {
      command: `scripts --out ${outDir}`,
      purpose: elsewhere.steps.length
        ? 'Write start and stop scripts for each node and for all of them: here in POSIX sh and Windows .cmd, on every other host in POSIX sh with a systemd unit per node where systemd runs.'
        : 'Write start and stop scripts for each node and for all of them (POSIX sh and Windows .cmd).',
      checked: [],
      steps: [...(local.step ? [local.step] : []), ...elsewhere.steps],
    },
    files: [...local.files, ...elsewhere.files],
  };
}

// The scripts of the nodes on this machine, in outDir.
async function planLocalScripts(rt: ClusterRuntime, here: readonly PgNode[], outDir: string): Promise<{ step: PlanStep; files: string[] }> {
  const nodes = here.map((n) => scriptNodeOf(rt, n));
  const scripts = controlScripts({ pgCtl: rt.binaries.path('pg_ctl'), osUser: rt.serverUser.isInvoker ? undefined : rt.serverUser.name, nodes, scriptDir: outDir });
  const actions: Action[] = [{ kind: 'mkdir', path: outDir, owner: 'invoker', mode: 0o755, summary: `create ${outDir}` }];
  const files: string[] = [];
  for (const [name, content] of scripts) {
    const file = path.join(outDir, name);
    files.push(file);
    const mode = name.endsWith('.sh') ? 0o755 : 0o644;
    const current = await stat(file).catch(() => undefined);
    // Windows keeps no mode bits (Node reports 0666 for any writable file): there the bytes alone decide.
    const sameMode = current !== undefined && (onWindows() || (current.mode & 0o7777) === mode);
    const same = sameMode && (await readFile(file, 'utf8')) === content;
    if (!same) actions.push({ kind: 'write-file', path: file, content, owner: 'invoker', mode, summary: `write ${file}` });
  }
  return { step: { title: `write the scripts into ${outDir}`, actions: actions.length > 1 ? actions : [] }, files };
}
