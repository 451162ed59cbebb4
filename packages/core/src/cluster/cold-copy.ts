import { mkdir, rm } from 'node:fs/promises';
import type { TaskAction } from '../executor/action.js';
import { isAborted } from '../errors/hotstandby-error.js';
import { readControlFacts } from '../postgres/pg-control.js';
import type { PgNode } from '../postgres/pg-node.js';
import { copyTreeNative } from '../util/native-tree-copy.js';
import { chownIfRoot } from '../util/atomic-write.js';
import type { ServerUser } from '../postgres/os-user.js';
import type { PipelineStep } from '../pipeline/pipeline-step.js';
import type { StepContext } from '../plugin/step-context.js';
import { recordColdCopyPlace, removeColdCopies } from './cold-copy-places.js';

// Copies of a primary's data directory that `up` takes while the primary it has just created is cleanly shut
// down, before its first start: one for each standby the same run builds from that primary. Each is a valid base
// backup (as a file-system backup of a stopped cluster is): the standby needs no checkpoint on the primary and no
// WAL streamed for its backup, and replays what the primary does after its start from its slot.
export interface ColdCopy {
  // The node copied.
  node: string;
  // Where each standby's copy is, by standby name.
  dirs: Readonly<Record<string, string>>;
}

// The action that takes the cold copies of a new primary (on this machine, before its first start), all at once.
// It changes nothing the user sees: when the primary is not cleanly shut down or a copy fails, it says so through
// `note` and leaves no partial copy, and the standby without a copy takes its usual base backup.
export function coldCopyAction(
  primary: PgNode,
  copy: ColdCopy,
  where: { runDir: string; standbyDataDirs: readonly string[]; serverUser: ServerUser },
  note: (message: string) => void,
): TaskAction {
  const { runDir, standbyDataDirs, serverUser } = where;
  const standbys = Object.keys(copy.dirs);
  return {
    kind: 'task',
    changes: true,
    summary: `take cold copies of ${primary.name} for ${standbys.join(', ')} (their base backups: no checkpoint, no WAL streaming)`,
    details: [
      `${primary.name} is new and cleanly shut down before its first start: a copy of its data directory is a valid base backup for a standby built in this run`,
      ...Object.entries(copy.dirs).map(([standby, dir]) => `copy ${primary.dataDir} to ${dir}, which ${standby}'s base-backup step puts in place`),
      'up removes any copy left unused when it ends',
    ],
    run: async (signal) => {
      for (const left of await removeColdCopies(runDir, standbyDataDirs)) note(`could not remove the leftover cold copy ${left}`);
      const control = await readControlFacts(primary.dataDir);
      if (control.state !== 'shut down') {
        note(`no cold copies of ${primary.name}: it is "${control.state}", not cleanly shut down; its standbys get a base backup`);
        return;
      }
      // Every copy ends (made, or removed) before the action does, also when one of them is interrupted.
      const outcomes = await Promise.allSettled(
        Object.entries(copy.dirs).map(async ([standby, dir]) => {
          try {
            await recordColdCopyPlace(runDir, dir);
            await mkdir(dir, { mode: 0o700 });
            await chownIfRoot(dir, serverUser.uid, serverUser.gid);
            await copyTreeNative(primary.dataDir, dir, signal);
          } catch (error) {
            await rm(dir, { recursive: true, force: true }).catch(() => undefined);
            if (isAborted(error)) throw error;
            note(`no cold copy of ${primary.name} for ${standby} (${(error as Error).message.split('\n')[0]}); it gets a base backup`);
          }
        }),
      );
      const interrupted = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (interrupted) throw interrupted.reason;
    },
  };
}

// The standbys up builds straight from the primary, on this machine, whose steps ask for a cold copy of it.
export async function standbysTakingColdCopy(
  primary: PgNode,
  standbys: readonly { node: PgNode; upstream?: string }[],
  steps: readonly PipelineStep[],
  contextFor: (step: PipelineStep, node: PgNode) => StepContext,
): Promise<string[]> {
  const names: string[] = [];
  for (const { node, upstream } of standbys) {
    if (upstream !== primary.name || node.machine.remote) continue;
    for (const step of steps) {
      if (step.plugin.scope === 'standby' && (await step.plugin.takesColdCopy?.(contextFor(step, node)))) {
        names.push(node.name);
        break;
      }
    }
  }
  return names;
}
