import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { PgNode } from '../postgres/pg-node.js';
import type { ServerUser } from '../postgres/os-user.js';
import { localMachine } from '../hosts/local-machine.js';
import type { Machine } from '../hosts/machine.js';
import type { StateLayout } from '../state/state-layout.js';
import type { StateStore } from '../state/state-store.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { restrictToOwner } from '../util/owner-only-access.js';
import { actedOnNode, type Action, type Owner } from './action.js';
import { asFileWriteError } from '../util/file-writable.js';
import { describeAction } from './describe-action.js';
import { pollUntil } from '../util/poll.js';
import { isInside } from '../util/is-inside.js';
import { entryAt, journalPlaceOf } from '../state/journal-node.js';
import { stillRunsThere } from '../hosts/remote-process-group.js';

// What the executor needs from the cluster around it.
export interface ExecutorDeps {
  node(name: string): PgNode;
  serverUser: ServerUser;
  state: StateStore;
  layout: StateLayout;
  signal?: AbortSignal;
  // Told each action's summary as it starts, and when an action fails and its fallback runs instead (pg_rewind,
  // then a fresh base backup).
  progress?(line: string): void;
}

// The one place effects happen: applies planned actions and journals what `down --restore` needs to undo them.
export class Executor {
  constructor(private readonly deps: ExecutorDeps) {}

  // The printable form of an action (SQL, diff or command line), secrets hidden; an action on a node of another host
  // names that host.
  describe(action: Action): Promise<string[]> {
    const node = actedOnNode(action);
    return describeAction(action, this.serverUserOf(node).name, this.remoteMachineOf(action));
  }

  // The machine of another host an action happens on (its node's), or undefined when it happens on this one.
  remoteMachineOf(action: Action): Machine | undefined {
    const machine = this.machineOf(actedOnNode(action));
    return machine.remote ? machine : undefined;
  }

