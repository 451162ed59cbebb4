import { describe, expect, it } from 'vitest';
import { NEWEST_KNOWN_MAJOR, OLDEST_KNOWN_MAJOR, isKnownMajor, knownMajors, majorLabel, parseMajor, versionFacts, walKeepSegmentsToMb } from '../../src/postgres/versions.js';

describe('parseMajor', () => {
  it.each([
    ['9.6.24', 90600],
    ['9.3', 90300],
    ['9.5.25', 90500],
    ['10.23', 100000],
    ['15.18 (Debian 15.18-0+deb12u1)', 150000],
    ['18', 180000],
    ['18.4', 180000],
    ['17beta1', 170000],
    ['PostgreSQL 17.4 on x86_64-pc-linux-gnu, compiled by gcc', 170000],
  ])('reads the major of the version string %j', (text, major) => {
    expect(parseMajor(text)).toBe(major);
  });

  it.each([
    [90324, 90300],
    [90600, 90600],
    [100023, 100000],
    [110022, 110000],
    [180004, 180000],
  ])('reads the major of server_version_num %d', (num, major) => {
    expect(parseMajor(num)).toBe(major);
  });

  it.each([
    ['90324', 90300],
    ['100023', 100000],
    ['180004', 180000],
  ])('reads server_version_num given as text %j (SHOW returns text)', (num, major) => {
    expect(parseMajor(num)).toBe(major);
  });

  it('refuses text without a version', () => {
    expect(() => parseMajor('unknown')).toThrow(/cannot read a PostgreSQL version from "unknown"/);
  });
});

describe('majorLabel', () => {
  it.each([
    [90300, '9.3'],
    [90600, '9.6'],
    [100000, '10'],
    [150000, '15'],
    [180000, '18'],
  ])('labels %d as %s', (num, label) => {
    expect(majorLabel(num)).toBe(label);
  });

  it('round-trips with parseMajor for every known major', () => {
    for (const major of knownMajors()) expect(parseMajor(majorLabel(major))).toBe(major);
  });
});

