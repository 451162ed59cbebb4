// The one place that knows how PostgreSQL differs between majors 9.3 and 18 (each fact pinned per major in versions.test.ts).
// Plugins and core ask these questions; nobody else compares version numbers.

// A major version as server_version_num rounded to the major: 90300, 90600, 100000 ... 180000.
export type PgMajorNum = number;

// Oldest and newest majors whose configuration hotstandby can generate, and the range it runs for real.
export const OLDEST_KNOWN_MAJOR = 90300;
export const NEWEST_KNOWN_MAJOR = 180000;
export const OLDEST_RUNNABLE_MAJOR = 100000;

// The largest recovery_min_apply_delay every major accepts: an int of milliseconds (INT_MAX, about 24.8 days).
export const MAX_APPLY_DELAY_MS = 2_147_483_647;

// SQL text for the low-level backup API of one major.
export interface BackupApi {
  mode: 'exclusive' | 'non-exclusive';
  // Takes $1 = label; requests an immediate checkpoint.
  startSql: string;
  // Returns columns lsn, labelfile, spcmapfile (labelfile/spcmapfile null in exclusive mode). From 10 it does not
  // wait for WAL archiving (wait_for_archive => false): the standby's slot, created first, keeps that WAL, and a
  // broken archive_command cannot make the stop call hang.
  stopSql: string;
}

// Everything hotstandby needs to know about one PostgreSQL major.
export interface VersionFacts {
  num: PgMajorNum;
  label: string;
  walLevelReplica: 'hot_standby' | 'replica';
  walKeep: { param: 'wal_keep_segments' | 'wal_keep_size'; unit: 'segments' | 'MB' };
  standbySetup: 'recovery.conf' | 'standby.signal';
  // What that file holds when it only marks a standby (the rest of the standby's settings come later).
  standbyMarkerContent: string;
  walDir: 'pg_xlog' | 'pg_wal';
  xactDir: 'pg_clog' | 'pg_xact';
  promoteTriggerParam: 'trigger_file' | 'promote_trigger_file' | null;
  promoteSql: string | null;
  pgCtlPromoteWaits: boolean;
  fn: {
    currentWalLsn: string;
    currentWalInsertLsn: string;
    lastReceiveLsn: string;
    lastReplayLsn: string;
    walLsnDiff: string;
    switchWal: string;
    isReplayPaused: string;
    replayPause: string;
    replayResume: string;
    replayPauseState: string | null;
    walFileName: string;
  };
  statReplication: { sent: string; write: string; flush: string; replay: string; hasLagTimes: boolean };
  walReceiverFlushColumn: 'received_lsn' | 'flushed_lsn';
  backup: BackupApi;
  createPhysicalSlotSql: string;
  slots: boolean;
  // A physical slot can reserve WAL the moment it is created (pg_create_physical_replication_slot's second argument).
  slotReservesWalAtCreation: boolean;
  passwordEncryptionDefault: 'md5' | 'scram-sha-256';
  scram: boolean;
  // postgresql.auto.conf exists (ALTER SYSTEM, 9.4+); before, settings go into a block in postgresql.conf.
  autoConf: boolean;
  // libpq understands passfile= in a connection string (10+); before, primary_conninfo must carry the password.
  conninfoPassfile: boolean;
  // cluster_name exists (9.5+); setting it on an older server is FATAL.
  clusterName: boolean;
  // stats_temp_directory exists (before 15); an absolute one (Debian's) must not be shared by two servers.
  statsTempDirectory: boolean;
  defaults: { walLevel: string; maxWalSenders: number; maxReplicationSlots: number; hotStandby: boolean; recoveryTargetTimeline: 'current' | 'latest' };
  // How a changed setting takes effect on a standby: 'recovery.conf' means a restart (the file is read at start).
  context: {
    primaryConninfo: SettingContext;
    primarySlotName: SettingContext;
    restoreCommand: SettingContext;
    recoveryMinApplyDelay: SettingContext;
    synchronousStandbyNames: SettingContext;
    // ssl and its files (ssl_cert_file, ssl_key_file, ssl_ca_file): read again on reload from 10.
    ssl: SettingContext;
  };
  // pg_replication_slots.wal_status (13+): "lost" when max_slot_wal_keep_size made the server give the slot up.
  slotWalStatus: boolean;
  // recovery_init_sync_method (14+): 'syncfs' makes the sync of the data directory before crash or backup
  // recovery one syncfs(2) of its file system (Linux) instead of an fsync of every file.
  recoveryInitSyncMethod: boolean;
  // postmaster.pid's line 8 says whether the server is starting, ready, a standby or stopping (10+): what pg_ctl
  // start -w waits on (before, it tried to connect).
  pidFileStatus: boolean;
  // pg_stat_activity shows the startup process (backend_type, 10+), whose wait event tells an apply delay.
  startupProcessVisible: boolean;
  // A promotion ends a replay pause and goes on (14+); before, a paused standby promotes only once resumed.
  promoteEndsReplayPause: boolean;
  walSendersUseConnectionSlots: boolean;
  standbyNeedsMaxWalSendersAtLeastPrimary: boolean;
  // Settings a hot standby must hold at least as high as its primary: lower, PostgreSQL refuses to start it, stops
  // it (before 14) or pauses its replay (14+) when the primary raises one. Raise standbys first, then the primary.
  hotStandbyFloorParams: readonly string[];
  replicationRoleCanRunBackupFunctions: boolean;
  connectionLimitAppliesToWalsenders: boolean;
  pgBasebackup: {
    walMethodFlag: '--xlog-method' | '--wal-method';
    slotFlag: boolean;
    createSlotFlag: boolean;
    manifest: boolean;
    // --no-sync: do not wait for the backup to reach the disk (10+).
    noSyncFlag: boolean;
    writesRecoveryConf: 'recovery.conf' | 'postgresql.auto.conf';
  };
  pgRewindWritesStandbyConfig: boolean;
  initdbWalDirFlag: '--xlogdir' | '--waldir';
  // initdb's option not to wait for its files to reach the disk (--nosync before 10).
  initdbNoSyncFlag: '--nosync' | '--no-sync';
  initdbSetFlag: boolean;
  dataChecksumsByDefault: boolean;
  groupAccess: boolean;
  archiveModeAlways: boolean;
  archiveLibrary: boolean;
  hbaIncludes: boolean;
  syncStandbyNames: 'list' | 'priority' | 'first-any';
  // Parameters this major refuses at startup (FATAL "unrecognized configuration parameter").
  removedParams: readonly string[];
  // Relative paths (files) a low-level copy leaves out, and directories whose contents it leaves out.
  copyExclusions: { files: readonly string[]; emptyDirs: readonly string[]; prefixes: readonly string[] };
}