  // Apply actions in order; stops at the first failure.
  // Once one fails (or the run is interrupted), only the actions marked always are still applied, and then the first
  // failure is thrown.
  async applyAll(actions: readonly Action[]): Promise<void> {
    let failure: { error: unknown } | undefined;
    for (const action of actions) {
      if (failure && !action.always) continue;
      try {
        await this.apply(action, { evenIfInterrupted: failure !== undefined });
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }

  // Apply one action (refused once the run is interrupted, unless it cleans up after an interruption).
  async apply(action: Action, options: { evenIfInterrupted?: boolean } = {}): Promise<void> {
    if (this.deps.signal?.aborted && !options.evenIfInterrupted) {
      throw new HotstandbyError('ABORTED', `interrupted before: ${action.summary}`, { fix: 'run the command again; it continues where it stopped' });
    }
    this.deps.progress?.(action.summary);
    switch (action.kind) {
      case 'sql': {
        await this.deps.node(action.node).query(action.sql, action.params ?? [], action.database);
        if (action.journal) await this.deps.state.addJournal({ ...action.journal, at: new Date().toISOString() });
        return;
      }
      case 'write-file': {
        const machine = this.machineOf(action.node);
        if (action.whenDirExists && !(await machine.stat(path.dirname(action.path)))) return;
        await this.journalFile(action.path, action.node);
        // A secret file (a passfile, a kept password) gets its private mode and owner back even if they were changed.
        await machine
          .writeFileAtomic(action.path, action.content, { mode: action.mode ?? 0o600, ...this.ids(action.owner, action.node), exact: action.secret === true })
          .catch((e: unknown) => {
            throw asFileWriteError(action.path, e);
          });
        if (action.secret === true && !machine.remote) await restrictToOwner(action.path, 'file');
        return;
      }
      case 'remove-file':
        await this.journalFile(action.path, action.node);
        await this.machineOf(action.node)
          .remove(action.path)
          .catch((e: unknown) => {
            throw asFileWriteError(action.path, e, 'remove');
          });
        return;
      case 'mkdir':
        await this.makeDir(action.path, action.mode, action.owner, action.node);
        return;
      case 'exec':
        try {
          await this.machineOf(action.node).run(action.command, action.args, {
            user: action.runAs === 'server' ? this.serverUserOf(action.node) : undefined,
            env: action.env,
            timeoutMs: action.timeoutMs,
            signal: this.deps.signal,
            purpose: action.summary,
          });
        } catch (error) {
          // A program that may still run on its host (its connection was lost) must not see its directory cleared under it.
          if (!action.otherwise || this.deps.signal?.aborted || stillRunsThere(error)) throw error;
          this.deps.progress?.(`${action.summary} failed (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); instead:`);
          await this.applyAll(action.otherwise);
        }
        return;
      case 'node': {
        const node = this.deps.node(action.node);
        if (action.op === 'start') await node.start();
        else if (action.op === 'stop') await node.stop(action.mode ?? 'fast', action.timeoutSec);
        else if (action.op === 'restart') await node.restart();
        else if (action.op === 'promote') await node.promote();
        else await node.reload();
        return;
      }
      case 'task':
        await action.run(this.signal());
        return;
      case 'remove-dir':
        await this.machineOf(action.node)
          .remove(action.path, { recursive: true })
          .catch((e: unknown) => {
            throw asFileWriteError(action.path, e, 'remove');
          });
        return;
      case 'move-aside':
        await this.machineOf(action.node)
          .rename(action.path, action.to)
          .catch((e: unknown) => {
            throw asFileWriteError(action.path, e, 'move aside');
          });
        return;
      case 'wait':
        await this.wait(action);
        return;
      case 'check':
        await action.run(this.signal());
        return;
      case 'record':
        await action.run();
        return;
    }
  }

  private signal(): AbortSignal {
    return this.deps.signal ?? new AbortController().signal;
  }

  private async wait(action: Extract<Action, { kind: 'wait' }>): Promise<void> {
    let last = 'not yet checked';
    try {
      await pollUntil(
        async () => {
          const result = await action.until(this.signal());
          if (result === true) return true;
          last = result;
          return undefined;
        },
        { timeoutMs: action.timeoutMs, what: action.summary, signal: this.deps.signal, fix: action.ifFails },
        () => last,
      );
    } catch (error) {
      if (action.onTimeout) await action.onTimeout(new AbortController().signal);
      throw error;
    }
  }

  // Create a directory and any missing parents (on the node's machine), give them to the owner, and record the
  // top-most one created with its node.
  async makeDir(target: string, mode: number, owner: Owner, node?: string): Promise<void> {
    const machine = this.machineOf(node);
    const top = await machine.mkdir(machine.remote ? target : path.resolve(target), { mode, ...this.ids(owner, node) });
    if (top !== undefined) await this.deps.state.addJournal({ kind: 'dir', ...journalPlaceOf(machine, node), path: top, at: new Date().toISOString() });
  }

  // Before the first change to a file the tool did not create, keep its original bytes, mode and owner (in the local
  // journal directory, also for a file on another host, whose entry names its node).
  private async journalFile(file: string, node?: string): Promise<void> {
    const machine = this.machineOf(node);
    const place = journalPlaceOf(machine, node);
    const target = await machine.finalPath(file);
    const state = await this.deps.state.load();
    const known = state.journal.some((e) => (e.kind === 'file' || e.kind === 'dir') && entryAt(e, place) && (e.kind === 'file' ? e.path === target : isInside(target, e.path)));
    if (known) return;
    const st = await machine.stat(target);
    let backup: string | undefined;
    if (st) {
      const where = machine.remote ? ` on ${machine.label}` : '';
      const bytes = await machine.readFile(target);
      if (bytes === undefined)
        throw new HotstandbyError('PATH_UNREACHABLE', `${target}${where} vanished while hotstandby backed it up`, {
          where: { ...(machine.remote ? { host: machine.label } : {}), file: target },
          fix: 'run the command again',
        });
      await mkdir(this.deps.layout.journalDir, { recursive: true, mode: 0o700 });
      backup = path.join(this.deps.layout.journalDir, `${state.journal.length}-${path.basename(target)}`);
      await writeFileAtomic(backup, bytes, { mode: 0o600 }).catch((e: unknown) => {
        throw asFileWriteError(backup!, e, `back up ${target}${where} into`);
      });
    }
    await this.deps.state.addJournal({
      kind: 'file',
      ...place,
      path: target,
      existed: st !== undefined,
      backup,
      mode: st?.mode,
      uid: st?.uid,
      gid: st?.gid,
      at: new Date().toISOString(),
    });
  }

  // The machine an action's path or program is on: its node's, or this one.
  private machineOf(node: string | undefined): Machine {
    return node === undefined ? localMachine : this.deps.node(node).machine;
  }

  // The account that runs the servers on the machine of the node (this machine's when no node or a local one).
  serverUserOf(node: string | undefined): ServerUser {
    if (node === undefined) return this.deps.serverUser;
    const pgNode = this.deps.node(node);
    return pgNode.machine.remote ? pgNode.osUser : this.deps.serverUser;
  }

  private ids(owner: Owner, node?: string): { uid?: number; gid?: number } {
    if (owner === 'server') {
      const user = this.serverUserOf(node);
      return { uid: user.uid, gid: user.gid };
    }
    // The connecting account owns what it makes on another host.
    if (this.machineOf(node).remote) return {};
    return { uid: process.getuid?.(), gid: process.getgid?.() };
  }
}

// Put a journaled file back exactly as it was (bytes, mode, owner), or remove it if it did not exist, on the machine
// it is on (the backup is on this one).
export async function restoreJournaledFile(
  entry: { path: string; existed: boolean; backup?: string; mode?: number; uid?: number; gid?: number },
  machine: Machine = localMachine,
): Promise<void> {
  if (!entry.existed) {
    await machine.remove(entry.path);
    return;
  }
  const bytes = await readFile(entry.backup!);
  // exact: the file gets the recorded mode and owner back, also when it exists now with others.
  await machine.writeFileAtomic(entry.path, bytes, { mode: entry.mode, uid: entry.uid, gid: entry.gid, exact: entry.mode !== undefined }).catch((e: unknown) => {
    throw asFileWriteError(entry.path, e, 'restore');
  });
}
