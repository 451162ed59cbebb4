import path from 'node:path';
import type { Action } from '../executor/action.js';
import type { Executor } from '../executor/executor.js';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import { AUTO_CONF_HEADER, ConfFile } from '../postgres/conf-file.js';
import { plannedInsertion, unifiedDiff } from '../executor/planned-diff.js';
import { editSettingsFile, settingsFilePath } from '../postgres/settings-file.js';
import { findUnreachablePath } from '../postgres/os-user.js';
import { INITDB_FIXED_ARGS, initdbPasswordShown, initdbSyncArgs, type PgNode } from '../postgres/pg-node.js';
import { TemplateCache } from '../postgres/template-cache.js';
import { onWindows } from '../util/platform.js';
import { coldCopyAction } from './cold-copy.js';
import { coldCopyDir, localDataDirs } from './cold-copy-places.js';
import { nativeTreeCopyAvailable } from '../util/native-tree-copy.js';
import { createDataDir, plannedDataDirMethod } from './create-data-dir.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { nodeIdentitySettings } from './node-settings.js';
import { serverUserCannotReach } from '../errors/error-factories.js';
import { planNodeTlsMaterial } from '../tls/node-tls-material.js';
import { tlsPlanNotes } from '../tls/tls-decisions.js';

// What provisioning the primary will do.
export interface PrimaryProvisionPlan {
  actions: Action[];
  notes: string[];
  creates: boolean;
  // What creating the data directory reported (a template built or copied, a fallback to initdb), once applied.
  messages: string[];
}

// How the primary may be created.
export interface PrimaryProvisionOptions {
  // Copy the cached initdb template (default) or run initdb (--no-cache).
  templateCache?: boolean;
  // The standbys that would take a cold copy of a new primary (asked only when the primary is created here).
  coldCopyFor?: () => Promise<string[]>;
}

// Plan how the primary comes into being: initdb + identity and bootstrap settings + start for a new one;
// start (if stopped) for an existing one, whose files are left to the steps.
export async function planPrimaryProvision(
  rt: ClusterRuntime,
  bootstrap: Record<string, string>,
  executor: Executor,
  options: PrimaryProvisionOptions = {},
): Promise<PrimaryProvisionPlan> {
  const plan = await planProvision(rt, bootstrap, executor, options);
  // A primary that starts with the bootstrap settings' ssl on needs its TLS files on its host first.
  const start = plan.actions.findIndex((a) => a.kind === 'node' && a.op === 'start');
  if (start >= 0 && bootstrap.ssl === 'on') plan.actions.splice(start, 0, ...(await planNodeTlsMaterial(rt.spec, rt.primary, rt.nodes)));
  // Replication between hosts left unencrypted by the config is said in the plan.
  plan.notes.push(...tlsPlanNotes(rt.spec));
  await planColdCopy(rt, plan, options);
  return plan;
}

// A new primary on this machine whose standbys ask for it gets a cold copy, taken last before its first start (by
// GNU cp, where it is: elsewhere, Windows say, standbys keep the base backup).
async function planColdCopy(rt: ClusterRuntime, plan: PrimaryProvisionPlan, options: PrimaryProvisionOptions): Promise<void> {
  if (!plan.creates || rt.primary.machine.remote || !options.coldCopyFor || !(await nativeTreeCopyAvailable())) return;
  const standbys = await options.coldCopyFor();
  if (standbys.length === 0) return;
  const dirs = await Promise.all(standbys.map(async (s) => [s, await coldCopyDir(rt.layout.runDir, rt.primary.name, rt.node(s))] as const));
  const copy = { node: rt.primary.name, dirs: Object.fromEntries(dirs) };
  const start = plan.actions.findIndex((a) => a.kind === 'node' && a.op === 'start');
  if (start < 0) return;
  rt.coldCopy = copy;
  plan.actions.splice(
    start,
    0,
    coldCopyAction(rt.primary, copy, { runDir: rt.layout.runDir, standbyDataDirs: localDataDirs(rt.standbys), serverUser: rt.serverUser }, (m) => plan.messages.push(m)),
  );
}

