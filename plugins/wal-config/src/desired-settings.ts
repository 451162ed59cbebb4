import { ConfFile, escapePercent, HotstandbyError, onWindows, quoteShellArg, serverSidePath, TLS_SETTING_NAMES, tlsServerSettings, type StepContext } from '@hotstandby/core';
import { listenAddressesWith, primaryReachedAt } from './listen-addresses.js';

// A setting as the server reports it (pg_settings).
export interface CurrentSetting {
  name: string;
  setting: string;
  source: string;
  // pg_settings.context: "postmaster" settings take effect only at server start.
  context: string;
}

// One change wal-config wants.
export interface SettingChange {
  name: string;
  from: string | undefined;
  to: string;
  // Takes effect only at server start.
  restart: boolean;
  // Wanted but not required: applied only when the server restarts anyway (wal_log_hints).
  optional?: boolean;
}

// The settings whose current values wal-config reads.
export const WATCHED = [
  'synchronous_standby_names',
  'wal_level',
  'max_wal_senders',
  'max_replication_slots',
  'wal_keep_size',
  'wal_keep_segments',
  'wal_segment_size',
  'max_slot_wal_keep_size',
  'archive_mode',
  'archive_command',
  'archive_library',
  'wal_log_hints',
  'data_checksums',
  'listen_addresses',
  ...TLS_SETTING_NAMES,
] as const;

// The archive_command that copies a finished WAL segment into the archive without overwriting one already there.
// On Windows the server runs it with cmd.exe: the same refusal to overwrite, with copy.
export function archiveCommand(dir: string, platform: NodeJS.Platform = process.platform): string {
  if (onWindows(platform)) {
    const target = `"${escapePercent(dir)}\\%f"`;
    return `if exist ${target} (exit 1) else copy /Y "%p" ${target} >NUL`;
  }
  const target = escapePercent(quoteShellArg(dir));
  return `test ! -f ${target}/%f && cp %p ${target}/%f`;
}

// What must change so the primary can feed the configured standbys: WAL level, senders, slots, retention, archive.
// Counts and sizes are raised, never lowered; values the user set higher stay.
// Whether a change needs a restart comes from the server itself (pg_settings.context); unknown counts as restart.
export async function desiredChanges(ctx: StepContext, current: ReadonlyMap<string, string>, contexts: ReadonlyMap<string, string> = new Map()): Promise<SettingChange[]> {
  const facts = ctx.facts;
  const standbys = ctx.spec.standbys.length;
  const changes: SettingChange[] = [];
  const num = (name: string) => Number(current.get(name) ?? '0');
  const want = (name: string, to: string, optional = false) => {
    const restart = (contexts.get(name) ?? 'postmaster') === 'postmaster';
    if (current.get(name) !== to) changes.push({ name, from: current.get(name), to, restart, optional });
  };

  const level = current.get('wal_level');
  if (level !== 'logical' && level !== facts.walLevelReplica && !(level === 'replica' && facts.walLevelReplica === 'hot_standby')) {
    want('wal_level', facts.walLevelReplica);
  }
  // Each node serves its own direct standbys (cascaded ones are served by their upstream, which inherits these
  // settings), plus two connections for a streaming pg_basebackup.
  const senders = Math.max(10, mostDirectStandbys(ctx) + 2);
  if (num('max_wal_senders') < senders) want('max_wal_senders', String(senders));
  if (facts.slots) {
    const slots = Math.max(10, standbys + 2);
    if (num('max_replication_slots') < slots) want('max_replication_slots', String(slots));
  }
  const keepMb = ctx.spec.wal.keepSizeMb;
  if (facts.walKeep.param === 'wal_keep_size') {
    if (num('wal_keep_size') < keepMb) want('wal_keep_size', String(keepMb));
  } else {
    const segmentMb = Math.max(1, Math.round(num('wal_segment_size') / (1024 * 1024)) || 16);
    const segments = Math.ceil(keepMb / segmentMb);
    if (num('wal_keep_segments') < segments) want('wal_keep_segments', String(segments));
  }
  if (ctx.spec.wal.maxSlotKeepSizeMb !== undefined && facts.walKeep.param === 'wal_keep_size') {
    want('max_slot_wal_keep_size', String(ctx.spec.wal.maxSlotKeepSizeMb));
  }
  if (ctx.spec.archive) {
    const mode = current.get('archive_mode');
    if (mode !== 'on' && mode !== 'always') want('archive_mode', 'on');
    want('archive_command', archiveCommand(serverSidePath(ctx.spec.archive.dir, ctx.primary.dataDir)));
  }
  // Nodes on other machines reach the primary at its host (or, on this machine, at the address their host sees this
  // machine at): it must listen there too.
  const listen = listenAddressesWith(current.get('listen_addresses'), await primaryReachedAt(ctx));
  if (listen !== undefined) want('listen_addresses', listen);
  // Standbys on other machines replicate over TLS: ssl on with the primary's own certificate (a reload from 10).
  for (const [name, value] of Object.entries(tlsServerSettings(ctx.spec, ctx.primary.name))) want(name, value);
  const sync = synchronousStandbyNames(ctx);
  if (sync !== undefined) want('synchronous_standby_names', sync);
  if (ctx.spec.wal.logHints && current.get('data_checksums') !== 'on' && current.get('wal_log_hints') !== 'on') {
    want('wal_log_hints', 'on', true);
  }
  return changes;
}

