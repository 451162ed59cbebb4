import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { NodeRole } from '../config/cluster-spec.js';
import { onWindows } from '../util/platform.js';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import { pollUntil } from '../util/poll.js';
import type { PgBinaries } from './binaries.js';
import { localMachine } from '../hosts/local-machine.js';
import { pathsOn } from '../hosts/machine-paths.js';
import type { Machine } from '../hosts/machine.js';
import { lsnReached } from './lsn.js';
import type { ServerUser } from './os-user.js';
import { NodeConnections } from './node-connections.js';
import type { PostmasterLaunch } from './postmaster-pid-file.js';
import { serverProcessRuns, waitForDeadServer } from './process-alive.js';
import type { RunResult } from './process-runner.js';
import { waitUntilStarted, waitUntilStopped } from './server-wait.js';
import { endWaitingPgCtl } from './waiting-pg-ctl.js';
import { ensureLogDir, lastMeaningfulLine, logSize, logTail } from './server-log.js';
import { isNotReady } from './sql-errors.js';
import { openSession, type ConnectTarget } from './sql-session.js';
import type { SqlClient } from './sql-client.js';

export { sqlFailed, sqlStateOf } from './sql-errors.js';
import { versionFacts, type VersionFacts } from './versions.js';

// The initdb options every cluster hotstandby creates gets (besides -D, -U and the password file).
export const INITDB_FIXED_ARGS: readonly string[] = ['--auth=scram-sha-256', '--encoding=UTF8', '--locale=C'];

// initdb's options for a cluster that is (or, for a throwaway one, is not) waited for on the disk.
export function initdbSyncArgs(facts: VersionFacts, durable: boolean): string[] {
  return durable ? [] : [facts.initdbNoSyncFlag];
}

// How plans show the password option initdb gets on a machine (PgNode.initdb says why).
export function initdbPasswordShown(machine: Machine): string {
  return machine.remote || !onWindows() ? '--pwfile=/dev/stdin (the password on its standard input)' : '--pwfile=<temporary 0600 file>';
}

// Everything a node handle needs.
export interface PgNodeOptions {
  name: string;
  role: NodeRole;
  port: number;
  dataDir: string;
  binaries: PgBinaries;
  osUser: ServerUser;
  logFile: string;
  superuser: { name: string; password?: string };
  host?: string;
  // The machine the node lives on (this one when not given): its programs run and its files are read and written there.
  machine?: Machine;
  // Where postgresql.conf lives when it is not in the data directory (Debian: /etc/postgresql/N/main);
  // pg_ctl is then pointed there, as pg_ctlcluster does.
  configDir?: string;
}

// How pg_ctl stops a server.
export type StopMode = 'smart' | 'fast' | 'immediate';

// A PostgreSQL server (running or not) that speaks the domain's words: start, stop, reload, promote, query, lsn, wait.
// Server programs always run as the node's OS user, and every failed start reports the tail of its log.
export class PgNode {
  readonly name: string;
  role: NodeRole;
  readonly port: number;
  readonly dataDir: string;
  readonly binaries: PgBinaries;
  readonly osUser: ServerUser;
  readonly logFile: string;
  readonly host: string;
  readonly machine: Machine;
  readonly configDir?: string;
  private readonly superuser: { name: string; password?: string };
  private readonly connections: NodeConnections;
  private seenExisting = false;

  constructor(options: PgNodeOptions) {
    this.name = options.name;
    this.role = options.role;
    this.port = options.port;
    this.dataDir = options.dataDir;
    this.binaries = options.binaries;
    this.osUser = options.osUser;
    this.logFile = options.logFile;
    this.superuser = options.superuser;
    this.host = options.host ?? '127.0.0.1';
    this.machine = options.machine ?? localMachine;
    this.configDir = options.configDir;
    this.connections = new NodeConnections(this.name, this.dataDir, (database) => this.connectTarget(database), this.machine);
  }

  // What pg_ctl -D gets: the directory holding postgresql.conf.
  get controlDir(): string {
    return this.configDir ?? this.dataDir;
  }

  // Version facts of this node's binaries.
  get facts(): VersionFacts {
    return versionFacts(this.binaries.major);
  }

  // exists() answered without waiting, for the dry-run planning checks that cannot wait: on this machine the data
  // directory is looked at; a node on another machine counts as not created until exists() has seen it.
  existsHere(): boolean {
    if (this.machine.remote) return this.seenExisting;
    return existsSync(path.join(this.dataDir, 'PG_VERSION'));
  }