// planPrimaryProvision without the TLS files.
async function planProvision(rt: ClusterRuntime, bootstrap: Record<string, string>, executor: Executor, options: PrimaryProvisionOptions): Promise<PrimaryProvisionPlan> {
  const node = rt.primary;
  const messages: string[] = [];
  const info = rt.primaryInfo;
  const notes: string[] = [];
  const actions: Action[] = [];
  if (info.kind === 'not-a-directory' || info.kind === 'not-a-cluster') {
    throw new HotstandbyError(
      'DATA_DIR_CONFLICT',
      `the primary's data directory ${node.dataDir} ${info.kind === 'not-a-directory' ? 'is a file' : 'is not empty and holds no PostgreSQL cluster'}`,
      {
        where: { node: node.name, key: 'primary.dataDir' },
        fix: 'point primary.dataDir at an existing cluster, an empty directory, or a path that does not exist yet',
      },
    );
  }
  if (info.kind === 'cluster') {
    if (rt.primaryAdopted) notes.push(`adopting the existing PostgreSQL ${rt.binaries.version} cluster in ${node.dataDir} (owner ${rt.serverUser.name})`);
    else {
      // A primary the tool made: its own settings, and while it is stopped (an earlier run was interrupted
      // after initdb, say) also the steps' bootstrap settings, which then need no restart.
      const running = await node.isRunning();
      const settings = { ...(await nodeIdentitySettings(rt, node)), ...(running ? {} : bootstrap) };
      const file = settingsFilePath(node.facts, node.dataDir);
      const current = (await node.machine.readFile(file))?.toString('utf8');
      const wanted = editSettingsFile(node.facts, current, settings);
      if (current !== wanted) {
        const before = new ConfFile(current ?? '').entries();
        const changed = Object.keys(settings).filter((k) => before.get(k) !== settings[k]);
        actions.push({ kind: 'write-file', node: node.name, path: file, content: wanted, owner: 'server', mode: 0o600, summary: `set ${changed.join(', ')} for ${node.name}` });
        if (running) actions.push({ kind: 'node', node: node.name, op: 'restart', reasons: changed, summary: `restart ${node.name}` });
      }
    }
    if (!(await node.isRunning())) actions.push({ kind: 'node', node: node.name, op: 'start', summary: `start ${node.name} on port ${node.port}` });
    return { actions, notes, creates: false, messages };
  }

  if (info.kind === 'absent') actions.push({ kind: 'mkdir', node: node.name, path: node.dataDir, owner: 'server', mode: 0o700, summary: `create ${node.dataDir}` });
  // Data checksums (on by default from 18) let pg_rewind work without wal_log_hints.
  const checksums = node.facts.dataChecksumsByDefault ? [] : ['--data-checksums'];
  // Not on Windows: the template's password is cleared in single-user mode, which postgres.exe refuses to an
  // administrator (only pg_ctl and initdb drop the administrator token), so it would cost an initdb for nothing.
  // Not on another host either: the cache is on this machine.
  if (node.machine.remote) return planRemotePrimaryCreation(rt, node, bootstrap, executor, { checksums, actions, notes, messages });
  const cache = options.templateCache === false || onWindows() ? undefined : new TemplateCache();
  const request = { binaries: rt.binaries, serverUser: rt.serverUser, superuser: { name: rt.spec.superuser.name, password: '' }, extraInitdbArgs: checksums, cache };
  const method = await plannedDataDirMethod(request);
  const initdbLine = `${rt.binaries.path('initdb')} -D ${node.dataDir} -U ${rt.spec.superuser.name} ${[...INITDB_FIXED_ARGS, ...checksums, ...initdbSyncArgs(node.facts, rt.spec.durable)].join(' ')} ${initdbPasswordShown(node.machine)}`;
  actions.push({
    kind: 'task',
    changes: true,
    summary:
      method.method === 'template' ? `create ${node.name} (PostgreSQL ${rt.binaries.version}) from the initdb template` : `initdb ${node.name} (PostgreSQL ${rt.binaries.version})`,
    details:
      method.method === 'template'
        ? [
            `copy into ${node.dataDir}: ${method.why}; then set the superuser password in single-user mode as ${rt.serverUser.name}${rt.spec.durable ? '' : ' (durable is false: the copy is not synced, the session runs with fsync off)'}`,
            `where the template cannot be used (and with --no-cache): run as ${rt.serverUser.name}: ${initdbLine}`,
          ]
        : [`run as ${rt.serverUser.name}: ${initdbLine} (${method.why})`],
    run: async (signal) => {
      const made = await createDataDir({
        ...request,
        dataDir: node.dataDir,
        superuser: { name: rt.spec.superuser.name, password: rt.passwords.superuser!.value },
        runDir: rt.layout.runDir,
        log: (m) => messages.push(m),
        signal,
        durable: rt.spec.durable,
      });
      if (made.method === 'template') messages.push(`copied the initdb template; system identifier ${made.systemIdentifier!.copy}`);
    },
  });
  const settings = { ...(await nodeIdentitySettings(rt, node)), ...bootstrap };
  actions.push({
    kind: 'task',
    changes: true,
    summary: `write ${node.name}'s settings to ${path.basename(settingsFilePath(node.facts, node.dataDir))}`,
    details: node.facts.autoConf
      ? unifiedDiff(
          settingsFilePath(node.facts, node.dataDir),
          AUTO_CONF_HEADER,
          editSettingsFile(node.facts, AUTO_CONF_HEADER, settings),
          `${settingsFilePath(node.facts, node.dataDir)} (as initdb writes it)`,
        )
      : plannedInsertion(settingsFilePath(node.facts, node.dataDir), 'as initdb writes it', 'at the end', editSettingsFile(node.facts, '', settings).trimEnd().split('\n')),
    run: () => writeNewPrimarySettings(node, settings, executor),
  });
  actions.push({ kind: 'node', node: node.name, op: 'start', summary: `start ${node.name} on port ${node.port}` });
  return { actions, notes, creates: true, messages };
}

