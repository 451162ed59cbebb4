import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Action } from '../executor/action.js';
import type { OperationPlan } from '../executor/operation-plan.js';
import { onWindows } from '../util/platform.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { controlScripts } from './control-scripts.js';
import { startOrder } from './node-order.js';

// Plan writing the start and stop scripts into outDir: a file already as wanted (bytes and mode) is left alone, so
// running it again changes nothing, and a dry run shows each change as a diff.
export async function planScripts(rt: ClusterRuntime, outDir: string): Promise<OperationPlan> {
  return (await planScriptFiles(rt, outDir)).plan;
}

// The scripts plan with every script's path (written or already as wanted).
export async function planScriptFiles(rt: ClusterRuntime, outDir: string): Promise<{ plan: OperationPlan; files: string[] }> {
  const nodes = startOrder(rt).map((n) => {
    const spec = rt.spec.standbys.find((s) => s.name === n.name);
    return { name: n.name, description: spec ? `standby of ${spec.upstream}, port ${n.port}` : `primary, port ${n.port}`, dataDir: n.dataDir, logFile: n.logFile };
  });
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
  return {
    plan: {
      command: `scripts --out ${outDir}`,
      purpose: 'Write start and stop scripts for each node and for all of them (POSIX sh and Windows .cmd).',
      checked: [],
      steps: [{ title: `write the scripts into ${outDir}`, actions: actions.length > 1 ? actions : [] }],
    },
    files,
  };
}
