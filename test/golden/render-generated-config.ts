import {
  configFromObject,
  formatHbaRule,
  knownMajors,
  majorLabel,
  quoteGucString,
  settingsFilePath,
  versionFacts,
  type PgMajorNum,
  type PgNode,
  type StepContext,
} from '@hotstandby/core';
import { planRole } from '../../plugins/user-creation/src/role-plan.js';
import { replicationRules } from '../../plugins/hba-config/src/hba-rules.js';
import { desiredChanges, freshClusterSettings } from '../../plugins/wal-config/src/desired-settings.js';
import { identitySettings, recoverySettings } from '../../plugins/recovery-config/src/standby-settings.js';
import { recoveryConf } from '../../plugins/recovery-config/src/standby-files.js';
import { pgBasebackupArgs } from '../../plugins/base-backup/src/pg-basebackup.js';

// The recipe's topology with fixed paths and passwords, so the generated text is the same on every machine.
const spec = configFromObject(
  {
    stateDir: '/srv/hs/.hotstandby',
    primary: { name: 'master', port: 5432, dataDir: '/srv/hs/data' },
    standbys: [{ name: 'slave1', port: 5431, dataDir: '/srv/hs/data-slave1' }],
    replication: { user: 'repuser', password: 'repuser', connectionLimit: 3 },
    archive: { dir: '/srv/hs/archive' },
  },
  '/srv/hs',
);

function node(name: string, port: number, dataDir: string): PgNode {
  // Every node of the recipe lives on this machine.
  return { name, port, dataDir, machine: { label: 'this machine', remote: false } } as unknown as PgNode;
}

// A step context for pure planning functions: no server, nothing can be queried (fakes for pure logic only).
function context(major: PgMajorNum, forStandby: boolean): StepContext {
  const primary = node('master', 5432, '/srv/hs/data');
  const standby = node('slave1', 5431, '/srv/hs/data-slave1');
  return {
    step: 'golden',
    options: {},
    spec,
    node: forStandby ? standby : primary,
    nodeSpec: forStandby ? spec.standbys[0]! : spec.primary,
    primary,
    standbys: [standby],
    upstream: forStandby ? primary : undefined,
    facts: versionFacts(major),
    serverUser: { name: 'postgres', uid: 101, gid: 104, home: '/var/lib/postgresql', isInvoker: false },
    secrets: { superuserPassword: 'postgres', replicationPassword: 'repuser' },
    paths: {
      stateDir: '/srv/hs/.hotstandby',
      runDir: '/srv/hs/.hotstandby/run',
      socketDir: '/srv/hs/.hotstandby/run',
      logsDir: '/srv/hs/.hotstandby/logs',
      replicationPassfile: '/srv/hs/.hotstandby/run/replication.pgpass',
      archiveDir: '/srv/hs/archive',
      logFile: (n) => `/srv/hs/.hotstandby/logs/${n}.log`,
    },
    state: { node: () => undefined, journal: () => [], roleCreatedByTool: () => false, slotCreatedByTool: () => false, dirCreatedByTool: () => false },
    log: { info: () => undefined, warn: () => undefined, debug: () => undefined },
    signal: new AbortController().signal,
    dryRun: true,
    allowRestart: false,
    isPlanned: () => true,
    run: async () => undefined,
    recordCreated: async () => undefined,
  };
}

// Everything hotstandby writes or runs for the recipe on one major, as text.
export async function renderGeneratedConfig(major: PgMajorNum): Promise<string> {
  const p = context(major, false);
  const s = context(major, true);
  const f = p.facts;
  const out: string[] = [`# What hotstandby generates for PostgreSQL ${majorLabel(major)} (recipe topology: master 5432, slave1 5431)`, ''];
  const role = planRole(p, undefined).actions[0]!;
  out.push('## 1. replication role (primary)', role.kind === 'sql' ? (role.display ?? role.sql) : '', '');
  out.push('## 2. pg_hba.conf rule (primary, placed before every other rule)', ...replicationRules(p).map(formatHbaRule), '');
  const primaryFile = settingsFilePath(f, '/srv/hs/data');
  out.push(`## 3. primary settings (${primaryFile}, written before the first start)`);
  for (const c of await desiredChanges(p, freshClusterSettings(p))) out.push(`${c.name} = ${quoteGucString(c.to)}`);
  out.push('');
  out.push('## 4. base backup');
  out.push(`pg_basebackup ${pgBasebackupArgs(s, '/srv/hs/data-slave1', { checkpoint: 'fast' }).join(' ')}`);
  out.push(`slot: ${f.slots ? f.createPhysicalSlotSql : '(no replication slots before 9.4)'}`);
  out.push(`low-level API (${f.backup.mode}): ${f.backup.startSql}  ...copy...  ${f.backup.stopSql}`);
  out.push(`copy leaves out: ${f.copyExclusions.files.join(' ')}`);
  out.push(`copy empties: ${f.copyExclusions.emptyDirs.join(' ')}`);
  out.push('');
  const standbyFile = settingsFilePath(f, '/srv/hs/data-slave1');
  const identity = await identitySettings(s);
  const recovery = recoverySettings(s);
  if (f.standbySetup === 'standby.signal') {
    out.push(`## 5. standby (${standbyFile} + empty standby.signal)`);
    for (const [k, v] of Object.entries({ ...identity, ...recovery })) out.push(`${k} = ${quoteGucString(v)}`);
  } else {
    out.push(`## 5. standby (${standbyFile})`);
    for (const [k, v] of Object.entries(identity)) out.push(`${k} = ${quoteGucString(v)}`);
    out.push('', '## 5b. /srv/hs/data-slave1/recovery.conf', recoveryConf({ standby_mode: 'on', ...recovery }).trimEnd());
  }
  out.push('');
  out.push('## 6. verify and monitor');
  out.push(`lsn: ${f.fn.currentWalLsn}() on the primary, ${f.fn.lastReplayLsn}() on the standby, ${f.fn.walLsnDiff}() for lag`);
  out.push(`pg_stat_replication columns: ${f.statReplication.sent}, ${f.statReplication.write}, ${f.statReplication.flush}, ${f.statReplication.replay}`);
  out.push('');
  out.push('## promotion');
  out.push(`pg_ctl promote${f.promoteSql ? ` or ${f.promoteSql}` : ''}; trigger file parameter: ${f.promoteTriggerParam ?? '(none: removed in 16)'}`);
  return out.join('\n') + '\n';
}

// Every major with facts, oldest first.
export const GOLDEN_MAJORS = knownMajors();
