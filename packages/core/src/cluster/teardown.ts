import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import { restoreJournaledFile } from '../executor/executor.js';
import type { StopMode } from '../postgres/pg-node.js';
import { quoteIdent } from '../postgres/quoting.js';
import { dropInactiveSlot } from '../postgres/replication-slots.js';
import type { JournalEntry } from '../state/cluster-state.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { standbyNameWaves } from './standby-waves.js';
import { isInside } from '../util/is-inside.js';

// How `down` runs.
export interface DownOptions {
  // Delete the data directories (and state) the tool created; never one it adopted.
  purge?: boolean;
  // Put an adopted primary back as it was: original config files byte for byte, the role and slots the tool added gone.
  restore?: boolean;
  mode?: StopMode;
  // Progress lines.
  log?: (line: string) => void;
}

// What `down` did.
export interface DownResult {
  stopped: string[];
  leftRunning: string[];
  restored: string[];
  dropped: string[];
  deleted: string[];
  kept: string[];
}

// Stop standbys first, then the primary (an adopted primary that ran before is left running); optionally restore and purge.
export async function teardown(rt: ClusterRuntime, options: DownOptions): Promise<DownResult> {
  const log = options.log ?? (() => undefined);
  const result: DownResult = { stopped: [], leftRunning: [], restored: [], dropped: [], deleted: [], kept: [] };
  const primary = rt.primary;
  const primaryState = rt.state.nodes[primary.name];
  const adopted = rt.primaryAdopted;
  const keepPrimaryRunning = adopted && (primaryState?.wasRunningAtAdoption ?? true);

  // The standbys of one depth stop together, the deepest first (each still gets its upstream's shutdown
  // checkpoint, as upstreams stop after them); former primaries last.
  const waves = [
    ...standbyNameWaves(rt.spec)
      .reverse()
      .map((wave) => wave.map((name) => rt.node(name))),
    rt.detached,
  ];
  for (const wave of waves) {
    const running = (await Promise.all(wave.map(async (n) => ((await n.isRunning()) ? n : undefined)))).filter((n): n is NonNullable<typeof n> => n !== undefined);
    for (const standby of running) log(`stopping ${standby.name}`);
    const outcomes = await Promise.allSettled(running.map((standby) => standby.stop(options.mode ?? 'fast')));
    for (const [i, standby] of running.entries()) if (outcomes[i]!.status === 'fulfilled') result.stopped.push(standby.name);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
  }

  const undo = rt.state.journal.filter((e) => e.kind !== 'dir');
  if ((options.restore && undo.length > 0) || (options.purge && adopted)) {
    if (!(await primary.isRunning()) && primary.exists()) {
      log(`starting ${primary.name} to undo the changes`);
      await primary.start();
    }
  }
  const slotEntries = rt.state.journal.filter((e): e is Extract<JournalEntry, { kind: 'slot' }> => e.kind === 'slot');
  if (options.restore || (options.purge && adopted)) {
    for (const entry of slotEntries) {
      // A slot lives on the node it was made on, which after a switchover may be a standby stopped above: a
      // slot there goes with its data directory, so only slots on running nodes are dropped.
      const holder = [...rt.nodes, ...rt.detached].find((n) => n.name === entry.node);
      if (holder && (await holder.isRunning())) {
        log(`dropping replication slot ${entry.slot} on ${entry.node}`);
        await dropInactiveSlot(holder, entry.slot);
        result.dropped.push(`slot ${entry.slot}`);
        await rt.store.removeJournal((e) => e === entry);
      }
    }
  }
  if (options.restore) {
    if (!adopted) log(`${primary.name} was created by hotstandby; there is nothing of yours to restore on it`);
    for (const entry of rt.state.journal.filter((e): e is Extract<JournalEntry, { kind: 'role' }> => e.kind === 'role')) {
      // Roles replicate: the drop goes to the primary of now, which after a switchover or promote is not the
      // node the role was created on (that one is a standby, or stopped).
      log(`dropping role ${entry.role} on ${primary.name}`);
      await primary.query(`DROP ROLE IF EXISTS ${quoteIdent(entry.role)}`);
      result.dropped.push(`role ${entry.role}`);
      await rt.store.removeJournal((e) => e === entry);
    }
    for (const entry of rt.state.journal.filter((e): e is Extract<JournalEntry, { kind: 'file' }> => e.kind === 'file')) {
      log(`restoring ${entry.path}`);
      await restoreJournaledFile(entry);
      result.restored.push(entry.path);
      await rt.store.removeJournal((e) => e === entry);
    }
    if (result.restored.length > 0 && (await primary.isRunning())) {
      await primary.reload();
      const pending = await primary.query<{ name: string }>('SELECT name FROM pg_settings WHERE pending_restart').catch(() => []);
      if (pending.length > 0) {
        log(`restarting ${primary.name} so ${pending.map((p) => p.name).join(', ')} take their original values`);
        await primary.restart();
      }
    }
  }

  if (await primary.isRunning()) {
    if (keepPrimaryRunning) result.leftRunning.push(primary.name);
    else {
      log(`stopping ${primary.name}`);
      await primary.stop(options.mode ?? 'fast');
      result.stopped.push(primary.name);
    }
  }

  if (options.purge) await purge(rt, result, log);
  return result;
}

