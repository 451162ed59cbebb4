import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import { maskSecrets } from '../secrets/secret-registry.js';
import { onWindows } from '../util/platform.js';
import type { ServerUser } from './os-user.js';
import { countProgram, timed } from '../util/timings.js';
import { noteProgramEnded, noteProgramStarted, runningProgramGroups } from './program-registry.js';

// How to run one external program.
export interface RunOptions {
  // Run as this OS user (PostgreSQL programs never run as root).
  user?: ServerUser;
  // Extra environment (secrets go here, never in arguments); PG* variables of the caller are not inherited.
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
  // The program starts a server that outlives it (pg_ctl start): what it leaves in its process group is not
  // ended when it exits normally. (Every program runs in a session of its own, out of reach of the terminal's Ctrl-C.)
  detached?: boolean;
  signal?: AbortSignal;
  // What the failure message calls this command ("pg_basebackup for slave1").
  purpose?: string;
  // Text for the program's standard input (secrets go here or in env, never in arguments); none by default.
  input?: string;
  // Told each piece of the program's standard error as it arrives (the whole of it is in the result as well).
  onStderr?: (chunk: Buffer) => void;
  // Keep standard input open after input (until the program exits), so that the program sees it end when this
  // process is gone, however it ended (ssh passes that on to a program on another host).
  keepInputOpen?: boolean;
}

// What a finished program printed.
export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  // The signal that ended it, when one did (its exitCode is then 128 + the signal's number).
  killedBy?: string;
}

// The environment a PostgreSQL program gets: a clean C locale, the server user's home, no inherited PG* secrets.
export function programEnv(user: ServerUser | undefined, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('PG') || k.startsWith('npm_') || k === 'LC_ALL' || k === 'LANG') continue;
    env[k] = v;
  }
  env.LC_ALL = 'C';
  env.LANG = 'C';
  if (user && !user.isInvoker) {
    env.HOME = user.home;
    env.USER = user.name;
    env.LOGNAME = user.name;
  }
  return { ...env, ...extra };
}

// Run a program to completion as the given user; a non-zero exit becomes a COMMAND_FAILED error with the masked output.
export async function runProgram(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await runProgramAllowFailure(command, args, options);
  if (result.exitCode !== 0) throw commandFailed(options.purpose ?? command, describeCommand(command, args), result);
  return result;
}

// The COMMAND_FAILED error of a program that exited non-zero: what it was for, how it ended, the command line and the
// tail of its output (on another host, where names it).
export function commandFailed(purpose: string, commandLine: string, result: RunResult, where: { host?: string } = {}): HotstandbyError {
  const output = (result.stderr || result.stdout).trim().split('\n').slice(-15).join('\n');
  const how = result.killedBy ? `killed by ${result.killedBy}` : `exit ${result.exitCode}`;
  return new HotstandbyError('COMMAND_FAILED', `${purpose} failed (${how})`, { ...(where.host ? { where } : {}), detail: `${commandLine}\n${output}` });
}

// Run a program and return its exit code instead of throwing. It runs in a process group of its own, which is
// ended with it: after it exits (a helper it forked, such as pg_basebackup's WAL streamer, cannot outlive it or
// keep its output pipes open), when it is interrupted or times out, and when the tool itself exits.
export async function runProgramAllowFailure(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const user = options.user;
  const switchUser = user !== undefined && !user.isInvoker;
  // runuser gives the server its user's supplementary groups (Debian's ssl-cert, for the snakeoil key);
  // a plain uid/gid switch (the fallback where runuser is missing) would drop them.
  const runuser = switchUser ? runuserPath() : undefined;
  const [file, argv] = runuser ? [runuser, ['-u', user!.name, '--', command, ...args]] : [command, [...args]];
  countProgram(command, args);
  const outcome = await timed(`program ${options.purpose ?? describeCommand(command, args)}`, () =>
    runInOwnGroup(file, argv, {
      env: programEnv(user, options.env),
      cwd: options.cwd ?? (switchUser ? '/' : undefined),
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      leavesServer: options.detached ?? false,
      input: options.input,
      label: options.purpose ?? command,
      onStderr: options.onStderr,
      keepInputOpen: options.keepInputOpen ?? false,
      ids: switchUser && !runuser ? { uid: user.uid, gid: user.gid } : undefined,
    }),
  );
  if (outcome.aborted) throw new HotstandbyError('ABORTED', `${options.purpose ?? command} was interrupted`);
  if (outcome.timedOut) {
    throw new HotstandbyError('TIMEOUT', `${options.purpose ?? command} did not finish within ${Math.round((options.timeoutMs ?? 0) / 1000)} s`, {
      detail: describeCommand(command, args),
    });
  }
  if (outcome.startError) {
    throw new HotstandbyError('COMMAND_FAILED', `${options.purpose ?? command} could not be started: ${outcome.startError.message}`, {
      detail: describeCommand(command, args),
      cause: outcome.startError,
    });
  }
  return { stdout: outcome.stdout, stderr: outcome.stderr, exitCode: outcome.exitCode, ...(outcome.killedBy ? { killedBy: outcome.killedBy } : {}) };
}

let endOnExit = false;

// Remember a program's process group (in the record of running programs); the first one makes the process end every
// group still running when it exits, whatever the way (so the CLI's entry need not load the engine to arrange it).
function trackGroup(group: number, label: string): void {
  noteProgramStarted(group, label);
  if (!endOnExit) {
    endOnExit = true;
    process.on('exit', endAllPrograms);
  }
}

