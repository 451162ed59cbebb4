import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import { restoreJournaledFile } from '../executor/executor.js';
import { tlsFiles } from '../tls/tls-decisions.js';
import type { StopMode } from '../postgres/pg-node.js';
import type { Action } from '../executor/action.js';
import type { OperationPlan, PlanStep } from '../executor/operation-plan.js';
import { quoteIdent, quoteShellArg } from '../postgres/quoting.js';
import type { JournalEntry } from '../state/cluster-state.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { dropInactiveSlotAction } from './drop-slot-action.js';
import { findColdCopies, localDataDirs, removeColdCopies } from './cold-copy-places.js';
import { standbyNameWaves } from './standby-waves.js';
import { isInside } from '../util/is-inside.js';
import { companionPathsBeside, isCompanionEntry, isFormerCompanionEntry, removeRemoteCompanionActions } from './remote-companions.js';
import { atomicWriteScript } from '../hosts/remote-shell.js';
import { sshCommandLine, type SshTarget } from '../hosts/ssh-target.js';
import { oneLine } from '../runbook/remote-runbook-node.js';
import { SPEC_CACHE_FILE } from '../config/spec-cache.js';
import type { PgNode } from '../postgres/pg-node.js';
import { journalPlaceOf } from '../state/journal-node.js';
import { createdByJournal, everyNode } from './runtime-topology.js';
import { formerHostNote, formerHostsOf, refuseUnreachableFormerHost, type FormerHost } from './former-hosts.js';
import type { Machine } from '../hosts/machine.js';

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

// down's plan with what it will have done (the result is known when the plan is made, and true once it ran).
export interface DownPlan {
  plan: OperationPlan;
  result: DownResult;
}

