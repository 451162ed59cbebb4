import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { HotstandbyError, isHotstandbyError } from '../errors/hotstandby-error.js';
import { processAlive } from '../postgres/process-alive.js';
import { commandFailed, runProgramAllowFailure, type RunResult } from '../postgres/process-runner.js';
import { pollUntil } from '../util/poll.js';
import { abortOnceGroupKnown, END_GROUP_SCRIPT, GroupLineReader, inOwnGroupArgv, noteRemoteGroup, withoutGroupLine, type StillRunningThere } from './remote-process-group.js';
import { atomicWriteScript, remoteCommandLine } from './remote-shell.js';
import { sshProbeCommand, sshTargetArgs, sshTargetLabel, type SshTarget } from './ssh-target.js';
import { resolveSshTarget, type ResolvedSshTarget } from './ssh-resolved-target.js';

// How long a connection's master process outlives its last session when the tool could not close it (killed): short
// enough that nothing lingers. While the connection is open, its holding session keeps the master up however long
// the command stays idle (see holdOpen).
const CONTROL_PERSIST_SECONDS = 30;

// How long close() waits for the master and its holding session to be gone.
const CLOSE_WAIT_MS = 5000;

// How a connection is opened besides its target.
export interface SshOpenOptions {
  signal?: AbortSignal;
  // How long the master outlives its last session (seconds); only tests shorten it, to see idle spells and a killed
  // process's master end without waiting half a minute.
  controlPersistSeconds?: number;
}

// What a remote command needs besides its argv.
export interface RemoteRunOptions {
  // Sent on the command's standard input (file contents, secrets: never in the command line).
  input?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  // What a failure message calls the command ("pg_ctl start on db2").
  purpose?: string;
  // Run it in a process group of its own there, which is ended (with everything the program started in it) when the
  // run is interrupted or times out, or the tool exits while it runs; endAs: the words that run the ending kill as
  // an account allowed to signal the program (none: the login account). Its standard input is then kept open after
  // input while it runs, so that it ends there when this process is gone (a watcher there ends the group).
  ownGroup?: { endAs: readonly string[] };
}

// One SSH connection to a host, opened once per command and reused by every remote action (OpenSSH connection
// sharing: a master process and a control socket private to this process), closed at the end. Its life is the
// command's: a session held open for as long as the connection is keeps the master (and every forwarded socket) up
// through idle spells, and a master that ended anyway (the network dropped it) is started again, with its
// forwards, on next use.
export class SshConnection {
  private closed = false;
  // Forwarded sockets, with the remote address and port each reaches (made again with a new master).
  private readonly forwards = new Map<string, { remoteAddress: string; remotePort: number }>();
  private hold?: ChildProcess;
  // The master's process id, as it reports it (undefined if it did not say).
  private masterPid?: number;
  // The holding session ended while the connection was open: the master may be gone.
  private masterLost = false;
  private recovering?: Promise<void>;

  private constructor(
    readonly target: SshTarget,
    // How ssh resolves the target (an alias's real host name or address), asked once when connecting.
    readonly resolved: ResolvedSshTarget,
    private readonly controlDir: string,
    private readonly persistSeconds: number,
  ) {}

  // The host as messages name it.
  get label(): string {
    return sshTargetLabel(this.target);
  }

  // Connect (non-interactively) and keep the connection for later commands; an unreachable host, a missing key or
  // an unknown host key is one HOST_UNREACHABLE error naming the host and the command to try by hand.
  static async open(target: SshTarget, options: SshOpenOptions = {}): Promise<SshConnection> {
    const resolved = await resolveSshTarget(target, { signal: options.signal });
    const base = path.join(os.tmpdir(), `hotstandby-ssh-${process.getuid?.() ?? 'u'}`);
    await mkdir(base, { recursive: true, mode: 0o700 });
    await checkPrivateDir(base);
    await removeStaleControlDirs(base);
    // One directory per connection (named by this process and a random part: module copies in one process each
    // count their own), so closing one connection never ends another's master process or its forwarded sockets.
    const controlDir = path.join(base, `${process.pid}-${randomBytes(4).toString('hex')}`);
    await mkdir(controlDir, { recursive: true, mode: 0o700 });
    const connection = new SshConnection(target, resolved, controlDir, options.controlPersistSeconds ?? CONTROL_PERSIST_SECONDS);
    try {
      await connection.startMaster(options.signal);
    } catch (error) {
      await rm(controlDir, { recursive: true, force: true });
      throw error;
    }
    return connection;
  }

