import { existsSync } from 'node:fs';
import { majorLabel } from '../postgres/versions.js';
import type { ClusterSpec } from '../config/cluster-spec.js';
import type { PgBinaries } from '../postgres/binaries.js';
import { isHotstandbyError } from '../errors/hotstandby-error.js';
import { inspectDataDir } from '../postgres/data-dir.js';
import { findUnreachablePath } from '../postgres/os-user.js';
import { isPortFree } from '../postgres/ports.js';
import { HBA_BLOCK_BEGIN } from '../postgres/hba-file.js';
import { ClusterRuntime } from './cluster-runtime.js';
import { walHealthWarnings } from './wal-health.js';
import { windowsChecks } from './doctor-windows.js';
import { onWindows } from '../util/platform.js';
import type { ProgressListener } from '../postgres/embedded/install-embedded.js';
import { inspectHosts, type DoctorHost } from './doctor-hosts.js';
import { everyNode } from './runtime-topology.js';

// One line of `hotstandby doctor`: fine, worth knowing, or something to fix.
export interface DoctorCheck {
  check: string;
  status: 'ok' | 'warn' | 'fix';
  detail: string;
  fix?: string;
  // The host the line is about ("root@db2"), for a node on another host.
  host?: string;
}

// What `doctor` found: every line, and each remote host's findings (none for a cluster on this machine).
export interface DoctorReport {
  ok: boolean;
  checks: DoctorCheck[];
  hosts: DoctorHost[];
}

// Explain the machine and the cluster: binaries, OS user, ports, directories, and for a running primary its
// replication settings, slots, pg_hba rule and pending restarts. Changes nothing.
export async function runDoctor(spec: ClusterSpec, options: { onDownloadProgress?: ProgressListener } = {}): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  const add = (check: string, status: DoctorCheck['status'], detail: string, fix?: string) => checks.push({ check, status, detail, fix });
  const addHost = (check: string, status: DoctorCheck['status'], detail: string, fix: string | undefined, host: string) => checks.push({ check, status, detail, fix, host });
  // Each remote host is looked at on its own connection, so it is reported also when the cluster cannot be opened
  // (a standby's host without PostgreSQL, a host that does not answer).
  const hostsOf = (rt?: ClusterRuntime) =>
    inspectHosts(
      everyNode(spec).map((n) => ({ ...n, port: rt?.nodes.find((x) => x.name === n.name)?.port ?? n.port })),
      { major: rt?.binaries.major ?? spec.postgres.version, osUser: spec.postgres.osUser, machines: rt?.machines },
      addHost,
    );
  let rt: ClusterRuntime;
  try {
    rt = await ClusterRuntime.open(spec, { purpose: 'inspect', dryRun: true, ...options });
  } catch (error) {
    if (!isHotstandbyError(error)) throw error;
    const downloads = error.code === 'BINARIES_NOT_FOUND' && !error.where.host && (!spec.postgres.binDir || spec.postgres.binDir === 'embedded');
    const hosts = await hostsOf();
    // A problem of another host (unreachable, no PostgreSQL, no server account) is already its host's line.
    const hostLine = checks.some((c) => c.host !== undefined && c.status === 'fix' && error.message.includes(c.host) && c.detail.includes(error.message));
    if (downloads) checks.unshift({ check: 'binaries', status: 'warn', detail: `${error.message}; hotstandby up will download embedded binaries into the cache`, fix: error.fix });
    else if (!hostLine) {
      const check = error.code === 'BINARIES_NOT_FOUND' ? 'binaries' : error.code === 'OS_USER' ? 'os user' : error.code === 'HOST_UNREACHABLE' ? 'host' : 'setup';
      checks.unshift({ check, status: 'fix', detail: error.message, fix: error.fix });
    }
    return { ok: downloads && checks.every((c) => c.status !== 'fix'), checks, hosts };
  }
  let hosts: DoctorHost[] = [];
  try {
    const b = rt.binaries;
    add('binaries', 'ok', `PostgreSQL ${b.version} in ${b.binDir} (${b.reason})`);
    addBaseBackupCheck(add, spec, b);
    add(
      'os user',
      'ok',
      `servers run as ${rt.serverUser.name}${rt.serverUser.uid >= 0 ? ` (uid ${rt.serverUser.uid})` : ''}${rt.serverUser.isInvoker ? ', the user running hotstandby' : ''}`,
    );
    // Nodes on other hosts are looked at there (the host lines below).
    const here = rt.nodes.filter((n) => !n.machine.remote);
    // The binaries are this machine's only when some node lives here (else the primary's host's, looked at there).
    const binDirHere = here.length > 0 ? [[b.binDir, 'binaries']] : [];
    for (const [target, what] of [[rt.layout.root, 'state directory'], ...binDirHere, ...here.map((n) => [n.dataDir, `data directory of ${n.name}`])] as [string, string][]) {
      const blocked = await findUnreachablePath(target, rt.serverUser, false);
      if (blocked) add(`path: ${what}`, 'fix', `${rt.serverUser.name} cannot reach ${blocked} (on the way to ${target})`, `choose another location or chmod o+x ${blocked}`);
      else add(`path: ${what}`, 'ok', `${target} is reachable by ${rt.serverUser.name}`);
    }
    for (const node of here) {
      if (await node.isRunning()) add(`port ${node.port}`, 'ok', `${node.name} runs on it`);
      else if (await isPortFree(node.port)) add(`port ${node.port}`, 'ok', `free for ${node.name}`);
      else add(`port ${node.port}`, 'fix', `${node.name}'s port is taken by another process`, `free it or choose another port for ${node.name}`);
    }
    for (const standby of rt.standbys.filter((n) => !n.machine.remote)) {
      const info = await inspectDataDir(standby.dataDir);
      if (info.kind === 'cluster' && info.major !== undefined && info.major !== b.major) {
        add(
          `version of ${standby.name}`,
          'fix',
          `its data directory is PostgreSQL ${majorLabel(info.major)}, the primary's binaries ${b.version}`,
          'primary and standbys must share one major: remove the standby (down --purge) and run up',
        );
      }
    }
    if (onWindows())
      await windowsChecks(
        b,
        rt.nodes.map((n) => n.port),
        add,
      );
    hosts = await hostsOf(rt);
    await primaryChecks(rt, add);
  } finally {
    await rt.close();
  }
  return { ok: checks.every((c) => c.status !== 'fix'), checks, hosts };
}

