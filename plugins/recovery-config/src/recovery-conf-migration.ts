import path from 'node:path';
import { ConfFile, type Action, type StepContext } from '@hotstandby/core';

// What migrating a leftover recovery.conf takes: the settings carried into the settings file, the actions that
// keep the file aside and take it away, and a note saying so.
export interface RecoveryConfMigration {
  settings: Record<string, string>;
  actions: Action[];
  note: string;
}

// PostgreSQL 12+ refuses to start with a recovery.conf in the data directory (one left from an older major, or
// written by hand). Its settings move into the tool's settings file (the tool's own recovery settings win, and
// what 12+ no longer knows is dropped: standby.signal replaces standby_mode), and the file is kept aside as a
// backup beside it. Undefined when there is nothing to migrate.
export async function planRecoveryConfMigration(ctx: StepContext, ownSettings: readonly string[], settingsFile: string): Promise<RecoveryConfMigration | undefined> {
  if (ctx.facts.standbySetup !== 'standby.signal') return undefined;
  const file = path.join(ctx.node.dataDir, 'recovery.conf');
  const content = (await ctx.node.machine.readFile(file).catch(() => undefined))?.toString('utf8');
  if (content === undefined) return undefined;
  const settings: Record<string, string> = {};
  const dropped: string[] = [];
  const replaced: string[] = [];
  for (const [name, value] of new ConfFile(content).entries()) {
    if (name === 'trigger_file' && ctx.facts.promoteTriggerParam === 'promote_trigger_file') settings.promote_trigger_file = value;
    else if (name === 'standby_mode' || ctx.facts.removedParams.includes(name)) dropped.push(name);
    else if (ownSettings.includes(name)) replaced.push(name);
    else settings[name] = value;
  }
  const aside = `${file}.hotstandby-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const parts = [
    Object.keys(settings).length ? `moved ${Object.keys(settings).join(', ')} into ${path.basename(settingsFile)}` : undefined,
    replaced.length ? `${replaced.join(', ')} replaced by hotstandby's own` : undefined,
    dropped.length
      ? `dropped ${dropped.join(', ')} (PostgreSQL ${ctx.facts.label} no longer has ${dropped.length === 1 ? 'it' : 'them'}; standby.signal makes it a standby)`
      : undefined,
  ].filter(Boolean);
  return {
    settings,
    actions: [
      { kind: 'write-file', path: aside, node: ctx.node.name, content, owner: 'server', mode: 0o600, summary: `keep ${ctx.node.name}'s leftover recovery.conf as ${aside}` },
      { kind: 'remove-file', path: file, node: ctx.node.name, summary: `remove ${file}, which PostgreSQL ${ctx.facts.label} refuses to start with` },
    ],
    note: `${ctx.node.name} had a leftover ${file}, which PostgreSQL ${ctx.facts.label} refuses to start with: migrated it (${parts.join('; ') || 'it set nothing'}); the file is kept as ${aside}`,
  };
}