  // Start the master process (in the background, -f) and the session that holds it open.
  private async startMaster(signal?: AbortSignal): Promise<void> {
    const result = await runProgramAllowFailure(
      'ssh',
      [...this.controlArgs('yes'), '-o', `ControlPersist=${this.persistSeconds}`, '-N', '-f', ...sshTargetArgs(this.target), this.target.host],
      { detached: true, timeoutMs: 30_000, signal, purpose: `ssh to ${this.label}` },
    );
    if (result.exitCode !== 0) throw unreachable(this.target, result);
    this.masterPid = await this.runningMasterPid();
    this.holdOpen();
  }

  // The process id of the master serving the control socket, or undefined when none answers there.
  private async runningMasterPid(): Promise<number | undefined> {
    const check = await runProgramAllowFailure('ssh', [...this.controlArgs('no'), '-O', 'check', ...sshTargetArgs(this.target), this.target.host], {
      timeoutMs: 10_000,
      purpose: `check the SSH connection to ${this.label}`,
    });
    const pid = /Master running \(pid=(\d+)\)/.exec(`${check.stderr}\n${check.stdout}`)?.[1];
    return check.exitCode === 0 && pid ? Number(pid) : undefined;
  }

  // A session on the master that lasts as long as this process holds its standard input open: a remote cat waiting
  // for the end of its input. While it runs the master never counts as idle, so a forwarded socket outlives any
  // pause of the command; when this process ends, even killed, the pipe closes, the session ends, and the master
  // exits ControlPersist seconds later. Its own process group keeps a Ctrl-C for the command from ending it early,
  // and it never keeps this process alive. Its end while the connection is open marks the master as possibly lost.
  private holdOpen(): void {
    if (this.hold && this.hold.exitCode === null && this.hold.signalCode === null) this.hold.kill();
    const hold = spawn('ssh', this.sessionArgs(['cat']), {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    this.hold = hold;
    hold.stdin?.on('error', () => undefined);
    hold.once('error', () => undefined);
    hold.once('exit', () => {
      if (this.hold === hold && !this.closed) this.masterLost = true;
    });
    hold.unref();
    (hold.stdin as Socket | null)?.unref();
  }

  // Before each use: when the master process is gone (the network dropped it, someone killed it), start a new one on
  // the same control socket and forward every socket again (clients reconnect to the same paths); when only the
  // holding session ended, hold the master open again.
  private async ensureMaster(signal?: AbortSignal): Promise<void> {
    if (!this.masterLost && (this.masterPid === undefined || (await processAlive(this.masterPid)))) return;
    this.recovering ??= (async () => {
      const alive = this.masterPid !== undefined ? await processAlive(this.masterPid) : (await this.runningMasterPid()) !== undefined;
      if (alive) {
        this.holdOpen();
      } else {
        // A master that was killed leaves its control socket behind, and a new one would not listen beside it.
        for (const entry of await readdir(this.controlDir, { withFileTypes: true })) {
          if (!entry.isDirectory()) await rm(path.join(this.controlDir, entry.name), { force: true });
        }
        await this.startMaster(signal);
        for (const [socket, to] of this.forwards) await this.forward(socket, to.remoteAddress, to.remotePort);
      }
      this.masterLost = false;
    })().finally(() => {
      this.recovering = undefined;
    });
    return this.recovering;
  }

  // Run a program on the host (argv quoted for its shell); resolves with its output and exit code.
  async runAllowFailure(argv: readonly string[], options: RemoteRunOptions = {}): Promise<RunResult> {
    if (this.closed) throw new HotstandbyError('INTERNAL', `the SSH connection to ${this.label} is already closed`);
    const purpose = options.purpose ?? `${argv[0]} on ${this.label}`;
    const group = options.ownGroup ? new GroupLineReader() : undefined;
    // Stopped before it started: nothing runs there (started and killed at once, it might, unknown where).
    if (group && options.signal?.aborted) throw new HotstandbyError('ABORTED', `${purpose} was interrupted`);
    await this.ensureMaster(options.signal);
    const endAs = options.ownGroup?.endAs ?? [];
    const forget = group && noteRemoteGroup(() => group.group !== undefined && this.killGroupNow(group.group, endAs));
    const interrupt = group && options.signal ? abortOnceGroupKnown(options.signal, group) : undefined;
    let result: RunResult;
    try {
      result = await runProgramAllowFailure('ssh', this.sessionArgs(group ? inOwnGroupArgv(argv) : argv), {
        input: options.input ?? '',
        keepInputOpen: group !== undefined,
        timeoutMs: options.timeoutMs,
        signal: interrupt?.signal ?? options.signal,
        purpose,
        ...(group ? { onStderr: (chunk: Buffer) => group.feed(chunk) } : {}),
      });
    } catch (error) {
      if (group && isHotstandbyError(error) && (error.code === 'ABORTED' || error.code === 'TIMEOUT')) throw await this.endGroupAfter(error, group.group, endAs, purpose);
      throw error;
    } finally {
      forget?.();
      interrupt?.dispose();
    }
    if (group) result = { ...result, stderr: withoutGroupLine(result.stderr) };
    // ssh itself exits 255 when the connection fails (the remote program's own status is passed through otherwise).
    if (result.exitCode === 255) {
      const lost = unreachable(this.target, result);
      throw group?.group === undefined ? lost : await this.endGroupAfter(lost, group.group, endAs, purpose);
    }
    return result;
  }

  // Run a program on the host; a non-zero exit is a COMMAND_FAILED error with its output's tail.
  async run(argv: readonly string[], options: RemoteRunOptions = {}): Promise<RunResult> {
    const result = await this.runAllowFailure(argv, options);
    if (result.exitCode !== 0) throw commandFailed(options.purpose ?? `${argv[0]} on ${this.label}`, remoteCommandLine(argv), result, { host: this.label });
    return result;
  }

  // A file's bytes on the host, or undefined when it does not exist (they travel base64-encoded, so any byte survives).
  async readBytes(file: string): Promise<Buffer | undefined> {
    const result = await this.runAllowFailure(['sh', '-c', 'if [ -e "$1" ]; then base64 -w0 -- "$1"; else exit 3; fi', 'read', file], {
      purpose: `read ${file} on ${this.label}`,
    });
    if (result.exitCode === 3) return undefined;
    if (result.exitCode !== 0) {
      throw new HotstandbyError('PATH_UNREACHABLE', `cannot read ${file} on ${this.label}: ${result.stderr.trim()}`, { where: { host: this.label, file } });
    }
    return Buffer.from(result.stdout, 'base64');
  }

  // A text file's content on the host, or undefined when it does not exist.
  async readFile(file: string): Promise<string | undefined> {
    return (await this.readBytes(file))?.toString('utf8');
  }

  // Write a whole file on the host atomically with its final mode (and owner, "user" or "user:group", or with
  // keepExisting the mode and owner a file there has already); the content travels on the connection's standard
  // input (binary content base64-encoded), so a secret appears in no command line on either host, and a copy cut
  // short on the way never replaces the file.
  async writeFileAtomic(file: string, content: string | Buffer, options: { mode: number; owner?: string; keepExisting?: boolean }): Promise<void> {
    const binary = typeof content !== 'string';
    const size = binary ? content.length : Buffer.byteLength(content);
    const script = atomicWriteScript(file, { ...options, size, ...(binary ? { receive: 'base64' as const } : {}) });
    await this.run(['sh', '-c', script], { input: binary ? content.toString('base64') : content, purpose: `write ${file} on ${this.label}` });
  }

  // Make a server listening on the host's own address (loopback by default) reachable from here through this
  // connection: a Unix socket in the control directory named as PostgreSQL names its sockets, so a client given
  // { host: socketDir, port } connects to it. No port opens on either machine, and the server needs no rule
  // for connections from elsewhere.
  async forwardPostgres(remotePort: number, remoteAddress = '127.0.0.1'): Promise<{ socketDir: string; port: number }> {
    if (this.closed) throw new HotstandbyError('INTERNAL', `the SSH connection to ${this.label} is already closed`);
    await this.ensureMaster();
    const socketDir = path.join(this.controlDir, `pg-${remoteAddress}-${remotePort}`);
    const socket = path.join(socketDir, `.s.PGSQL.${remotePort}`);
    if (!this.forwards.has(socket)) {
      await mkdir(socketDir, { recursive: true, mode: 0o700 });
      await this.forward(socket, remoteAddress, remotePort);
      this.forwards.set(socket, { remoteAddress, remotePort });
    }
    return { socketDir, port: remotePort };
  }

  // Ask the master to listen on the socket and pass its connections to the address and port on the host (a socket
  // file a lost master left behind is replaced).
  private async forward(socket: string, remoteAddress: string, remotePort: number): Promise<void> {
    await rm(socket, { force: true });
    const result = await runProgramAllowFailure(
      'ssh',
      [...this.controlArgs('no'), '-O', 'forward', '-L', `${socket}:${remoteAddress}:${remotePort}`, ...sshTargetArgs(this.target), this.target.host],
      { timeoutMs: 15_000, purpose: `forward PostgreSQL port ${remotePort} of ${this.label}` },
    );
    if (result.exitCode !== 0) throw unreachable(this.target, result);
  }

  // End the connection's master process (waiting a moment for it and its holding session to be gone) and remove its
  // control socket. Safe to call twice.
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const hold = this.hold;
    hold?.stdin?.end();
    await runProgramAllowFailure('ssh', [...this.controlArgs('no'), '-O', 'exit', ...sshTargetArgs(this.target), this.target.host], { timeoutMs: 10_000 });
    const master = this.masterPid;
    const ended = async () => ((master === undefined || !(await processAlive(master))) && (!hold || hold.exitCode !== null || hold.signalCode !== null) ? true : undefined);
    // Past the deadline they end on their own: the holding session with its input, the master ControlPersist later.
    await pollUntil(ended, { timeoutMs: CLOSE_WAIT_MS, intervalMs: 10, what: `the SSH connection to ${this.label} to end` }).catch(() => undefined);
    await rm(this.controlDir, { recursive: true, force: true });
  }

  // The ssh arguments that run one command line on the host over the shared connection.
  private sessionArgs(argv: readonly string[]): string[] {
    return [...this.controlArgs('no'), ...sshTargetArgs(this.target), this.target.host, '--', remoteCommandLine(argv)];
  }

  // A stopped run's program may still run on the host: end its process group there (SIGTERM, then SIGKILL) over the
  // connection, and return the error to report, which says so when that could not be done.
  private async endGroupAfter(error: HotstandbyError, group: number | undefined, endAs: readonly string[], purpose: string): Promise<HotstandbyError> {
    const still = (why: string, fix: string) => {
      const data: StillRunningThere = { stillRunning: { host: this.label, ...(group === undefined ? {} : { processGroup: group }) } };
      return new HotstandbyError(error.code, `${error.message}; ${why}`, { where: { host: this.label, ...error.where }, detail: error.detail, fix, cause: error, data });
    };
    if (group === undefined) {
      return still(`it may still run on ${this.label}: it stopped before saying which process group it runs in there`, `look for it on ${this.label} (ps -ef) and end it`);
    }
    const kill = `kill -TERM -${group}`;
    let ended: RunResult;
    try {
      ended = await this.runAllowFailure([...endAs, 'sh', '-c', END_GROUP_SCRIPT, 'hotstandby-end', String(group)], { timeoutMs: 30_000, purpose: `end ${purpose}` });
    } catch {
      return still(
        `the connection to ${this.label} is gone: the host ends it (process group ${group}) once it notices the connection closed, until then it keeps running there`,
        `if it still runs, end it on ${this.label}: ${kill}`,
      );
    }
    if (ended.exitCode !== 0) {
      const said = (ended.stderr || ended.stdout).trim();
      return still(`its process group ${group} on ${this.label} could not be ended${said ? `: ${said}` : ''}`, `end it on ${this.label}: ${kill}, or kill -KILL -${group}`);
    }
    return error;
  }

  // End a remote program's process group at once (SIGKILL), synchronously: for the tool's exit, when nothing
  // asynchronous runs any more. The connection's master process outlives this process long enough to carry it.
  private killGroupNow(group: number, endAs: readonly string[]): void {
    if (this.closed) return;
    spawnSync('ssh', this.sessionArgs([...endAs, 'sh', '-c', 'kill -KILL -"$1"', 'hotstandby-end', String(group)]), { stdio: 'ignore', timeout: 10_000 });
  }

  private controlArgs(master: 'yes' | 'no'): string[] {
    // %C: a hash of the local host, remote host, port and user — short enough for a Unix socket path.
    return ['-o', `ControlMaster=${master}`, '-o', `ControlPath=${path.join(this.controlDir, '%C')}`];
  }
}

function unreachable(target: SshTarget, result: RunResult): HotstandbyError {
  const label = sshTargetLabel(target);
  const said = (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' ');
  const probe = sshProbeCommand(target);
  return new HotstandbyError('HOST_UNREACHABLE', `cannot reach ${label} over SSH: ${said || `ssh exited ${result.exitCode}`}`, {
    where: { host: label },
    fix: `make "${probe}" work without a prompt (an authorised key in your agent or ~/.ssh, the host key in known_hosts, the host up)`,
  });
}

// The directory holding the control sockets and forwarded PostgreSQL sockets must be this account's own and
// private: anyone who could put a socket there could stand in for a server and ask for its password.
async function checkPrivateDir(dir: string): Promise<void> {
  const st = await lstat(dir);
  const uid = process.getuid?.();
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o077) !== 0) {
    throw new HotstandbyError('PATH_UNREACHABLE', `${dir}, where hotstandby keeps its SSH connections' sockets, is not a private directory of yours`, {
      where: { file: dir },
      fix: `remove it (rm -rf ${dir}) and run the command again; hotstandby makes it again, mode 0700`,
    });
  }
}

// Control directories of hotstandby processes that no longer run (killed before they could close their connections).
async function removeStaleControlDirs(base: string): Promise<void> {
  for (const entry of await readdir(base).catch(() => [] as string[])) {
    const pid = Number(entry.split('-')[0]);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    if (!(await processAlive(pid))) await rm(path.join(base, entry), { recursive: true, force: true });
  }
}