// The plan of `down` with the result it will have.
export async function planTeardown(rt: ClusterRuntime, options: DownOptions): Promise<DownPlan> {
  const mode = options.mode ?? 'fast';
  const result: DownResult = { stopped: [], leftRunning: [], restored: [], dropped: [], deleted: [], kept: [] };
  const steps: PlanStep[] = [];
  const primary = rt.primary;
  const primaryState = rt.state.nodes[primary.name];
  const adopted = rt.primaryAdopted;
  const keepPrimaryRunning = adopted && (primaryState?.wasRunningAtAdoption ?? true);
  const checked: string[] = [];

  // The standbys of one depth stop together, the deepest first, each upstream after its standbys (none of them
  // loses its upstream while it runs); former primaries last. A purge of a cluster the tool created (no adopted
  // primary to leave as it was, nothing to restore first) removes what it made next, so the order serves nothing
  // there and every node stops at once.
  const allAtOnce = options.purge === true && !adopted && !options.restore;
  const standbyWaves = [
    ...standbyNameWaves(rt.spec)
      .reverse()
      .map((wave) => wave.map((name) => rt.node(name))),
    rt.detached,
  ];
  const waves = allAtOnce ? [[...standbyWaves.flat(), primary]] : standbyWaves;
  for (const wave of waves) {
    const running = (await Promise.all(wave.map(async (n) => ((await n.isRunning()) ? n : undefined)))).filter((n): n is NonNullable<typeof n> => n !== undefined);
    if (running.length === 0) continue;
    steps.push({
      title: `stop ${running.map((n) => n.name).join(', ')} (${mode})`,
      check: 'pg_ctl status says no server is running',
      concurrent: true,
      actions: running.map((n) => ({ kind: 'node' as const, node: n.name, op: 'stop' as const, mode, summary: `stopping ${n.name}` })),
    });
    result.stopped.push(...running.map((n) => n.name));
  }

  let primaryRuns = !allAtOnce && (await primary.isRunning());
  const journal = [...rt.state.journal];
  // What the journal recorded on a host a node no longer lives on is undone there (said in the plan).
  const undone = journal.filter((e) => (options.restore && e.kind === 'file') || (options.purge && (e.kind === 'file' || e.kind === 'dir')));
  const formers = await formerHostsOf(rt, undone);
  checked.push(...[...new Set(formers.values())].map(formerHostNote));
  const undoing = new Set<JournalEntry>();
  const undo = journal.filter((e) => e.kind !== 'dir');
  if (((options.restore && undo.length > 0) || (options.purge && adopted)) && !primaryRuns && (await primary.exists())) {
    steps.push({
      title: `start ${primary.name} to undo the changes`,
      actions: [{ kind: 'node', node: primary.name, op: 'start', summary: `starting ${primary.name} to undo the changes` }],
    });
    primaryRuns = true;
  }
  const forget = (entry: JournalEntry, what: string): Action => ({
    kind: 'record',
    summary: `forget ${what} in the journal`,
    run: () => rt.store.removeJournal((e) => e === entry),
  });
  if (options.restore || (options.purge && adopted)) {
    const actions: Action[] = [];
    for (const entry of journal.filter((e): e is Extract<JournalEntry, { kind: 'slot' }> => e.kind === 'slot')) {
      // A slot lives on the node it was made on, which after a switchover may be a standby stopped above: a
      // slot there goes with its data directory, so only slots on nodes still running then are dropped.
      if (entry.node !== primary.name || !primaryRuns) continue;
      actions.push(dropInactiveSlotAction(entry.node, entry.slot, `dropping replication slot ${entry.slot} on ${entry.node}`), forget(entry, `the slot ${entry.slot}`));
      result.dropped.push(`slot ${entry.slot}`);
      undoing.add(entry);
    }
    if (actions.length) steps.push({ title: `drop the replication slots hotstandby created on ${primary.name}`, actions });
  }
  if (options.restore) {
    if (!adopted) checked.push(`${primary.name} was created by hotstandby; there is nothing of yours to restore on it`);
    const roles: Action[] = [];
    for (const entry of journal.filter((e): e is Extract<JournalEntry, { kind: 'role' }> => e.kind === 'role')) {
      // Roles replicate: the drop goes to the primary of now, which after a switchover or promote is not the
      // node the role was created on (that one is a standby, or stopped).
      roles.push(
        { kind: 'sql', node: primary.name, sql: `DROP ROLE IF EXISTS ${quoteIdent(entry.role)}`, summary: `dropping role ${entry.role} on ${primary.name}` },
        forget(entry, `the role ${entry.role}`),
      );
      result.dropped.push(`role ${entry.role}`);
      undoing.add(entry);
    }
    if (roles.length) steps.push({ title: `drop the roles hotstandby created`, actions: roles });
    const files: Action[] = [];
    const knownNodes = new Set([...rt.nodes, ...rt.detached].map((n) => n.name));
    for (const entry of journal.filter((e): e is Extract<JournalEntry, { kind: 'file' }> => e.kind === 'file')) {
      // A file on the host of a node the cluster no longer has cannot be reached: said, and left in the journal.
      if (entry.node !== undefined && !knownNodes.has(entry.node)) {
        result.kept.push(`${entry.path} on the host of ${entry.node} (a node this cluster no longer has: its original is in ${entry.backup ?? 'nothing, it did not exist'})`);
        continue;
      }
      const former = formers.get(entry);
      if (former) refuseUnreachableFormerHost(former, entry.path);
      files.push(restoreFileAction(rt, entry, former), forget(entry, entry.path));
      result.restored.push(entry.path);
      undoing.add(entry);
    }
    if (files.length) {
      steps.push({ title: 'put back the files hotstandby changed, byte for byte, with their mode and owner', actions: files });
      if (primaryRuns) {
        steps.push({
          title: `make ${primary.name} read its original settings`,
          check: `SELECT name FROM pg_settings WHERE pending_restart returns no row on ${primary.name}`,
          actions: [
            { kind: 'node', node: primary.name, op: 'reload', summary: `reloading ${primary.name}` },
            {
              kind: 'task',
              changes: true,
              summary: `restart ${primary.name} if a setting needs it to take its original value`,
              details: ['SELECT name FROM pg_settings WHERE pending_restart; restart when it returns a row'],
              byHand: { text: `SELECT name FROM pg_settings WHERE pending_restart on ${primary.name}; if it returns a row, restart ${primary.name}` },
              run: async () => {
                const pending = await primary.query<{ name: string }>('SELECT name FROM pg_settings WHERE pending_restart').catch(() => []);
                if (pending.length === 0) return;
                options.log?.(`restarting ${primary.name} so ${pending.map((p) => p.name).join(', ')} take their original values`);
                await primary.restart();
              },
            },
          ],
        });
      }
    }
  }

  if (primaryRuns) {
    if (keepPrimaryRunning) result.leftRunning.push(primary.name);
    else {
      steps.push({ title: `stop ${primary.name} (${mode})`, actions: [{ kind: 'node', node: primary.name, op: 'stop', mode, summary: `stopping ${primary.name}` }] });
      result.stopped.push(primary.name);
    }
  }

  steps.push(...(await leftColdCopiesStep(rt)));

  if (options.purge)
    steps.push(
      ...(await planPurge(
        rt,
        result,
        journal.filter((e) => !undoing.has(e)),
        formers,
      )),
    );
  const flags = [options.purge ? ' --purge' : '', options.restore ? ' --restore' : '', mode === 'fast' ? '' : ` --mode ${mode}`].join('');
  return {
    plan: {
      command: `down${flags}`,
      purpose: `Stop the nodes${allAtOnce ? ' all together' : ', the standbys first'}${options.restore ? `; put ${primary.name} back as it was before hotstandby` : ''}${options.purge ? '; delete what hotstandby created' : ''}.`,
      checked,
      steps,
      after: [...result.leftRunning.map((n) => `${n} is left running: it ran before hotstandby adopted it`), ...result.kept.map((k) => `kept ${k}`)],
    },
    result,
  };
}