async function primaryChecks(rt: ClusterRuntime, add: (check: string, status: DoctorCheck['status'], detail: string, fix?: string) => void): Promise<void> {
  const primary = rt.primary;
  if (primary.machine.remote ? !(await primary.machine.stat(primary.dataDir)) : !existsSync(primary.dataDir))
    return add('primary', 'ok', `${primary.dataDir} does not exist yet; up creates it`);
  if (!(await primary.isRunning())) return add('primary', 'warn', `${primary.name} is not running`, 'hotstandby up starts it');
  try {
    const settings = new Map(
      (
        await primary.query<{ name: string; setting: string }>(
          "SELECT name, setting FROM pg_settings WHERE name IN ('wal_level','max_wal_senders','max_replication_slots','archive_mode','hba_file','data_checksums','wal_log_hints')",
        )
      ).map((r) => [r.name, r.setting]),
    );
    const level = settings.get('wal_level');
    add('wal_level', level === 'minimal' ? 'fix' : 'ok', level ?? '?', level === 'minimal' ? 'hotstandby up --allow-restart sets replica (needs a restart)' : undefined);
    const senders = Number(settings.get('max_wal_senders'));
    const needed = rt.standbys.length + 2;
    add(
      'max_wal_senders',
      senders >= needed ? 'ok' : 'fix',
      `${senders} (the standbys and a streaming base backup need ${needed})`,
      senders >= needed ? undefined : 'hotstandby up --allow-restart raises it (needs a restart)',
    );
    const slots = await primary.query<{ slot_name: string; active: boolean }>("SELECT slot_name, active FROM pg_replication_slots WHERE slot_type = 'physical'");
    add(
      'replication slots',
      'ok',
      `${slots.length} of max_replication_slots ${settings.get('max_replication_slots')} used${slots.length ? `: ${slots.map((s) => `${s.slot_name}${s.active ? ' (active)' : ' (inactive)'}`).join(', ')}` : ''}`,
    );
    for (const s of slots.filter((s) => !s.active && !rt.standbys.some((n) => rt.spec.standbys.find((x) => x.name === n.name)?.slot === s.slot_name))) {
      add(
        `slot ${s.slot_name}`,
        'warn',
        'inactive and not used by any standby in the config: it keeps WAL on the primary forever',
        `drop it if nothing needs it: SELECT pg_drop_replication_slot('${s.slot_name}')`,
      );
    }
    for (const w of await walHealthWarnings(primary)) add(w.check, 'warn', w.detail, w.fix);
    const hba = await primary.query<{ line_number: number; user_name: string[]; database: string[] }>(
      "SELECT line_number, user_name, database FROM pg_hba_file_rules WHERE 'replication' = ANY(database) AND error IS NULL ORDER BY line_number",
    );
    const user = rt.spec.replication.user;
    const rule = hba.find((r) => r.user_name.includes(user) || r.user_name.includes('all'));
    const hbaText = settings.get('hba_file') ? ((await primary.machine.readFile(settings.get('hba_file')!).catch(() => undefined))?.toString('utf8') ?? '') : '';
    if (hbaText.includes(HBA_BLOCK_BEGIN)) add('pg_hba.conf', 'ok', `the hotstandby block lets ${user} replicate (${settings.get('hba_file')})`);
    else if (rule)
      add(
        'pg_hba.conf',
        'warn',
        `line ${rule.line_number} matches replication for ${user}, but hotstandby's own block is not there`,
        'hotstandby up adds a scram-sha-256 rule for the role before every other line',
      );
    else add('pg_hba.conf', 'fix', `no rule lets ${user} make replication connections`, 'hotstandby up adds one');
    const pending = await primary.query<{ name: string }>('SELECT name FROM pg_settings WHERE pending_restart');
    add(
      'restart pending',
      pending.length ? 'fix' : 'ok',
      pending.length ? `changed settings wait for a restart: ${pending.map((p) => p.name).join(', ')}` : 'no setting waits for a restart',
      pending.length ? `restart ${primary.name} (hotstandby up --allow-restart, or pg_ctl restart)` : undefined,
    );
  } catch (error) {
    add('primary', 'fix', `cannot inspect ${primary.name}: ${(error as Error).message}`, isHotstandbyError(error) ? error.fix : undefined);
  }
}