async function purge(rt: ClusterRuntime, result: DownResult, log: (line: string) => void): Promise<void> {
  const stateDir = rt.layout.root;
  const created = rt.state.journal.filter((e): e is Extract<JournalEntry, { kind: 'dir' }> => e.kind === 'dir').map((e) => e.path);
  const isCreated = (dir: string) => created.some((c) => c === dir || isInside(dir, c));
  const all = [...rt.nodes, ...rt.detached];
  for (const node of all) {
    if (node.exists() && !isCreated(node.dataDir)) result.kept.push(`${node.dataDir} (${node.name}: not created by hotstandby)`);
  }
  // What `down --restore` still needs: original files, and roles or slots on a primary that stays.
  const keptNodes = new Set(all.filter((n) => n.exists() && !isCreated(n.dataDir)).map((n) => n.name));
  const pending = rt.state.journal.filter((e) => e.kind === 'file' || ((e.kind === 'role' || e.kind === 'slot') && keptNodes.has(e.node)));
  const keepState = pending.length > 0;
  // While an adopted primary keeps the tool's settings (until down --restore), it still writes its log where the
  // tool restarts it to and archives WAL into the archive directory: both stay with the state.
  const archiveDir = rt.spec.archive?.dir;
  const stillUsed = keepState ? [stateDir, rt.layout.journalDir, rt.layout.logsDir, ...(rt.primaryAdopted && archiveDir ? [archiveDir] : [])] : [];
  const targets = [...new Set(created)]
    .filter((dir) => !stillUsed.includes(dir))
    .filter((dir) => !created.some((other) => other !== dir && isInside(dir, other) && !stillUsed.includes(other)))
    .sort((a, b) => b.length - a.length);
  for (const dir of targets) {
    refuseDangerous(dir);
    log(`deleting ${dir}`);
    await rm(dir, { recursive: true, force: true });
    result.deleted.push(dir);
  }
  if (keepState) {
    result.kept.push(`${stateDir} (it holds what down --restore needs to undo the changes on ${[...keptNodes].join(', ')})`);
    if (rt.primaryAdopted && archiveDir && created.includes(archiveDir)) {
      result.kept.push(`${archiveDir} (${rt.primary.name} still archives WAL into it; down --restore gives it its own archive settings back)`);
    }
    await rt.store.update((s) => {
      s.journal = s.journal.filter((e) => (e.kind === 'dir' ? !targets.some((t) => t === e.path || isInside(e.path, t)) : pending.includes(e)));
      s.nodes = Object.fromEntries(Object.entries(s.nodes).filter(([name]) => keptNodes.has(name)));
    });
  } else if (!created.includes(stateDir)) {
    await rm(rt.layout.stateFile, { force: true });
  }
}

function refuseDangerous(dir: string): void {
  const resolved = path.resolve(dir);
  if (resolved === '/' || resolved === os.homedir() || resolved.split(path.sep).filter(Boolean).length < 2) {
    throw new HotstandbyError('INTERNAL', `refusing to delete ${resolved}`, { fix: 'this is a bug in hotstandby; please report it' });
  }
}