// Cold copies an up killed before its end left (beside the standbys' data directories, or in the run directory):
// copies of the primary's catalog, its superuser's password verifier included, that nothing will use.
async function leftColdCopiesStep(rt: ClusterRuntime): Promise<PlanStep[]> {
  const dataDirs = localDataDirs(rt.standbys);
  const left = await findColdCopies(rt.layout.runDir, dataDirs);
  if (left.length === 0) return [];
  const action: Action = {
    kind: 'task',
    changes: true,
    summary: `removing ${left.join(', ')}`,
    details: ['cold copies of the primary an interrupted up took for its standbys and did not use, and their records in the run directory'],
    byHand: { sh: left.map((dir) => `rm -rf -- ${quoteShellArg(dir)}`).join('\n'), text: `delete ${left.join(', ')}` },
    run: async () => {
      const failed = await removeColdCopies(rt.layout.runDir, dataDirs);
      if (failed.length > 0)
        throw new HotstandbyError('COMMAND_FAILED', `could not remove the cold copies ${failed.join(', ')}`, { fix: "remove them by hand (they hold the primary's catalog)" });
    },
  };
  return [{ title: 'remove the cold copies an interrupted up left', actions: [action] }];
}

// Put a journaled file back as it was before the tool first changed it (or remove it when it did not exist), on the
// machine of the node it is on, or on its former host (its backup is on this machine).
function restoreFileAction(rt: ClusterRuntime, entry: Extract<JournalEntry, { kind: 'file' }>, former?: FormerHost): Action {
  const on = entry.node !== undefined ? { node: entry.node } : {};
  const where = former ? ` on ${former.label}` : entry.node !== undefined ? ` on ${entry.node}` : '';
  if (!entry.existed && former) return removeOnFormerHost(former, entry.path, `restoring ${entry.path}${where} (removing it: it did not exist before hotstandby)`);
  if (!entry.existed) return { kind: 'remove-file', ...on, path: entry.path, summary: `restoring ${entry.path}${where} (removing it: it did not exist before hotstandby)` };
  const mode = entry.mode?.toString(8);
  const owner = entry.uid !== undefined && entry.gid !== undefined ? `${entry.uid}:${entry.gid}` : undefined;
  const sh =
    entry.node !== undefined
      ? remoteRestoreLines(former?.hostSpec ?? hostSpecOf(rt, entry.node), entry.backup!, entry.path, entry.mode ?? 0o600, owner)
      : [
          `cp -- ${quoteShellArg(entry.backup!)} ${quoteShellArg(entry.path)}`,
          ...(mode ? [`chmod ${mode} ${quoteShellArg(entry.path)}`] : []),
          ...(owner ? [`chown ${owner} ${quoteShellArg(entry.path)}`] : []),
        ].join('\n');
  return {
    kind: 'task',
    changes: true,
    summary: `restoring ${entry.path}${where}`,
    details: [`from its backup ${entry.backup}${mode ? `, mode ${mode}` : ''}${owner ? `, owner ${owner}` : ''}`],
    byHand: { sh, text: `copy ${entry.backup} over ${entry.path}${where}, keeping its original mode and owner` },
    run: () => restoreJournaledFile(entry, machineOfEntry(rt, entry, former)),
  };
}

