import path from 'node:path';
import { ConfFile, editSettingsFile, hostSeenFrom, plannedInsertion, quoteGucString, settingsFilePath, unifiedDiff, type Action, type StepContext } from '@hotstandby/core';
import { raisedFloorSettings } from './floor-settings.js';
import { planRecoveryConfMigration } from './recovery-conf-migration.js';
import { identitySettings, recoverySettings } from './standby-settings.js';

// The file edits that make a base backup a hot standby, by version: standby.signal plus settings in
// postgresql.auto.conf from 12; recovery.conf with standby_mode before 12. Returns the names of changed settings.
// From 12 a leftover recovery.conf is migrated (see recovery-conf-migration), a running standby's limits below
// its primary's are raised (see floor-settings), and the notes say so.
export async function planStandbyFiles(ctx: StepContext): Promise<{ actions: Action[]; changed: string[]; notes: string[] }> {
  const dir = ctx.node.dataDir;
  const actions: Action[] = [];
  const changed: string[] = [];
  const settingsPath = settingsFilePath(ctx.facts, dir);
  const machine = ctx.node.machine;
  const node = ctx.node.name;
  const readText = async (file: string) => (await machine.readFile(file).catch(() => undefined))?.toString('utf8');
  const current = await readText(settingsPath);
  const recovery = recoverySettings(ctx, await hostSeenFrom(ctx.upstream!, ctx.node));
  const identity = await identitySettings(ctx);
  const signalMode = ctx.facts.standbySetup === 'standby.signal';
  const migration = await planRecoveryConfMigration(ctx, Object.keys({ ...identity, ...recovery }), settingsPath);
  const floor = await raisedFloorSettings(ctx);
  const wantedSettings: Record<string, string> = signalMode ? { ...migration?.settings, ...floor.settings, ...identity, ...recovery } : { ...floor.settings, ...identity };
  const wanted = editSettingsFile(ctx.facts, current, wantedSettings);
  if (wanted !== current) {
    const before = new ConfFile(current ?? '').entries();
    for (const [k, v] of Object.entries(wantedSettings)) if (before.get(k) !== v) changed.push(k);
    actions.push({
      kind: 'write-file',
      path: settingsPath,
      node,
      content: wanted,
      owner: 'server',
      mode: 0o600,
      summary: `write ${ctx.node.name}'s settings to ${path.basename(settingsPath)}`,
    });
  }
  if (migration) {
    actions.push(...migration.actions);
    changed.push('recovery.conf');
  }
  if (signalMode) {
    const signal = path.join(dir, 'standby.signal');
    const exists = (await machine.readFile(signal).catch(() => undefined)) !== undefined;
    if (!exists) {
      actions.push({ kind: 'write-file', path: signal, node, content: '', owner: 'server', mode: 0o600, summary: `create ${signal}` });
      changed.push('standby.signal');
    }
  } else {
    const file = path.join(dir, 'recovery.conf');
    const current = await readText(file);
    const wanted = recoveryConf({ standby_mode: 'on', ...recovery });
    if (current !== wanted) {
      actions.push({ kind: 'write-file', path: file, node, content: wanted, owner: 'server', mode: 0o600, summary: `write ${file}` });
      changed.push('recovery.conf');
    }
  }
  return { actions, changed, notes: [migration?.note, floor.note].filter((n): n is string => n !== undefined) };
}

// recovery.conf for PostgreSQL before 12.
export function recoveryConf(settings: Record<string, string>): string {
  return ['# Written by hotstandby: this server is a hot standby.', ...Object.entries(settings).map(([k, v]) => `${k} = ${quoteGucString(v)}`), ''].join('\n');
}

// The files a standby that does not exist yet will get, as diffs for a dry run.
// upstreamHost: where the standby reaches its upstream (hostSeenFrom).
export async function describeStandbyFiles(ctx: StepContext, upstreamHost?: string): Promise<string[]> {
  const recovery = recoverySettings(ctx, upstreamHost);
  const identity = await identitySettings(ctx);
  const line = ([k, v]: [string, string]) => `${k} = ${quoteGucString(v)}`;
  const settingsFile = settingsFilePath(ctx.facts, ctx.node.dataDir);
  const fromBackup = 'copied by the base backup';
  if (ctx.facts.standbySetup === 'standby.signal') {
    return [
      ...plannedInsertion(settingsFile, fromBackup, 'at the end', Object.entries({ ...identity, ...recovery }).map(line)),
      ...unifiedDiff(path.join(ctx.node.dataDir, 'standby.signal'), undefined, ''),
      `(${path.join(ctx.node.dataDir, 'standby.signal')} is empty)`,
    ];
  }
  return [
    ...plannedInsertion(settingsFile, fromBackup, 'at the end', Object.entries(identity).map(line)),
    ...unifiedDiff(path.join(ctx.node.dataDir, 'recovery.conf'), undefined, recoveryConf({ standby_mode: 'on', ...recovery })),
  ];
}
