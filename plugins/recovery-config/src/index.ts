import path from 'node:path';
import {
  definePlugin,
  hostSeenFrom,
  HotstandbyError,
  inspectDataDir,
  lastRanInRecovery,
  planNodeTlsMaterial,
  readControlFacts,
  tlsFiles,
  TLS_SETTING_NAMES,
  z,
  type Action,
  type NodeAction,
  type StepContext,
} from '@hotstandby/core';
import { describeStandbyFiles, planStandbyFiles } from './standby-files.js';

const options = z.strictObject({
  startTimeoutSeconds: z.int().min(5).max(3600).default(120),
});
type Options = z.infer<typeof options>;

// What apply runs, by name: the standby's files, then how the server comes to use them (start, restart or reload;
// absent when it runs with them already).
interface RecoveryParts {
  files: Action[];
  server?: NodeAction;
}

// What the changed list names when the standby's TLS files change (its server reads them again like its ssl settings).
const TLS_FILES_CHANGED = 'its TLS files';

// Settings a running standby picks up on reload; everything else needs a restart.
function reloadable(ctx: StepContext, name: string): boolean {
  const c = ctx.facts.context;
  const contexts: Record<string, string> = {
    primary_conninfo: c.primaryConninfo,
    primary_slot_name: c.primarySlotName,
    restore_command: c.restoreCommand,
    recovery_min_apply_delay: c.recoveryMinApplyDelay,
    synchronous_standby_names: c.synchronousStandbyNames,
    ...Object.fromEntries(TLS_SETTING_NAMES.map((tls) => [tls, c.ssl])),
    [TLS_FILES_CHANGED]: c.ssl,
  };
  return contexts[name] === 'sighup';
}

// What a person following the plan looks at afterwards, and does when the standby does not come up.
function byHand(ctx: StepContext): { check: string; ifFails: string } {
  return {
    check: `SELECT status FROM pg_stat_wal_receiver on ${ctx.node.name} (port ${ctx.node.port}) returns streaming; hotstandby status shows it`,
    ifFails: `read ${ctx.paths.logFile(ctx.node.name)}, put right what it says, then run hotstandby up again (it continues where it stopped)`,
  };
}

// Refuse to start a copy that was not made by a base backup (no backup_label and never configured as a standby):
// it would start from the copied checkpoint and could be silently inconsistent. A standby the state records whose
// marker file was deleted, and which has run only in recovery since (pg_control says so), gets it back: the
// returned note says so.
async function checkStartable(ctx: StepContext): Promise<string | undefined> {
  const dir = ctx.node.dataDir;
  const machine = ctx.node.machine;
  const info = await inspectDataDir(dir, machine);
  if (info.kind !== 'cluster') return undefined;
  if (await ctx.node.isRunning()) {
    // A standby that left recovery (promoted by hand, its standby.signal removed) may hold writes the primary
    // does not have: making it a standby again would silently throw them away or fail to replay.
    const inRecovery = await ctx.node.isInRecovery().catch(() => true);
    if (!inRecovery) {
      throw new HotstandbyError(
        'SPLIT_BRAIN_GUARD',
        `${ctx.node.name} runs as a primary (it is not in recovery): it may hold writes ${ctx.upstream?.name ?? 'its upstream'} does not have`,
        {
          where: { node: ctx.node.name },
          fix: `keep what was written there first if you need it, then hotstandby rebuild ${ctx.node.name} (a new base backup, discarding its data)`,
        },
      );
    }
    return undefined;
  }
  // A former primary an earlier step of a failover's plan marks as a standby (previewed before it ran) counts as one.
  if (info.standbyMarker || (await machine.stat(path.join(dir, 'backup_label'))) !== undefined || ctx.plannedWrite?.(path.join(dir, ctx.facts.standbySetup))) return undefined;
  const recorded = ctx.state.node(ctx.node.name);
  if (recorded?.role === 'standby' && recorded.initializedByTool && lastRanInRecovery(await readControlFacts(dir, machine))) {
    const marker = ctx.facts.standbySetup;
    return `${ctx.node.name} is a standby but its ${marker} was missing: it is written again, so it starts as a standby, not as a second primary`;
  }
  throw new HotstandbyError(
    'DATA_DIR_CONFLICT',
    `${dir} holds a copy of a cluster with no backup_label and no standby configuration; starting it as a standby could silently corrupt it`,
    {
      where: { node: ctx.node.name },
      fix: `hotstandby rebuild ${ctx.node.name} takes a fresh base backup in its place (if hotstandby made that directory; otherwise move it away and run up)`,
    },
  );
}