// How a setting takes effect: at restart, on reload, or only from recovery.conf at start.
export type SettingContext = 'postmaster' | 'sighup' | 'recovery.conf';

const KNOWN_MAJORS: readonly PgMajorNum[] = [90300, 90400, 90500, 90600, 100000, 110000, 120000, 130000, 140000, 150000, 160000, 170000, 180000];

// Every major hotstandby knows facts for, oldest first.
export function knownMajors(): readonly PgMajorNum[] {
  return KNOWN_MAJORS;
}

// The major of a version string ("9.6.24", "15.18 (Debian ...)", "18", "PostgreSQL 17.4") or a server_version_num.
export function parseMajor(version: string | number): PgMajorNum {
  // server_version_num as text, which is what SHOW returns ("90324", "180004").
  if (typeof version === 'string' && /^\s*\d{5,6}\s*$/.test(version)) return parseMajor(Number(version));
  if (typeof version === 'number') {
    if (version >= 100000) return Math.floor(version / 10000) * 10000;
    return Math.floor(version / 100) * 100;
  }
  const m = /(\d+)(?:\.(\d+))?/.exec(version);
  if (!m) throw new RangeError(`cannot read a PostgreSQL version from "${version}"`);
  const first = Number(m[1]);
  if (first >= 10) return first * 10000;
  return first * 10000 + Number(m[2] ?? 0) * 100;
}

// The label users know: "9.6", "10", "18".
export function majorLabel(num: PgMajorNum): string {
  return num >= 100000 ? String(num / 10000) : `${Math.floor(num / 10000)}.${(num % 10000) / 100}`;
}

// True when hotstandby has facts for this major.
export function isKnownMajor(num: PgMajorNum): boolean {
  return KNOWN_MAJORS.includes(num);
}