// End every program the tool started and that still runs (with everything in its process group); for the
// tool's own exit, so nothing it started outlives it. Synchronous, so it can run in an 'exit' handler.
export function endAllPrograms(): void {
  for (const group of runningProgramGroups()) {
    signalGroup(group, 'SIGKILL');
    noteProgramEnded(group);
  }
}

// How long an interrupted program gets between SIGTERM and SIGKILL.
const FORCE_KILL_AFTER_MS = 5000;
// How long output still in the pipes is read after the program exited.
const DRAIN_AFTER_EXIT_MS = 2000;

interface GroupRunOptions {
  env: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  // The program starts a server meant to outlive it: its group is left alone after a normal exit.
  leavesServer: boolean;
  ids?: { uid: number; gid: number };
  // Written to the program's standard input, which is then closed; without it stdin is /dev/null.
  input?: string;
  // What the program is, for the record of running programs ("pg_basebackup for standby1").
  label: string;
  onStderr?: (chunk: Buffer) => void;
  keepInputOpen: boolean;
}

interface GroupOutcome {
  stdout: string;
  stderr: string;
  exitCode: number;
  killedBy?: string;
  aborted: boolean;
  timedOut: boolean;
  startError?: Error;
}

// Spawn the program as the leader of a new process group, and settle when it exits (not when its output pipes
// close, which a leftover grandchild could hold open for ever).
function runInOwnGroup(file: string, argv: readonly string[], options: GroupRunOptions): Promise<GroupOutcome> {
  return new Promise((resolve) => {
    const result: GroupOutcome = { stdout: '', stderr: '', exitCode: 1, aborted: false, timedOut: false };
    let child: ChildProcess;
    try {
      child = spawn(file, argv, {
        env: options.env,
        cwd: options.cwd,
        detached: true,
        stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        ...(options.ids ?? {}),
      });
      if (options.input !== undefined) {
        // A program that exits without reading all of it closes the pipe: that is its business, not an error here.
        child.stdin?.on('error', () => undefined);
        if (options.keepInputOpen) child.stdin?.write(options.input);
        else child.stdin?.end(options.input);
      }
    } catch (error) {
      resolve({ ...result, startError: error as Error });
      return;
    }
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr.push(chunk);
      options.onStderr?.(chunk);
    });
    const pid = child.pid;
    if (pid !== undefined) trackGroup(pid, options.label);
    let forceKill: NodeJS.Timeout | undefined;
    const stop = (reason: 'aborted' | 'timedOut') => {
      if (result.aborted || result.timedOut || pid === undefined) return;
      result[reason] = true;
      signalGroup(pid, 'SIGTERM');
      forceKill = setTimeout(() => signalGroup(pid, 'SIGKILL'), FORCE_KILL_AFTER_MS);
    };
    const onAbort = () => stop('aborted');
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = options.timeoutMs ? setTimeout(() => stop('timedOut'), options.timeoutMs) : undefined;
    const settle = () => {
      clearTimeout(timer);
      clearTimeout(forceKill);
      options.signal?.removeEventListener('abort', onAbort);
      // Standard input kept open while the program ran is of no use once it ended.
      child.stdin?.destroy();
      result.stdout = stripFinalNewline(Buffer.concat(stdout).toString('utf8'));
      result.stderr = stripFinalNewline(Buffer.concat(stderr).toString('utf8'));
      resolve(result);
    };
    child.once('error', (error) => {
      // Only a program that never started has no pid; errors of a running one arrive as its exit.
      if (pid !== undefined) return;
      result.startError = error;
      settle();
    });
    child.once('exit', (code, signal) => {
      result.exitCode = code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0);
      if (signal) result.killedBy = signal;
      if (pid !== undefined) {
        noteProgramEnded(pid);
        // Whatever it left in its group goes with it (a server it started has a session of its own, or is meant to stay).
        // Windows has no groups: what the program started is only found through it while it runs (see signalGroup).
        if (!onWindows() && (!options.leavesServer || result.aborted || result.timedOut)) signalGroup(pid, 'SIGKILL');
      }
      void drained(child, DRAIN_AFTER_EXIT_MS).then(settle);
    });
  });
}

// Resolves when both output pipes are closed, or after ms (then they are closed from this side).
async function drained(child: ChildProcess, ms: number): Promise<void> {
  const streams = [child.stdout!, child.stderr!];
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(streams.map((s) => (s.closed ? undefined : new Promise((done) => s.once('close', done))))),
    new Promise((done) => {
      timer = setTimeout(done, ms);
    }),
  ]);
  clearTimeout(timer);
  for (const s of streams) s.destroy();
}

// Send a signal to every process of a group; a group that is already gone is fine. Windows has neither signals
// nor process groups: there the program and every process it started (its tree) are ended at once by taskkill.
function signalGroup(group: number, signal: NodeJS.Signals): void {
  if (onWindows()) {
    spawnSync('taskkill', ['/pid', String(group), '/T', '/F'], { stdio: 'ignore', windowsHide: true });
    return;
  }
  try {
    process.kill(-group, signal);
  } catch {
    // ESRCH: nothing left in it.
  }
}

function stripFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

// The command line as a user could paste it, with secrets masked.
export function describeCommand(command: string, args: readonly string[]): string {
  const quote = (a: string) => (/^[A-Za-z0-9_./:=@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return maskSecrets([command, ...args].map(quote).join(' '));
}

let runuserCache: string | null | undefined;

// util-linux runuser, when this machine has it.
function runuserPath(): string | undefined {
  if (runuserCache === undefined) runuserCache = ['/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser'].find((p) => existsSync(p)) ?? null;
  return runuserCache ?? undefined;
}