// The settings file of a freshly made primary, with its identity and the steps' bootstrap settings (on its machine).
async function writeNewPrimarySettings(node: PgNode, settings: Record<string, string>, executor: Executor): Promise<void> {
  const file = settingsFilePath(node.facts, node.dataDir);
  const current = (await node.machine.readFile(file))?.toString('utf8');
  await executor.apply({
    kind: 'write-file',
    node: node.name,
    path: file,
    content: editSettingsFile(node.facts, current, settings),
    owner: 'server',
    mode: 0o600,
    summary: `write ${file}`,
  });
}

// A new primary on another host: initdb there (the template cache is on this machine), its settings, start.
async function planRemotePrimaryCreation(
  rt: ClusterRuntime,
  node: PgNode,
  bootstrap: Record<string, string>,
  executor: Executor,
  plan: { checksums: string[]; actions: Action[]; notes: string[]; messages: string[] },
): Promise<PrimaryProvisionPlan> {
  const { checksums, actions, notes, messages } = plan;
  const initdbLine = `${node.binaries.path('initdb')} -D ${node.dataDir} -U ${rt.spec.superuser.name} ${[...INITDB_FIXED_ARGS, ...checksums, ...initdbSyncArgs(node.facts, rt.spec.durable)].join(' ')} ${initdbPasswordShown(node.machine)}`;
  actions.push({
    kind: 'task',
    changes: true,
    summary: `initdb ${node.name} (PostgreSQL ${node.binaries.version}) on ${node.machine.label}`,
    details: [`run on ${node.machine.label} as ${node.osUser.name}: ${initdbLine} (the initdb template cache is on this machine)`],
    run: (signal) => node.initdb({ password: rt.passwords.superuser!.value, extraArgs: [...checksums, ...initdbSyncArgs(node.facts, rt.spec.durable)], signal }),
  });
  const settings = { ...(await nodeIdentitySettings(rt, node)), ...bootstrap };
  const file = settingsFilePath(node.facts, node.dataDir);
  actions.push({
    kind: 'task',
    changes: true,
    summary: `write ${node.name}'s settings to ${path.basename(file)} on ${node.machine.label}`,
    details: node.facts.autoConf
      ? unifiedDiff(file, AUTO_CONF_HEADER, editSettingsFile(node.facts, AUTO_CONF_HEADER, settings), `${file} (as initdb writes it)`)
      : plannedInsertion(file, 'as initdb writes it', 'at the end', editSettingsFile(node.facts, '', settings).trimEnd().split('\n')),
    run: () => writeNewPrimarySettings(node, settings, executor),
  });
  actions.push({ kind: 'node', node: node.name, op: 'start', summary: `start ${node.name} on port ${node.port} on ${node.machine.label}` });
  return { actions, notes, creates: true, messages };
}

// Check that a directory the server must use can be reached, naming the path that blocks it.
export async function checkServerCanReach(rt: ClusterRuntime, target: string, what: string): Promise<void> {
  const blocked = await findUnreachablePath(target, rt.serverUser, false);
  if (blocked) {
    throw serverUserCannotReach(rt.serverUser.name, blocked, what, target);
  }
}