// The facts for one major (throws for majors outside 9.3–18).
export function versionFacts(major: PgMajorNum | string): VersionFacts {
  const num = typeof major === 'string' ? parseMajor(major) : major;
  if (!isKnownMajor(num)) {
    throw new RangeError(`PostgreSQL ${majorLabel(num)} is not supported (hotstandby knows 9.3 to 18)`);
  }
  const v = (min: number) => num >= min;
  const wal = v(100000);
  const removedParams = [
    ...(v(90500) ? ['checkpoint_segments'] : []),
    ...(v(120000) ? ['standby_mode', 'trigger_file'] : []),
    ...(v(130000) ? ['wal_keep_segments'] : []),
    ...(v(150000) ? ['stats_temp_directory'] : []),
    ...(v(160000) ? ['promote_trigger_file', 'vacuum_defer_cleanup_age'] : []),
  ];
  return {
    num,
    label: majorLabel(num),
    walLevelReplica: v(90600) ? 'replica' : 'hot_standby',
    walKeep: v(130000) ? { param: 'wal_keep_size', unit: 'MB' } : { param: 'wal_keep_segments', unit: 'segments' },
    standbySetup: v(120000) ? 'standby.signal' : 'recovery.conf',
    standbyMarkerContent: v(120000) ? '' : "standby_mode = 'on'\n",
    walDir: wal ? 'pg_wal' : 'pg_xlog',
    xactDir: wal ? 'pg_xact' : 'pg_clog',
    promoteTriggerParam: v(160000) ? null : v(120000) ? 'promote_trigger_file' : 'trigger_file',
    promoteSql: v(120000) ? 'SELECT pg_promote(true, 60)' : null,
    pgCtlPromoteWaits: wal,
    fn: {
      currentWalLsn: wal ? 'pg_current_wal_lsn' : 'pg_current_xlog_location',
      currentWalInsertLsn: wal ? 'pg_current_wal_insert_lsn' : 'pg_current_xlog_insert_location',
      lastReceiveLsn: wal ? 'pg_last_wal_receive_lsn' : 'pg_last_xlog_receive_location',
      lastReplayLsn: wal ? 'pg_last_wal_replay_lsn' : 'pg_last_xlog_replay_location',
      walLsnDiff: wal ? 'pg_wal_lsn_diff' : 'pg_xlog_location_diff',
      switchWal: wal ? 'pg_switch_wal' : 'pg_switch_xlog',
      isReplayPaused: wal ? 'pg_is_wal_replay_paused' : 'pg_is_xlog_replay_paused',
      replayPause: wal ? 'pg_wal_replay_pause' : 'pg_xlog_replay_pause',
      replayResume: wal ? 'pg_wal_replay_resume' : 'pg_xlog_replay_resume',
      replayPauseState: v(140000) ? 'pg_get_wal_replay_pause_state' : null,
      walFileName: wal ? 'pg_walfile_name' : 'pg_xlogfile_name',
    },
    statReplication: wal
      ? { sent: 'sent_lsn', write: 'write_lsn', flush: 'flush_lsn', replay: 'replay_lsn', hasLagTimes: true }
      : { sent: 'sent_location', write: 'write_location', flush: 'flush_location', replay: 'replay_location', hasLagTimes: false },
    walReceiverFlushColumn: v(130000) ? 'flushed_lsn' : 'received_lsn',
    backup: backupApi(num),
    createPhysicalSlotSql: v(90600) ? 'SELECT slot_name FROM pg_create_physical_replication_slot($1, true)' : 'SELECT slot_name FROM pg_create_physical_replication_slot($1)',
    slots: v(90400),
    slotReservesWalAtCreation: v(90600),
    passwordEncryptionDefault: v(140000) ? 'scram-sha-256' : 'md5',
    scram: wal,
    autoConf: v(90400),
    conninfoPassfile: wal,
    clusterName: v(90500),
    statsTempDirectory: !v(150000),
    defaults: {
      walLevel: wal ? 'replica' : 'minimal',
      maxWalSenders: wal ? 10 : 0,
      maxReplicationSlots: wal ? 10 : 0,
      hotStandby: wal,
      recoveryTargetTimeline: v(120000) ? 'latest' : 'current',
    },
    context: {
      primaryConninfo: v(130000) ? 'sighup' : v(120000) ? 'postmaster' : 'recovery.conf',
      primarySlotName: v(130000) ? 'sighup' : v(120000) ? 'postmaster' : 'recovery.conf',
      restoreCommand: v(140000) ? 'sighup' : v(120000) ? 'postmaster' : 'recovery.conf',
      recoveryMinApplyDelay: v(120000) ? 'sighup' : 'recovery.conf',
      synchronousStandbyNames: 'sighup',
      ssl: v(100000) ? 'sighup' : 'postmaster',
    },
    slotWalStatus: v(130000),
    recoveryInitSyncMethod: v(140000),
    pidFileStatus: wal,
    startupProcessVisible: wal,
    promoteEndsReplayPause: v(140000),
    walSendersUseConnectionSlots: !v(120000),
    standbyNeedsMaxWalSendersAtLeastPrimary: v(120000),
    hotStandbyFloorParams: [
      'max_connections',
      'max_prepared_transactions',
      'max_locks_per_transaction',
      ...(v(90400) ? ['max_worker_processes'] : []),
      ...(v(120000) ? ['max_wal_senders'] : []),
    ],
    replicationRoleCanRunBackupFunctions: !wal,
    connectionLimitAppliesToWalsenders: !v(130000),
    pgBasebackup: {
      walMethodFlag: wal ? '--wal-method' : '--xlog-method',
      slotFlag: v(90600),
      createSlotFlag: v(110000),
      manifest: v(130000),
      noSyncFlag: v(100000),
      writesRecoveryConf: v(120000) ? 'postgresql.auto.conf' : 'recovery.conf',
    },
    pgRewindWritesStandbyConfig: v(130000),
    initdbWalDirFlag: wal ? '--waldir' : '--xlogdir',
    initdbNoSyncFlag: v(100000) ? '--no-sync' : '--nosync',
    initdbSetFlag: v(160000),
    dataChecksumsByDefault: v(180000),
    groupAccess: v(110000),
    archiveModeAlways: v(90500),
    archiveLibrary: v(150000),
    hbaIncludes: v(160000),
    syncStandbyNames: wal ? 'first-any' : v(90600) ? 'priority' : 'list',
    removedParams,
    copyExclusions: copyExclusions(num),
  };
}