// The machine a journaled path is on: its former host, its node's, or this one.
function machineOfEntry(rt: ClusterRuntime, entry: { node?: string }, former: FormerHost | undefined): Machine | undefined {
  return former?.machine ?? (entry.node !== undefined ? rt.node(entry.node).machine : undefined);
}

// Delete a file or directory tree on a node's former host (the executor's own actions act on the node's host of now).
function removeOnFormerHost(former: FormerHost, target: string, summary: string, recursive = false): Action {
  const sh = sshCommandLine(former.hostSpec, ['rm', recursive ? '-rf' : '-f', '--', target]);
  return {
    kind: 'task',
    changes: true,
    summary,
    details: [`on ${former.label}, where ${former.node} lived when hotstandby made it (the config now puts it on ${former.now})`],
    byHand: { sh: sh.map(quoteShellArg).join(' '), text: `delete ${target} on ${former.label}` },
    run: () => former.machine.remove(target, { recursive }),
  };
}

// How ssh reaches the host of a node, as its config says (the node's name as the host when the config has none).
function hostSpecOf(rt: ClusterRuntime, node: string): SshTarget {
  const machine = rt.node(node).machine;
  return everyNode(rt.spec).find((n) => n.name === node)?.host ?? machine.sshTarget ?? { host: machine.address ?? node };
}

// The backup on this machine copied over the file on the host, through ssh (temp file there, then rename).
function remoteRestoreLines(host: SshTarget, backup: string, file: string, mode: number, owner: string | undefined): string {
  const ssh = sshCommandLine(host, ['sh', '-c', oneLine(atomicWriteScript(file, { mode, owner }))], { withInput: true });
  return `${ssh.map(quoteShellArg).join(' ')} < ${quoteShellArg(backup)}`;
}