// What a freshly initialised cluster reports for the watched settings (for planning before it exists).
export function freshClusterSettings(ctx: StepContext): Map<string, string> {
  const d = ctx.facts.defaults;
  return new Map<string, string>([
    ['synchronous_standby_names', ''],
    ['wal_level', d.walLevel],
    ['max_wal_senders', String(d.maxWalSenders)],
    ['max_replication_slots', String(d.maxReplicationSlots)],
    [ctx.facts.walKeep.param, '0'],
    ['wal_segment_size', String(16 * 1024 * 1024)],
    ['max_slot_wal_keep_size', '-1'],
    ['archive_mode', 'off'],
    ['archive_command', ''],
    ['wal_log_hints', 'off'],
    // hotstandby initialises new clusters with data checksums, which pg_rewind accepts instead of wal_log_hints.
    ['data_checksums', 'on'],
    // What core gives every node it creates (loopback only).
    ['listen_addresses', '127.0.0.1'],
  ]);
}

// synchronous_standby_names for the standbys marked synchronous, in the syntax of the major: FIRST n (...) or
// ANY n (...) from 10, n (...) in 9.6, a plain list before. Undefined when no standby is synchronous.
export function synchronousStandbyNames(ctx: StepContext): string | undefined {
  const names = ctx.spec.standbys.filter((s) => s.synchronous).map((s) => `"${s.name}"`);
  if (names.length === 0) return undefined;
  const { method, count } = ctx.spec.replication.synchronous;
  const list = names.join(', ');
  switch (ctx.facts.syncStandbyNames) {
    case 'first-any':
      return `${method} ${count} (${list})`;
    case 'priority':
      if (method === 'ANY')
        throw new HotstandbyError('UNSUPPORTED_VERSION', `PostgreSQL ${ctx.facts.label} has no quorum (ANY) synchronous replication`, {
          where: { key: 'replication.synchronous.method' },
          fix: 'use method "FIRST"',
        });
      return `${count} (${list})`;
    case 'list':
      if (count !== 1 || method === 'ANY')
        throw new HotstandbyError('UNSUPPORTED_VERSION', `PostgreSQL ${ctx.facts.label} waits for exactly one synchronous standby`, {
          where: { key: 'replication.synchronous' },
          fix: 'use method "FIRST" with count 1',
        });
      return list;
  }
}

// True when the settings file still lists synchronous standbys hotstandby wrote, but none is synchronous now.
// Only a value of quoted node names of this cluster counts as hotstandby's; a user's own value is left alone.
export function staleSynchronousNames(ctx: StepContext, settingsFile: string | undefined): boolean {
  if (synchronousStandbyNames(ctx) !== undefined || !settingsFile) return false;
  const value = new ConfFile(settingsFile).get('synchronous_standby_names');
  if (!value) return false;
  const names = [...value.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
  const known = new Set([ctx.spec.primary.name, ...ctx.spec.standbys.map((s) => s.name)]);
  return names.length > 0 && names.every((n) => known.has(n) || ctx.state.node(n) !== undefined);
}

// The most standbys any one node streams to.
function mostDirectStandbys(ctx: StepContext): number {
  const counts = new Map<string, number>();
  for (const s of ctx.spec.standbys) counts.set(s.upstream ?? ctx.spec.primary.name, (counts.get(s.upstream ?? ctx.spec.primary.name) ?? 0) + 1);
  return Math.max(0, ...counts.values());
}