  // A file operation whose failure on this machine counts as "nothing there" (as it always has); on another machine
  // a failure (the host cannot be reached) is reported, never taken for a stopped or missing server.
  private localQuietly<T>(operation: Promise<T>): Promise<T | undefined> {
    return this.machine.remote ? operation : operation.catch(() => undefined);
  }

  // A path inside the data directory, spelled for the node's machine.
  dataPath(...parts: string[]): string {
    return pathsOn(this.machine).join(this.dataDir, ...parts);
  }

  // True when the data directory holds a cluster (PG_VERSION exists on the node's machine).
  async exists(): Promise<boolean> {
    this.seenExisting = (await this.machine.stat(this.dataPath('PG_VERSION'))) !== undefined;
    return this.seenExisting;
  }

  // The PID postmaster.pid records (undefined when there is none or it is unreadable).
  private async recordedPid(): Promise<number | undefined> {
    const text = (await this.localQuietly(this.machine.readFile(this.dataPath('postmaster.pid'))))?.toString('utf8');
    if (text === undefined) return undefined;
    const pid = Number(text.split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  }

  // The PID of a live postmaster for this data directory, if one runs (checked on the node's machine).
  async pid(): Promise<number | undefined> {
    const pid = await this.recordedPid();
    if (pid === undefined) return undefined;
    return (await serverProcessRuns(this.machine, pid, this.dataDir)) ? pid : undefined;
  }

  // True when a postmaster runs for this data directory.
  async isRunning(): Promise<boolean> {
    return (await this.pid()) !== undefined;
  }

  // A postmaster.pid left by a crash whose PID now belongs to another process of the server's user would make
  // PostgreSQL refuse to start ("lock file already exists"); pid() has checked that no postmaster of this data
  // directory runs, so the file is stale and goes.
  // Returns the PID of the postmaster that runs, if one does.
  private async removeStaleLockFile(): Promise<number | undefined> {
    const lockFile = this.dataPath('postmaster.pid');
    if (!(await this.machine.stat(lockFile))) return undefined;
    const running = await this.pid();
    if (running !== undefined) return running;
    // A postmaster killed a moment ago may still be a zombie, and its backends still running: wait for them.
    await waitForDeadServer(this.dataDir, await this.recordedPid(), undefined, this.machine);
    await this.localQuietly(this.machine.remove(lockFile));
    return undefined;
  }

  // A path setting of the running server (data_directory, config_file, hba_file, ident_file) as this machine
  // names it. On Windows the server keeps paths in the system's ANSI code page, which a UTF-8 database passes
  // on undecodable, so one inside the server's data directory is named from this node's own dataDir instead.
  async settingPath(setting: string): Promise<string> {
    if (this.machine.remote || !onWindows()) return (await this.queryOne<{ value: string }>('SELECT current_setting($1) AS value', [setting]))!.value;
    const sql = "SELECT encode(textsend(current_setting('data_directory')), 'hex') AS dir, encode(textsend(current_setting($1)), 'hex') AS value";
    const row = (await this.queryOne<{ dir: string; value: string }>(sql, [setting]))!;
    const value = Buffer.from(row.value, 'hex');
    const dir = Buffer.from(row.dir, 'hex');
    const rest = value.subarray(dir.length).toString('utf8');
    if (value.subarray(0, dir.length).equals(dir) && (rest === '' || /^[\\/]/.test(rest))) return path.join(this.dataDir, rest);
    return value.toString('utf8');
  }

  // Run initdb into the data directory (which must be empty or absent), as the node's OS user, on the node's
  // machine. The superuser's password reaches initdb through a pipe (--pwfile=/dev/stdin, fed on standard input by a
  // cat running as that user, since a pipe made by another account cannot be opened again through /dev/stdin): it
  // rests in no file and appears in no argument. Windows has neither, so there it is a 0600 file made in pwfileDir
  // (the data directory's parent when not given) and removed afterwards.
  async initdb(options: { password: string; pwfileDir?: string; extraArgs?: readonly string[]; signal?: AbortSignal }): Promise<void> {
    const args = ['-D', this.dataDir, '-U', this.superuser.name, ...INITDB_FIXED_ARGS, ...(options.extraArgs ?? [])];
    const run = { user: this.osUser, purpose: `initdb for ${this.name}`, timeoutMs: 180_000, signal: options.signal };
    if (this.machine.remote || !onWindows()) {
      await this.machine.run('sh', ['-c', 'cat | "$@"', 'initdb', this.binaries.path('initdb'), '--pwfile=/dev/stdin', ...args], { ...run, input: options.password + '\n' });
      return;
    }
    const pwfile = path.join(options.pwfileDir ?? path.dirname(this.dataDir), `.initdb-${randomBytes(6).toString('hex')}.pw`);
    await this.machine.writeFileAtomic(pwfile, options.password + '\n', { mode: 0o600, uid: this.osUser.uid, gid: this.osUser.gid, exact: true });
    try {
      await this.machine.run(this.binaries.path('initdb'), [`--pwfile=${pwfile}`, ...args], run);
    } finally {
      await this.machine.remove(pwfile).catch(() => undefined);
    }
  }

  // Start the server and wait until it accepts connections; a failure carries the log's tail.
  async start(options: { timeoutSec?: number } = {}): Promise<void> {
    const timeout = options.timeoutSec ?? 90;
    await ensureLogDir(this.logFile, this.osUser, this.machine);
    const previousPid = await this.removeStaleLockFile();
    const offset = await logSize(this.logFile, this.machine);
    const startOptions = await this.backupStartOptions();
    const launch = { atMs: Date.now(), previousPid };
    const pgCtl = this.machine.runAllowFailure(
      this.binaries.path('pg_ctl'),
      ['start', '-D', this.controlDir, '-l', this.logFile, '-w', '-t', String(timeout), '-s', ...startOptions],
      {
        user: this.osUser,
        detached: true,
        purpose: `pg_ctl start for ${this.name}`,
        timeoutMs: (timeout + 15) * 1000,
      },
    );
    const started = await this.startSeenBeforePgCtl(pgCtl, launch);
    if (started !== undefined) {
      // pg_ctl has nothing left to do but notice it too: it is ended, and the start returns once it has gone, so that
      // nothing the start ran outlives it.
      endWaitingPgCtl(started, this.binaries.path('pg_ctl'));
      await pgCtl.catch(() => undefined);
      return;
    }
    const result = await pgCtl;
    if (result.exitCode !== 0) {
      const tail = await this.logTail(25, offset);
      throw new HotstandbyError('SERVER_START_FAILED', `${this.name} did not start on port ${this.port}: ${lastMeaningfulLine(tail) ?? result.stderr.trim()}`, {
        where: { node: this.name, file: this.logFile },
        detail: [result.stderr.trim(), tail].filter(Boolean).join('\n'),
        fix: `read ${this.logFile}; fix the cause and run the command again`,
      });
    }
  }

  // True when a start or stop is watched here rather than only by pg_ctl -w, which looks every 100 ms: on this
  // machine, where a look costs no round trip. Not for a node on another machine (every look an SSH round trip),
  // nor on Windows (pg_ctl runs the server through a shell under a restricted token there).
  private watchesServerItself(): boolean {
    return !this.machine.remote && !onWindows();
  }

  // pg_ctl start -w looks at postmaster.pid only every 100 ms; where watchesServerItself, the file is watched every
  // 10 ms as well, and the start is done as soon as it shows what pg_ctl waits for (see waitUntilStarted). pg_ctl
  // still decides every failure and the timeout: it knows the PID of a postmaster that exits before writing the
  // file (a bad setting), which nothing else does. Returns the started postmaster's PID, or undefined when pg_ctl
  // ended first (or alone waits: before PostgreSQL 10 the file has no status).
  private async startSeenBeforePgCtl(pgCtl: Promise<RunResult>, launch: PostmasterLaunch): Promise<number | undefined> {
    if (!this.watchesServerItself() || !this.facts.pidFileStatus) return undefined;
    let pgCtlRuns = true;
    const pgCtlEnded = pgCtl.then(
      () => undefined,
      () => undefined,
    );
    void pgCtlEnded.then(() => (pgCtlRuns = false));
    const files = { machine: this.machine, dataDir: this.dataDir, pidFile: this.dataPath('postmaster.pid') };
    return Promise.race([pgCtlEnded, waitUntilStarted(files, launch, () => pgCtlRuns)]);
  }

  // The first start of a fresh base backup (a backup_label is there) syncs the whole data directory before
  // recovery, which pg_basebackup has just written and synced file by file: on Linux with 14+, one syncfs(2)
  // does the same work (its start takes seconds less on a large backup). Later starts keep the server's setting.
  private async backupStartOptions(): Promise<string[]> {
    if ((!this.machine.remote && process.platform !== 'linux') || !this.facts.recoveryInitSyncMethod) return [];
    if (!(await this.machine.stat(this.dataPath('backup_label')))) return [];
    return ['-o', '-c recovery_init_sync_method=syncfs'];
  }

  // Stop the server (fast by default) and wait for it to exit. pg_ctl stop -w looks every 100 ms whether it is
  // gone; where watchesServerItself, pg_ctl only sends the signal (-W) and the postmaster is watched every 10 ms
  // instead (waitUntilStopped).
  async stop(mode: StopMode = 'fast', timeoutSec = 90): Promise<void> {
    await this.closeConnections();
    const pid = await this.pid();
    if (pid === undefined) return;
    const ownWait = this.watchesServerItself();
    const wait = ownWait ? ['-W'] : ['-w', '-t', String(timeoutSec)];
    const result = await this.machine.runAllowFailure(this.binaries.path('pg_ctl'), ['stop', '-D', this.controlDir, '-m', mode, ...wait, '-s'], {
      user: this.osUser,
      purpose: `pg_ctl stop for ${this.name}`,
      timeoutMs: (timeoutSec + 15) * 1000,
    });
    if (result.exitCode !== 0) {
      if (await this.isRunning()) throw this.stopFailed(mode, timeoutSec, result.stderr.trim());
      return;
    }
    if (!ownWait) return;
    const stopped = await waitUntilStopped({ machine: this.machine, dataDir: this.dataDir }, pid, timeoutSec * 1000);
    if (!stopped) throw this.stopFailed(mode, timeoutSec, `its postmaster (PID ${pid}) still runs`);
  }

  // Why a stop did not finish in time. A smart shutdown is not cancelled by pg_ctl giving up: the server still
  // refuses new connections and stops by itself when the last session ends, so the user must hear that.
  private stopFailed(mode: StopMode, timeoutSec: number, pgCtlSays: string): HotstandbyError {
    const where = { node: this.name };
    if (mode !== 'smart') {
      return new HotstandbyError('SERVER_STOP_FAILED', `${this.name} did not stop within ${timeoutSec} s (${mode} mode): ${pgCtlSays}`, { where, fix: `look at ${this.logFile}` });
    }
    return new HotstandbyError(
      'SERVER_STOP_FAILED',
      `${this.name} did not stop within ${timeoutSec} s (smart mode): sessions are still open. The smart shutdown is still in progress: ` +
        `${this.name} accepts no new connections and will stop by itself when the last session ends`,
      {
        where,
        detail: pgCtlSays || undefined,
        fix: `finish it now with "hotstandby stop ${this.name} --mode fast" (ends the open sessions), then "hotstandby start ${this.name}" to run it again; or end the sessions yourself`,
      },
    );
  }

  // Stop and start again (settings that only take effect at server start).
  async restart(): Promise<void> {
    await this.stop('fast');
    await this.start();
  }

  // Make the server re-read its configuration files.
  // pg_ctl reload only signals the postmaster; this waits until the server has re-read its files
  // (pg_conf_load_time() moves), so what follows sees the new settings.
  async reload(timeoutMs = 15_000): Promise<void> {
    const before = await this.queryOne<{ t: string }>('SELECT pg_conf_load_time()::text AS t').catch(() => undefined);
    await this.machine.run(this.binaries.path('pg_ctl'), ['reload', '-D', this.controlDir, '-s'], { user: this.osUser, purpose: `pg_ctl reload for ${this.name}` });
    if (!before) return;
    await this.pollQueryUntil('SELECT pg_conf_load_time()::text AS t', (row) => (row.t !== before.t ? true : undefined), {
      timeoutMs,
      what: `${this.name} to re-read its configuration after a reload`,
    });
  }

  // Promote a standby with pg_ctl promote and wait until it accepts writes.
  async promote(timeoutMs = 60_000): Promise<void> {
    await this.machine.run(this.binaries.path('pg_ctl'), ['promote', '-D', this.controlDir, '-w', '-t', String(Math.ceil(timeoutMs / 1000)), '-s'], {
      user: this.osUser,
      purpose: `pg_ctl promote for ${this.name}`,
    });
    await this.pollQueryUntil<boolean>('SELECT NOT pg_is_in_recovery() AS done', (r) => (r.done ? true : undefined), {
      timeoutMs,
      what: `${this.name} to leave recovery`,
    });
    this.role = 'primary';
  }

  // Run SQL as the superuser and return the rows.
  async query<T extends object = Record<string, unknown>>(sql: string, params: readonly unknown[] = [], database = 'postgres'): Promise<T[]> {
    return this.connections.query<T>(sql, params, database);
  }

  // The first row of a query (or undefined).
  async queryOne<T extends object = Record<string, unknown>>(sql: string, params: readonly unknown[] = [], database = 'postgres'): Promise<T | undefined> {
    return (await this.query<T>(sql, params, database))[0];
  }

  // Run a function on one dedicated connection (for work that must stay in one session, like a backup).
  async session<T>(fn: (client: SqlClient) => Promise<T>, database = 'postgres'): Promise<T> {
    const client = await openSession(await this.connectTarget(database));
    try {
      return await fn(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  // True when the server is a standby (or in crash recovery).
  async isInRecovery(): Promise<boolean> {
    const row = await this.queryOne<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
    return row?.r === true;
  }

  // The current WAL write position (on a primary) or the last replayed position (on a standby).
  async lsn(kind: 'insert' | 'write' | 'replay' | 'receive' = 'write'): Promise<string | null> {
    const fn = { insert: this.facts.fn.currentWalInsertLsn, write: this.facts.fn.currentWalLsn, replay: this.facts.fn.lastReplayLsn, receive: this.facts.fn.lastReceiveLsn }[kind];
    const row = await this.queryOne<{ lsn: string | null }>(`SELECT ${fn}()::text AS lsn`);
    return row?.lsn ?? null;
  }

  // Wait until this standby has replayed up to the LSN.
  async waitForReplay(target: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    let last: string | null = null;
    await pollUntil(
      async () => {
        last = await this.lsn('replay').catch(() => last);
        return lsnReached(last, target) ? true : undefined;
      },
      { timeoutMs, what: `${this.name} to replay WAL up to ${target}`, signal },
      () => `replayed up to ${last ?? 'nothing yet'}`,
    );
  }

  // Run a query until the check accepts a row, or time out.
  async pollQueryUntil<T>(sql: string, check: (row: Record<string, unknown>) => T | undefined, options: { timeoutMs: number; what: string; signal?: AbortSignal }): Promise<T> {
    return pollUntil(async () => {
      try {
        const row = await this.queryOne(sql);
        return row ? check(row) : undefined;
      } catch (error) {
        if (error instanceof HotstandbyError && (error.code === 'CONNECTION_FAILED' || isNotReady(error))) return undefined;
        throw error;
      }
    }, options);
  }

  // The last lines of the server log (from a byte offset, to see only what one start wrote).
  async logTail(lines = 20, fromOffset = 0): Promise<string> {
    return logTail(this.logFile, lines, fromOffset, this.machine);
  }

  // How many bytes the server log has now (a mark for logTail), on the node's machine.
  async logSize(): Promise<number> {
    return logSize(this.logFile, this.machine);
  }

  // Close every cached connection.
  async closeConnections(): Promise<void> {
    await this.connections.close();
  }

  // Connection parameters for the superuser (password included; never print this).
  target(database = 'postgres') {
    return { host: this.host, port: this.port, user: this.superuser.name, password: this.superuser.password, database, node: this.name };
  }

  // Where a client on this machine reaches the server: the node's own address, or for a node on another machine
  // the forwarded socket of the SSH connection to the server's address there (password included; never print this).
  async connectTarget(database = 'postgres'): Promise<ConnectTarget> {
    const target = this.target(database);
    if (!this.machine.remote) return target;
    const endpoint = `${this.host}:${this.port} on ${this.machine.label}`;
    return { ...target, ...(await this.machine.postgresEndpoint(this.port, this.host)), endpoint };
  }

  // A postgres:// URL for people, without the password.
  url(database = 'postgres', user = this.superuser.name): string {
    return `postgresql://${encodeURIComponent(user)}@${this.host}:${this.port}/${encodeURIComponent(database)}`;
  }
}