// The steps that delete what the tool created (never a directory it adopted); what `down --restore` still needs
// (original files, roles or slots on a node that stays) keeps the state directory.
async function planPurge(rt: ClusterRuntime, result: DownResult, journal: readonly JournalEntry[], formers: ReadonlyMap<JournalEntry, FormerHost>): Promise<PlanStep[]> {
  const stateDir = rt.layout.root;
  const createdDirs = journal.filter((e): e is Extract<JournalEntry, { kind: 'dir' }> => e.kind === 'dir');
  // Directories on this machine; those on other hosts are removed there, each by its node's machine.
  const created = createdDirs.filter((e) => e.node === undefined).map((e) => e.path);
  const all = [...rt.nodes, ...rt.detached];
  const createdByTool = (node: PgNode) => createdByJournal(rt.state, node.dataDir, journalPlaceOf(node.machine, node.name));
  const keptNodes = new Set<string>();
  for (const node of all) {
    if (!(await node.exists()) || createdByTool(node)) continue;
    result.kept.push(`${node.dataDir} (${node.name}: not created by hotstandby)`);
    keptNodes.add(node.name);
  }
  // Nodes on other hosts whose data directories go: what the tool keeps beside them there goes too, and the files
  // among those it created are nothing down --restore would need.
  const purgedRemote = all.filter((n) => n.machine.remote && !keptNodes.has(n.name) && createdByTool(n));
  // Likewise on a node's former host, where the tool made its data directory before the config moved it.
  const purgedFormer = [...new Set(formers.values())].filter((f) => {
    const dataDir = formerDataDir(rt, f);
    return createdDirs.some((e) => formers.get(e) === f && (e.path === dataDir || isInside(dataDir, e.path)));
  });
  const isCompanion = (e: JournalEntry) =>
    purgedRemote.some((n) => isCompanionEntry(e, n)) || purgedFormer.some((f) => formers.get(e) === f && isFormerCompanionEntry(e, formerDataDir(rt, f)));
  const pending = journal.filter((e) => (e.kind === 'file' && !isCompanion(e)) || ((e.kind === 'role' || e.kind === 'slot') && keptNodes.has(e.node)));
  const keepState = pending.length > 0;
  // While an adopted primary keeps the tool's settings (until down --restore), it still writes its log where the
  // tool restarts it to and archives WAL into the archive directory: both stay with the state.
  const archiveDir = rt.spec.archive?.dir;
  // Likewise its TLS files: its settings still name them (ssl on) until down --restore.
  const primaryTls = keepState && rt.primaryAdopted ? tlsFiles(rt.primary.dataDir).dir : undefined;
  const localPrimaryTls = primaryTls !== undefined && !rt.primary.machine.remote ? [primaryTls] : [];
  const stillUsed = keepState ? [stateDir, rt.layout.journalDir, rt.layout.logsDir, ...(rt.primaryAdopted && archiveDir ? [archiveDir] : []), ...localPrimaryTls] : [];
  // Only on hosts of nodes the cluster still has: a node forgotten since is reported, its directories kept.
  const known = new Set(all.map((n) => n.name));
  for (const e of createdDirs.filter((c) => c.node !== undefined && !known.has(c.node))) {
    result.kept.push(`${e.path} on the host of ${e.node} (a node this cluster no longer has: delete it there yourself if you no longer need it)`);
  }
  // Per machine (this one, then each node on another host, then each node's former host), what goes: local first.
  const remoteNodes = [...new Set(createdDirs.flatMap((e) => (e.node !== undefined && known.has(e.node) && !formers.has(e) ? [e.node] : [])))];
  const formerHosts = [...new Set(createdDirs.flatMap((e) => formers.get(e) ?? []))];
  const targets: { node?: string; former?: FormerHost; path: string }[] = [
    ...outermostDirs(created, stillUsed).map((dir) => ({ path: dir })),
    ...remoteNodes.flatMap((node) =>
      outermostDirs(
        createdDirs.filter((e) => e.node === node && !formers.has(e)).map((e) => e.path),
        node === rt.primary.name && primaryTls !== undefined ? [primaryTls] : [],
      ).map((dir) => ({ node, path: dir })),
    ),
    ...formerHosts.flatMap((former) =>
      outermostDirs(
        createdDirs.filter((e) => formers.get(e) === former).map((e) => e.path),
        [],
      ).map((dir) => ({ node: former.node, former, path: dir })),
    ),
  ];
  for (const former of formerHosts) {
    refuseUnreachableFormerHost(former, 'what hotstandby made');
    await refuseRunningOnFormerHost(rt, former);
  }
  const actions: Action[] = [];
  for (const target of targets) {
    refuseDangerous(target.path);
    if (target.former) {
      actions.push(removeOnFormerHost(target.former, target.path, `deleting ${target.path} on ${target.former.label}`, true));
      result.deleted.push(`${target.path} on ${target.former.label}`);
      continue;
    }
    const on = target.node !== undefined ? ` on ${target.node}` : '';
    actions.push({ kind: 'remove-dir', ...(target.node !== undefined ? { node: target.node } : {}), path: target.path, summary: `deleting ${target.path}${on}` });
    result.deleted.push(`${target.path}${on}`);
  }
  for (const node of purgedRemote) actions.push(...removeRemoteCompanionActions(node));
  for (const former of purgedFormer) {
    for (const companion of companionPathsBeside(formerDataDir(rt, former))) {
      actions.push(removeOnFormerHost(former, companion, `deleting ${companion} on ${former.label}`, true));
    }
  }
  if (keepState) {
    result.kept.push(`${stateDir} (it holds what down --restore needs to undo the changes on ${[...keptNodes].join(', ')})`);
    if (rt.primaryAdopted && archiveDir && created.includes(archiveDir)) {
      result.kept.push(`${archiveDir} (${rt.primary.name} still archives WAL into it; down --restore gives it its own archive settings back)`);
    }
    if (primaryTls !== undefined && createdDirs.some((e) => e.path === primaryTls)) {
      result.kept.push(`${primaryTls} (${rt.primary.name} still serves TLS with the files in it; down --restore gives it its own settings back)`);
    }
    actions.push({
      kind: 'record',
      summary: `keep in the state only what down --restore still needs on ${[...keptNodes].join(', ')}`,
      run: async () => {
        await rt.store.update((s) => {
          s.journal = s.journal.filter((e) =>
            e.kind === 'dir' ? !targets.some((t) => t.node === e.node && t.former === formers.get(e) && (t.path === e.path || isInside(e.path, t.path))) : pending.includes(e),
          );
          s.nodes = Object.fromEntries(Object.entries(s.nodes).filter(([name]) => keptNodes.has(name)));
        });
      },
    });
  } else if (!created.includes(stateDir)) {
    // The state directory stays (the tool did not create it): its state file and resolved config go.
    const resolvedConfig = path.join(stateDir, SPEC_CACHE_FILE);
    actions.push({
      kind: 'record',
      summary: `delete hotstandby's state file ${rt.layout.stateFile}`,
      run: async () => {
        await rt.store.remove();
        await rm(resolvedConfig, { force: true });
      },
    });
  }
  return actions.length ? [{ title: 'delete what hotstandby created', actions }] : [];
}