function backupApi(num: PgMajorNum): BackupApi {
  if (num >= 150000) {
    return {
      mode: 'non-exclusive',
      startSql: 'SELECT pg_backup_start($1, true)',
      stopSql: 'SELECT lsn::text AS lsn, labelfile, spcmapfile FROM pg_backup_stop(false)',
    };
  }
  if (num >= 100000) {
    return {
      mode: 'non-exclusive',
      startSql: 'SELECT pg_start_backup($1, true, false)',
      stopSql: 'SELECT lsn::text AS lsn, labelfile, spcmapfile FROM pg_stop_backup(false, false)',
    };
  }
  if (num >= 90600) {
    return {
      mode: 'non-exclusive',
      startSql: 'SELECT pg_start_backup($1, true, false)',
      stopSql: 'SELECT lsn::text AS lsn, labelfile, spcmapfile FROM pg_stop_backup(false)',
    };
  }
  return {
    mode: 'exclusive',
    startSql: 'SELECT pg_start_backup($1, true)',
    stopSql: 'SELECT pg_stop_backup()::text AS lsn, NULL::text AS labelfile, NULL::text AS spcmapfile',
  };
}

function copyExclusions(num: PgMajorNum): VersionFacts['copyExclusions'] {
  const walDir = num >= 100000 ? 'pg_wal' : 'pg_xlog';
  return {
    files: [
      'postmaster.pid',
      'postmaster.opts',
      'postgresql.auto.conf.tmp',
      'current_logfiles.tmp',
      ...(num >= 130000 ? ['backup_manifest'] : []),
      // Non-exclusive backups get backup_label and tablespace_map from the stop call, never from the live directory.
      ...(num >= 90600 ? ['backup_label', 'tablespace_map', 'backup_label.old'] : []),
      'recovery.signal',
      'standby.signal',
      'recovery.conf',
      'recovery.done',
    ],
    emptyDirs: [walDir, 'pg_replslot', 'pg_dynshmem', 'pg_notify', 'pg_serial', 'pg_snapshots', 'pg_stat_tmp', 'pg_subtrans'],
    prefixes: ['pgsql_tmp', 'pg_internal.init'],
  };
}

// wal_keep_size in MB equivalent to a number of WAL segments (recipe: 64 segments × 16 MB = 1024 MB).
export function walKeepSegmentsToMb(segments: number, segmentSizeMb = 16): number {
  return segments * segmentSizeMb;
}

// The pg_hba.conf method of the password rules hotstandby writes: scram-sha-256 where the server has it (10+), else md5.
export function hbaPasswordMethod(facts: Pick<VersionFacts, 'scram'>): 'scram-sha-256' | 'md5' {
  return facts.scram ? 'scram-sha-256' : 'md5';
}