// How the configured base-backup method fits the binaries: "pg_basebackup" without the program is a fix line.
function addBaseBackupCheck(add: (check: string, status: DoctorCheck['status'], detail: string, fix?: string) => void, spec: ClusterSpec, b: PgBinaries): void {
  const configured = spec.steps['base-backup']?.method;
  const method = typeof configured === 'string' ? configured : 'auto';
  const has = b.has('pg_basebackup');
  if (method === 'pg_basebackup' && !has) {
    add(
      'base backup',
      'fix',
      `steps.base-backup.method is "pg_basebackup", but there is no pg_basebackup in ${b.binDir}`,
      'use method "auto" or "copy", install the PostgreSQL client programs (Debian: apt install postgresql-client), or point postgres.binDir at a full installation',
    );
  } else if (method === 'copy') {
    add('base backup', 'ok', `method "copy": the low-level copy (start backup, copy, stop backup)${has ? '; pg_basebackup is here too' : ''}`);
  } else if (method === 'pg_basebackup') {
    add('base backup', 'ok', `method "pg_basebackup": ${b.path('pg_basebackup')}`);
  } else {
    add(
      'base backup',
      'ok',
      has ? 'pg_basebackup is available; method "auto" uses it' : 'no pg_basebackup here; method "auto" uses the low-level copy (start backup, copy, stop backup)',
    );
  }
}