// The data directory a node had on its former host: as the state recorded it, else as configured.
function formerDataDir(rt: ClusterRuntime, former: FormerHost): string {
  return rt.state.nodes[former.node]?.dataDir ?? rt.node(former.node).dataDir;
}

// Refuse to delete a node's data directory on its former host while a server may still run from it there (the stop
// above stopped the node on its host of now).
async function refuseRunningOnFormerHost(rt: ClusterRuntime, former: FormerHost): Promise<void> {
  const dataDir = formerDataDir(rt, former);
  const pidFile = path.posix.join(dataDir, 'postmaster.pid');
  if (!(await former.machine.stat(pidFile))) return;
  throw new HotstandbyError(
    'DATA_DIR_CONFLICT',
    `${former.node} may still run on ${former.label} (${pidFile} is there), where it lived before the config moved it to ${former.now}`,
    {
      where: { node: former.node, host: former.label, file: pidFile },
      fix: `stop it first: put ${former.node}'s host back to ${former.label} in the config and run hotstandby down (or pg_ctl stop -D ${dataDir} there), then run down --purge again`,
    },
  );
}

function refuseDangerous(dir: string): void {
  const resolved = path.resolve(dir);
  if (resolved === '/' || resolved === os.homedir() || resolved.split(path.sep).filter(Boolean).length < 2) {
    throw new HotstandbyError('INTERNAL', `refusing to delete ${resolved}`, { fix: 'this is a bug in hotstandby; please report it' });
  }
}

// The directories to delete of those created on one machine (keep: ones still in use): each once, none inside another
// that goes, deepest first.
function outermostDirs(dirs: readonly string[], keep: readonly string[]): string[] {
  const going = [...new Set(dirs)].filter((dir) => !keep.includes(dir));
  return going.filter((dir) => !going.some((other) => other !== dir && isInside(dir, other))).sort((a, b) => b.length - a.length);
}
