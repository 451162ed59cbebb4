import path from 'node:path';
import {
  checkFileWritable,
  definePlugin,
  editSettingsFile,
  HotstandbyError,
  planNodeTlsMaterial,
  restartRequired,
  settingsFilePath,
  tlsFiles,
  z,
  type Action,
  type MakeDirAction,
  type NodeAction,
  type StepContext,
  type WriteFileAction,
} from '@hotstandby/core';
import { desiredChanges, freshClusterSettings, staleSynchronousNames, type SettingChange } from './desired-settings.js';
import { checkConfigFiles, pendingRestartSettings, readSettings, refuseCommandLine } from './read-settings.js';

const options = z.strictObject({});

interface WalPlan {
  changes: SettingChange[];
  skipped: SettingChange[];
  restart: boolean;
  // The user's own settings already waiting for a restart; a restart the plan makes applies them too.
  pending: string[];
}

// What apply runs, by name, in its own order: the archive directory and the primary's TLS files first, then the
// settings file between two checks of the configuration files, then the restart (or reload) that makes the server
// read it.
interface WalParts {
  archiveDir?: MakeDirAction;
  tls?: Action[];
  write?: WriteFileAction;
  restart?: NodeAction;
  reload?: NodeAction;
}

// Decide the changes: optional restart-only settings ride along only when a restart happens anyway.
async function planChanges(ctx: StepContext): Promise<WalPlan> {
  // A primary that does not exist yet gets these settings from bootstrapSettings before its first start
  // (all but synchronous_standby_names, which is set once it runs).
  if (ctx.isPlanned(ctx.primary)) {
    return { changes: (await desiredChanges(ctx, freshClusterSettings(ctx))).filter((c) => c.name === 'synchronous_standby_names'), skipped: [], restart: false, pending: [] };
  }
  const settings = await readSettings(ctx);
  const current = new Map([...settings].map(([k, v]) => [k, v.setting]));
  const contexts = new Map([...settings].map(([k, v]) => [k, v.context]));
  const all = await desiredChanges(ctx, current, contexts);
  refuseCommandLine(
    ctx,
    settings,
    all.map((c) => c.name),
  );
  if (ctx.spec.archive && ctx.facts.archiveLibrary && (current.get('archive_library') ?? '') !== '') {
    throw new HotstandbyError(
      'SETTING_OVERRIDDEN',
      `${ctx.primary.name} archives through archive_library = '${current.get('archive_library')}'; hotstandby's archive uses archive_command, and PostgreSQL 16+ refuses both`,
      {
        where: { node: ctx.primary.name, key: 'archive' },
        fix: 'remove "archive" from the config to keep your archiving, or unset archive_library',
      },
    );
  }
  // A change to make while the user's own settings wait for a restart: the tool checks the server runs with what
  // its files say, so the restart that applies them is part of the plan.
  const pending = all.length > 0 ? await pendingRestartSettings(ctx) : [];
  const restartNeeded = all.some((c) => !c.optional && c.restart) || pending.length > 0;
  const changes = all.filter((c) => !c.optional || restartNeeded);
  const skipped = all.filter((c) => !changes.includes(c));
  return { changes, skipped, restart: changes.some((c) => c.restart) || pending.length > 0, pending };
}

// Why the primary restarts: the settings wal-config changes, and the user's own settings pending a restart.
function restartReasons(plan: WalPlan): string[] {
  return [...new Set([...plan.changes.filter((c) => c.restart).map((c) => c.name), ...plan.pending])];
}

// The file wal-config writes its settings into (postgresql.auto.conf, or postgresql.conf before it existed).
async function settingsFile(ctx: StepContext): Promise<string> {
  const configFile = await ctx.primary.settingPath('config_file');
  return settingsFilePath(ctx.facts, ctx.primary.dataDir, configFile);
}

function describe(c: SettingChange): string {
  return `${c.name} (${c.from === undefined || c.from === '' ? 'unset' : c.from} → ${c.to})`;
}