describe('known majors', () => {
  it('are 9.3 to 18, oldest first', () => {
    expect(knownMajors()).toEqual([90300, 90400, 90500, 90600, 100000, 110000, 120000, 130000, 140000, 150000, 160000, 170000, 180000]);
    expect(knownMajors()[0]).toBe(OLDEST_KNOWN_MAJOR);
    expect(knownMajors().at(-1)).toBe(NEWEST_KNOWN_MAJOR);
  });

  it.each([90200, 90700, 95000, 190000, 80400, 0])('refuse facts for unknown major %d', (num) => {
    expect(isKnownMajor(num)).toBe(false);
    expect(() => versionFacts(num)).toThrow(/not supported \(hotstandby knows 9\.3 to 18\)/);
  });

  it('refuse facts for unknown version strings', () => {
    expect(() => versionFacts('9.2.24')).toThrow(/PostgreSQL 9\.2 is not supported/);
    expect(() => versionFacts('19')).toThrow(/PostgreSQL 19 is not supported/);
  });

  it('accept a version string as well as a number', () => {
    expect(versionFacts('15.18 (Debian 15.18-0+deb12u1)')).toEqual(versionFacts(150000));
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Golden table: every fact for every known major, one row per fact, one column per major. The values are written
// out here by hand (not computed from versions.ts), so a changed fact anywhere shows up as a diff, and a new fact
// without a row here fails the completeness check.
// ---------------------------------------------------------------------------------------------------------------

const MAJORS = ['9.3', '9.4', '9.5', '9.6', '10', '11', '12', '13', '14', '15', '16', '17', '18'] as const;
const T = true;
const F = false;
//                     9.3 9.4 9.5 9.6 10  11  12  13  14  15  16  17  18
const BEFORE_10 = /**/ [T, T, T, T, F, F, F, F, F, F, F, F, F];
const FROM_10 = BEFORE_10.map((b) => !b);

const xlogOrWal = (xlog: string, wal: string) => BEFORE_10.map((b) => (b ? xlog : wal));
const repeat = <V>(v: V) => MAJORS.map(() => v);

const EXCLUSIVE = {
  mode: 'exclusive',
  startSql: 'SELECT pg_start_backup($1, true)',
  stopSql: 'SELECT pg_stop_backup()::text AS lsn, NULL::text AS labelfile, NULL::text AS spcmapfile',
};
const NONEXCL_96 = {
  mode: 'non-exclusive',
  startSql: 'SELECT pg_start_backup($1, true, false)',
  stopSql: 'SELECT lsn::text AS lsn, labelfile, spcmapfile FROM pg_stop_backup(false)',
};
const NONEXCL_10 = {
  mode: 'non-exclusive',
  startSql: 'SELECT pg_start_backup($1, true, false)',
  // From 10 the stop call does not wait for archiving (wait_for_archive => false), so a broken archive cannot hang it.
  stopSql: 'SELECT lsn::text AS lsn, labelfile, spcmapfile FROM pg_stop_backup(false, false)',
};
const NONEXCL_15 = {
  mode: 'non-exclusive',
  startSql: 'SELECT pg_backup_start($1, true)',
  stopSql: 'SELECT lsn::text AS lsn, labelfile, spcmapfile FROM pg_backup_stop(false)',
};
const B = [EXCLUSIVE, EXCLUSIVE, EXCLUSIVE, NONEXCL_96, NONEXCL_10, NONEXCL_10, NONEXCL_10, NONEXCL_10, NONEXCL_10, NONEXCL_15, NONEXCL_15, NONEXCL_15, NONEXCL_15];

const SLOT_93 = 'SELECT slot_name FROM pg_create_physical_replication_slot($1)';
const SLOT_96 = 'SELECT slot_name FROM pg_create_physical_replication_slot($1, true)';

const RC = 'recovery.conf';
const PM = 'postmaster';
const HUP = 'sighup';

// Settings a hot standby must hold at least as high as its primary, from 9.3 on (9.4 adds max_worker_processes, 12 max_wal_senders).
const FLOOR_93 = ['max_connections', 'max_prepared_transactions', 'max_locks_per_transaction'];
const REMOVED_95 = ['checkpoint_segments'];
const REMOVED_12 = [...REMOVED_95, 'standby_mode', 'trigger_file'];
const REMOVED_13 = [...REMOVED_12, 'wal_keep_segments'];
const REMOVED_15 = [...REMOVED_13, 'stats_temp_directory'];
const REMOVED_16 = [...REMOVED_15, 'promote_trigger_file', 'vacuum_defer_cleanup_age'];

const FILES_93 = ['postmaster.pid', 'postmaster.opts', 'postgresql.auto.conf.tmp', 'current_logfiles.tmp', 'recovery.signal', 'standby.signal', 'recovery.conf', 'recovery.done'];
const FILES_96 = [...FILES_93, 'backup_label', 'tablespace_map', 'backup_label.old'];
const FILES_13 = [...FILES_96, 'backup_manifest'];
const EMPTY_DIRS = ['pg_replslot', 'pg_dynshmem', 'pg_notify', 'pg_serial', 'pg_snapshots', 'pg_stat_tmp', 'pg_subtrans'];

const GOLDEN: Record<string, readonly unknown[]> = {
  //                              9.3            9.4            9.5            9.6        10         11         12         13         14         15         16         17         18
  num: [90300, 90400, 90500, 90600, 100000, 110000, 120000, 130000, 140000, 150000, 160000, 170000, 180000],
  label: [...MAJORS],
  walLevelReplica: ['hot_standby', 'hot_standby', 'hot_standby', 'replica', 'replica', 'replica', 'replica', 'replica', 'replica', 'replica', 'replica', 'replica', 'replica'],
  'walKeep.param': [
    'wal_keep_segments',
    'wal_keep_segments',
    'wal_keep_segments',
    'wal_keep_segments',
    'wal_keep_segments',
    'wal_keep_segments',
    'wal_keep_segments',
    'wal_keep_size',
    'wal_keep_size',
    'wal_keep_size',
    'wal_keep_size',
    'wal_keep_size',
    'wal_keep_size',
  ],
  'walKeep.unit': ['segments', 'segments', 'segments', 'segments', 'segments', 'segments', 'segments', 'MB', 'MB', 'MB', 'MB', 'MB', 'MB'],
  standbySetup: [RC, RC, RC, RC, RC, RC, 'standby.signal', 'standby.signal', 'standby.signal', 'standby.signal', 'standby.signal', 'standby.signal', 'standby.signal'],
  walDir: xlogOrWal('pg_xlog', 'pg_wal'),
  xactDir: xlogOrWal('pg_clog', 'pg_xact'),
  promoteTriggerParam: [
    'trigger_file',
    'trigger_file',
    'trigger_file',
    'trigger_file',
    'trigger_file',
    'trigger_file',
    'promote_trigger_file',
    'promote_trigger_file',
    'promote_trigger_file',
    'promote_trigger_file',
    null,
    null,
    null,
  ],
  promoteSql: [null, null, null, null, null, null, ...repeat('SELECT pg_promote(true, 60)').slice(6)],
  pgCtlPromoteWaits: FROM_10,
  'fn.currentWalLsn': xlogOrWal('pg_current_xlog_location', 'pg_current_wal_lsn'),
  'fn.currentWalInsertLsn': xlogOrWal('pg_current_xlog_insert_location', 'pg_current_wal_insert_lsn'),
  'fn.lastReceiveLsn': xlogOrWal('pg_last_xlog_receive_location', 'pg_last_wal_receive_lsn'),
  'fn.lastReplayLsn': xlogOrWal('pg_last_xlog_replay_location', 'pg_last_wal_replay_lsn'),
  'fn.walLsnDiff': xlogOrWal('pg_xlog_location_diff', 'pg_wal_lsn_diff'),
  'fn.switchWal': xlogOrWal('pg_switch_xlog', 'pg_switch_wal'),
  'fn.isReplayPaused': xlogOrWal('pg_is_xlog_replay_paused', 'pg_is_wal_replay_paused'),
  'fn.replayPause': xlogOrWal('pg_xlog_replay_pause', 'pg_wal_replay_pause'),
  'fn.replayResume': xlogOrWal('pg_xlog_replay_resume', 'pg_wal_replay_resume'),
  'fn.replayPauseState': [null, null, null, null, null, null, null, null, ...repeat('pg_get_wal_replay_pause_state').slice(8)],
  'fn.walFileName': xlogOrWal('pg_xlogfile_name', 'pg_walfile_name'),
  statsTempDirectory: [true, true, true, true, true, true, true, true, true, false, false, false, false],
  'statReplication.sent': xlogOrWal('sent_location', 'sent_lsn'),
  'statReplication.write': xlogOrWal('write_location', 'write_lsn'),
  'statReplication.flush': xlogOrWal('flush_location', 'flush_lsn'),
  'statReplication.replay': xlogOrWal('replay_location', 'replay_lsn'),
  'statReplication.hasLagTimes': FROM_10,
  walReceiverFlushColumn: [...repeat('received_lsn').slice(0, 7), ...repeat('flushed_lsn').slice(7)],
  'backup.mode': B.map((b) => b.mode),
  'backup.startSql': B.map((b) => b.startSql),
  'backup.stopSql': B.map((b) => b.stopSql),
  createPhysicalSlotSql: [SLOT_93, SLOT_93, SLOT_93, ...repeat(SLOT_96).slice(3)],
  slots: [F, T, T, T, T, T, T, T, T, T, T, T, T],
  passwordEncryptionDefault: [...repeat('md5').slice(0, 8), ...repeat('scram-sha-256').slice(8)],
  scram: FROM_10,
  autoConf: [F, T, T, T, T, T, T, T, T, T, T, T, T],
  conninfoPassfile: FROM_10,
  clusterName: [F, F, T, T, T, T, T, T, T, T, T, T, T],
  'defaults.walLevel': xlogOrWal('minimal', 'replica'),
  'defaults.maxWalSenders': BEFORE_10.map((b) => (b ? 0 : 10)),
  'defaults.maxReplicationSlots': BEFORE_10.map((b) => (b ? 0 : 10)),
  'defaults.hotStandby': FROM_10,
  'defaults.recoveryTargetTimeline': [...repeat('current').slice(0, 6), ...repeat('latest').slice(6)],
  'context.primaryConninfo': [RC, RC, RC, RC, RC, RC, PM, HUP, HUP, HUP, HUP, HUP, HUP],
  'context.primarySlotName': [RC, RC, RC, RC, RC, RC, PM, HUP, HUP, HUP, HUP, HUP, HUP],
  'context.restoreCommand': [RC, RC, RC, RC, RC, RC, PM, PM, HUP, HUP, HUP, HUP, HUP],
  'context.recoveryMinApplyDelay': [RC, RC, RC, RC, RC, RC, HUP, HUP, HUP, HUP, HUP, HUP, HUP],
  'context.synchronousStandbyNames': [HUP, HUP, HUP, HUP, HUP, HUP, HUP, HUP, HUP, HUP, HUP, HUP, HUP],
  'context.ssl': [PM, PM, PM, PM, HUP, HUP, HUP, HUP, HUP, HUP, HUP, HUP, HUP],
  standbyMarkerContent: [...repeat("standby_mode = 'on'\n").slice(0, 6), ...repeat('').slice(6)],
  slotReservesWalAtCreation: [F, F, F, T, T, T, T, T, T, T, T, T, T],
  slotWalStatus: [F, F, F, F, F, F, F, T, T, T, T, T, T],
  recoveryInitSyncMethod: [F, F, F, F, F, F, F, F, T, T, T, T, T],
  pidFileStatus: FROM_10,
  startupProcessVisible: [F, F, F, F, T, T, T, T, T, T, T, T, T],
  promoteEndsReplayPause: [F, F, F, F, F, F, F, F, T, T, T, T, T],
  walSendersUseConnectionSlots: [T, T, T, T, T, T, F, F, F, F, F, F, F],
  standbyNeedsMaxWalSendersAtLeastPrimary: [F, F, F, F, F, F, T, T, T, T, T, T, T],
  hotStandbyFloorParams: [
    FLOOR_93,
    [...FLOOR_93, 'max_worker_processes'],
    [...FLOOR_93, 'max_worker_processes'],
    [...FLOOR_93, 'max_worker_processes'],
    [...FLOOR_93, 'max_worker_processes'],
    [...FLOOR_93, 'max_worker_processes'],
    ...repeat([...FLOOR_93, 'max_worker_processes', 'max_wal_senders']).slice(6),
  ],
  replicationRoleCanRunBackupFunctions: BEFORE_10,
  connectionLimitAppliesToWalsenders: [T, T, T, T, T, T, T, F, F, F, F, F, F],
  'pgBasebackup.walMethodFlag': xlogOrWal('--xlog-method', '--wal-method'),
  'pgBasebackup.slotFlag': [F, F, F, T, T, T, T, T, T, T, T, T, T],
  'pgBasebackup.createSlotFlag': [F, F, F, F, F, T, T, T, T, T, T, T, T],
  'pgBasebackup.manifest': [F, F, F, F, F, F, F, T, T, T, T, T, T],
  'pgBasebackup.noSyncFlag': [F, F, F, F, T, T, T, T, T, T, T, T, T],
  'pgBasebackup.writesRecoveryConf': [RC, RC, RC, RC, RC, RC, ...repeat('postgresql.auto.conf').slice(6)],
  pgRewindWritesStandbyConfig: [F, F, F, F, F, F, F, T, T, T, T, T, T],
  initdbWalDirFlag: xlogOrWal('--xlogdir', '--waldir'),
  initdbNoSyncFlag: xlogOrWal('--nosync', '--no-sync'),
  initdbSetFlag: [F, F, F, F, F, F, F, F, F, F, T, T, T],
  dataChecksumsByDefault: [F, F, F, F, F, F, F, F, F, F, F, F, T],
  groupAccess: [F, F, F, F, F, T, T, T, T, T, T, T, T],
  archiveModeAlways: [F, F, T, T, T, T, T, T, T, T, T, T, T],
  archiveLibrary: [F, F, F, F, F, F, F, F, F, T, T, T, T],
  hbaIncludes: [F, F, F, F, F, F, F, F, F, F, T, T, T],
  syncStandbyNames: ['list', 'list', 'list', 'priority', ...repeat('first-any').slice(4)],
  removedParams: [[], [], REMOVED_95, REMOVED_95, REMOVED_95, REMOVED_95, REMOVED_12, REMOVED_13, REMOVED_13, REMOVED_15, REMOVED_16, REMOVED_16, REMOVED_16],
  'copyExclusions.files': [FILES_93, FILES_93, FILES_93, FILES_96, FILES_96, FILES_96, FILES_96, FILES_13, FILES_13, FILES_13, FILES_13, FILES_13, FILES_13],
  'copyExclusions.emptyDirs': xlogOrWal('pg_xlog', 'pg_wal').map((walDir) => [walDir, ...EMPTY_DIRS]),
  'copyExclusions.prefixes': repeat(['pgsql_tmp', 'pg_internal.init']),
};

// Leaf facts as dotted paths; string lists are sorted so the golden table states sets, not an order.
function flatten(value: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out[prefix] = Array.isArray(value) ? [...value].sort() : value;
  }
  return out;
}

describe('versionFacts golden table (pg-version-matrix.md)', () => {
  it('has one value per known major in every row', () => {
    for (const [fact, values] of Object.entries(GOLDEN)) expect(values, fact).toHaveLength(MAJORS.length);
  });

  it.each(MAJORS.map((label, column) => [label, column] as const))('PostgreSQL %s', (label, column) => {
    const expected = Object.fromEntries(Object.entries(GOLDEN).map(([fact, values]) => [fact, flatten(values[column])['']]));
    expect(flatten(versionFacts(label))).toEqual(expected);
  });
});

describe('versionFacts spot checks against the recipe', () => {
  it('uses wal_keep_size from 13, whose removed wal_keep_segments would be FATAL', () => {
    const f13 = versionFacts(130000);
    expect(f13.walKeep.param).toBe('wal_keep_size');
    expect(f13.removedParams).toContain('wal_keep_segments');
    expect(versionFacts(120000).removedParams).not.toContain('wal_keep_segments');
  });

  it('never names a removed parameter as the promote trigger', () => {
    for (const major of knownMajors()) {
      const f = versionFacts(major);
      if (f.promoteTriggerParam) expect(f.removedParams).not.toContain(f.promoteTriggerParam);
    }
  });

  it('never tells a copy to empty the commit log directory', () => {
    for (const major of knownMajors()) {
      const f = versionFacts(major);
      expect(f.copyExclusions.emptyDirs).toContain(f.walDir);
      expect(f.copyExclusions.emptyDirs).not.toContain(f.xactDir);
    }
  });
});

describe('walKeepSegmentsToMb', () => {
  it("turns the recipe's 64 segments into 1024 MB, and honours a custom segment size", () => {
    expect(walKeepSegmentsToMb(64)).toBe(1024);
    expect(walKeepSegmentsToMb(64, 64)).toBe(4096);
    expect(walKeepSegmentsToMb(0)).toBe(0);
  });
});