// How the standby comes to run with its files: started when it is not running, restarted or reloaded when a
// setting changed (restarted when one of them is read only at server start), nothing otherwise.
async function planServer(ctx: StepContext, changed: readonly string[]): Promise<NodeAction | undefined> {
  if (!(await ctx.node.isRunning())) return { kind: 'node', node: ctx.node.name, op: 'start', summary: `start ${ctx.node.name} on port ${ctx.node.port}` };
  if (changed.length === 0) return undefined;
  const restart = changed.filter((name) => !reloadable(ctx, name));
  return restart.length > 0
    ? { kind: 'node', node: ctx.node.name, op: 'restart', reasons: restart, summary: `restart ${ctx.node.name} for ${restart.join(', ')}` }
    : { kind: 'node', node: ctx.node.name, op: 'reload', summary: `reload ${ctx.node.name}` };
}

// Step 5 of the recipe: make the copy a hot standby: its own port and name, hot_standby, the recovery settings
// (primary_conninfo with a passfile, slot, restore_command, latest timeline) and standby.signal or recovery.conf;
// then start it, or reload/restart it when a setting changed.
export default definePlugin<Options, RecoveryParts>({
  name: 'recovery-config',
  description: "Write the standby's port, hot_standby, primary_conninfo, slot and restore_command; start it.",
  scope: 'standby',
  options,
  async preflight(ctx) {
    if (!ctx.isPlanned(ctx.node)) await checkStartable(ctx);
  },
  async plan(ctx) {
    if (ctx.isPlanned(ctx.node)) {
      const server: NodeAction = { kind: 'node', node: ctx.node.name, op: 'start', summary: `start ${ctx.node.name} on port ${ctx.node.port}` };
      const tls = await planNodeTlsMaterial(ctx.spec, ctx.node, [ctx.primary, ...ctx.standbys]);
      return {
        ...byHand(ctx),
        actions: [...tls, server],
        described: [
          {
            changes: true,
            summary: `make the base backup a hot standby (${ctx.facts.standbySetup === 'standby.signal' ? 'standby.signal + postgresql.auto.conf' : 'recovery.conf + postgresql.auto.conf'})`,
            details: await describeStandbyFiles(ctx, await hostSeenFrom(ctx.upstream!, ctx.node)),
          },
        ],
        parts: { files: [], server },
      };
    }
    const note = await checkStartable(ctx);
    if (note) ctx.log.warn(note);
    // Its TLS files first: the server must find them when it starts or reloads with ssl on.
    const tls = await planNodeTlsMaterial(ctx.spec, ctx.node, [ctx.primary, ...ctx.standbys]);
    const files = await planStandbyFiles(ctx);
    const ownTls = tlsFiles(ctx.node.dataDir).dir;
    const changed = tls.some((a) => a.kind === 'write-file' && path.dirname(a.path) === ownTls) ? [...files.changed, TLS_FILES_CHANGED] : files.changed;
    const server = await planServer(ctx, changed);
    const written = [...tls, ...files.actions];
    return { ...byHand(ctx), actions: server ? [...written, server] : written, notes: files.notes, parts: { files: written, server } };
  },
  async apply(ctx, plan) {
    const { files = [], server } = plan.parts ?? {};
    await ctx.run(files);
    if (!server) return { summary: 'already in place' };
    if (server.op === 'reload') await ctx.run([server]);
    else {
      if (server.op === 'restart') await ctx.node.stop('fast');
      await ctx.node.start({ timeoutSec: ctx.options.startTimeoutSeconds });
    }
    return { summary: server.op === 'start' ? `running on port ${ctx.node.port}` : `settings changed; ${server.op}ed` };
  },
});