// Step 3 of the recipe: wal_level, max_wal_senders, replication slots, WAL retention and (optionally) archiving,
// written to postgresql.auto.conf so the user's postgresql.conf stays untouched.
export default definePlugin<z.infer<typeof options>, WalParts>({
  name: 'wal-config',
  description: 'Set wal_level, max_wal_senders, max_replication_slots, WAL retention and archiving on the primary.',
  scope: 'primary',
  options,
  // Everything but synchronous_standby_names, which would make the primary's own commits (creating the role)
  // wait for standbys that do not exist yet; it is set by the plan once the primary runs.
  async bootstrapSettings(ctx) {
    return Object.fromEntries((await desiredChanges(ctx, freshClusterSettings(ctx))).filter((c) => c.name !== 'synchronous_standby_names').map((c) => [c.name, c.to]));
  },
  async preflight(ctx) {
    if (ctx.isPlanned(ctx.primary) || !(await ctx.primary.isRunning())) return;
    const plan = await planChanges(ctx);
    if (plan.changes.length > 0) {
      await checkConfigFiles(ctx, plan.pending);
      // A file on another host is checked by the atomic write there (it changes nothing when it fails).
      if (!ctx.primary.machine.remote) await checkFileWritable(await settingsFile(ctx), `${ctx.primary.name}'s settings file`, { node: ctx.primary.name, step: 'wal-config' });
    }
    if (plan.restart && !ctx.allowRestart && !ctx.dryRun) {
      const needs = plan.changes.filter((c) => c.restart).map(describe);
      const pending =
        plan.pending.length > 0
          ? `a restart is pending for ${plan.pending.join(', ')} (changed in its configuration files, not applied yet), and hotstandby's changes (${plan.changes.map((c) => c.name).join(', ')}) are checked only once the server runs with its files`
          : undefined;
      throw restartRequired(ctx.primary.name, needs, {
        step: 'wal-config',
        pending,
        fix: `run again with --allow-restart (or ${plan.pending.length ? 'restart it yourself first' : 'make these changes yourself and restart when it suits you'})`,
      });
    }
  },
  async plan(ctx) {
    const plan = await planChanges(ctx);
    const parts: WalParts = {};
    const notes = plan.skipped.map((c) => `${describe(c)} not applied: it needs a restart; without it a former primary can only rejoin by a new base backup`);
    // The archive is written by the primary's archive_command, so it lives on the primary's machine.
    if (ctx.spec.archive && !(await ctx.primary.machine.stat(ctx.spec.archive.dir))) {
      parts.archiveDir = {
        kind: 'mkdir',
        path: ctx.spec.archive.dir,
        node: ctx.primary.name,
        owner: 'server',
        mode: 0o700,
        summary: `create the WAL archive ${ctx.spec.archive.dir}`,
      };
    }
    if (ctx.isPlanned(ctx.primary)) {
      const described = plan.changes.map((c) => ({ changes: true, summary: `once ${ctx.primary.name} runs: ${c.name} = '${c.to}' (reload)` }));
      return { actions: planActions(parts), notes, described, parts };
    }
    // Its TLS files, before the settings that name them are read.
    const tls = await planNodeTlsMaterial(ctx.spec, ctx.primary, [ctx.primary, ...ctx.standbys]);
    if (tls.length > 0) parts.tls = tls;
    const file = await settingsFile(ctx);
    const current = (await ctx.primary.machine.readFile(file).catch(() => undefined))?.toString('utf8');
    const edits: Record<string, string | undefined> = Object.fromEntries(plan.changes.map((c) => [c.name, c.to]));
    if (staleSynchronousNames(ctx, current)) edits.synchronous_standby_names = undefined;
    const names = Object.keys(edits);
    if (names.length > 0) {
      parts.write = {
        kind: 'write-file',
        path: file,
        node: ctx.primary.name,
        content: editSettingsFile(ctx.facts, current, edits),
        owner: 'server',
        mode: 0o600,
        summary: `${plan.changes.length ? `set ${plan.changes.map((c) => c.name).join(', ')}` : 'remove synchronous_standby_names (no standby is synchronous any more)'}`,
      };
      const reasons = restartReasons(plan);
      if (plan.restart) {
        if (!ctx.allowRestart) notes.push(`needs --allow-restart: ${reasons.join(', ')} take effect only at server start`);
        parts.restart = { kind: 'node', node: ctx.primary.name, op: 'restart', reasons, summary: `restart ${ctx.primary.name} for ${reasons.join(', ')}` };
      } else if (await ctx.primary.isRunning()) {
        parts.reload = { kind: 'node', node: ctx.primary.name, op: 'reload', summary: `reload ${ctx.primary.name}` };
      }
    } else if (tls.some((a) => a.kind === 'write-file' && path.dirname(a.path) === tlsFiles(ctx.primary.dataDir).dir) && (await ctx.primary.isRunning())) {
      // A new certificate or key (a new address to name, say) is read again on reload.
      parts.reload = { kind: 'node', node: ctx.primary.name, op: 'reload', summary: `reload ${ctx.primary.name} for its new TLS files` };
    }
    return { actions: planActions(parts), notes, parts };
  },
  async apply(ctx, plan) {
    const { archiveDir, tls, write, restart, reload } = plan.parts ?? {};
    if (restart && !ctx.allowRestart) {
      throw restartRequired(ctx.primary.name, restart.reasons ?? [], { step: 'wal-config' });
    }
    if (archiveDir) await ctx.run([archiveDir]);
    if (tls) await ctx.run(tls);
    if (!write) {
      if (reload) await ctx.run([reload]);
      return { summary: tls ? `TLS files written${reload ? '; reloaded' : ''}` : 'already in place' };
    }
    await checkConfigFiles(ctx, restart?.reasons ?? []);
    await ctx.run([write]);
    await checkConfigFiles(ctx, restart?.reasons ?? []);
    const serverReads = restart ?? reload;
    if (serverReads) await ctx.run([serverReads]);
    const after = await readSettings(ctx);
    const wrong = (await desiredChanges(ctx, new Map([...after].map(([k, v]) => [k, v.setting])), new Map([...after].map(([k, v]) => [k, v.context])))).filter(
      (c) => !c.optional || restart !== undefined,
    );
    const pending = await ctx.primary.query<{ name: string }>('SELECT name FROM pg_settings WHERE pending_restart');
    if (wrong.length > 0 || pending.length > 0) {
      throw new HotstandbyError(
        'RESTART_REQUIRED',
        `${ctx.primary.name} does not run with the new settings yet: ${[...wrong.map(describe), ...pending.map((p) => `${p.name} (restart pending)`)].join(', ')}`,
        {
          where: { node: ctx.primary.name, step: 'wal-config' },
          fix: 'run again with --allow-restart',
        },
      );
    }
    return { summary: `${write.summary}; ${restart ? 'restarted' : 'reloaded'}` };
  },
});

// The plan's actions, in the order apply runs them (what --dry-run prints and core counts as changes).
function planActions(parts: WalParts): Action[] {
  const ordered: (Action | undefined)[] = [parts.archiveDir, ...(parts.tls ?? []), parts.write, parts.restart, parts.reload];
  return ordered.filter((a) => a !== undefined);
}
