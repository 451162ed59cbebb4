import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import { maskSecrets } from '../secrets/secret-registry.js';
import type { ServerUser } from './os-user.js';

// How to run one external program.
export interface RunOptions {
  // Run as this OS user (PostgreSQL programs never run as root).
  user?: ServerUser;
  // Extra environment (secrets go here, never in arguments); PG* variables of the caller are not inherited.
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
  // Start in a new session so the terminal's Ctrl-C does not reach a server the program forks.
  detached?: boolean;
  signal?: AbortSignal;
  // What the failure message calls this command ("pg_basebackup for slave1").
  purpose?: string;
  // Text for the program's standard input (secrets go here or in env, never in arguments); none by default.
  input?: string;
}

// What a finished program printed.
export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
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
  if (result.exitCode !== 0) {
    const output = (result.stderr || result.stdout).trim().split('\n').slice(-15).join('\n');
    throw new HotstandbyError('COMMAND_FAILED', `${options.purpose ?? command} failed (exit ${result.exitCode})`, {
      detail: `${describeCommand(command, args)}\n${output}`,
    });
  }
  return result;
}

// Run a program and return its exit code instead of throwing.
export async function runProgramAllowFailure(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const user = options.user;
  const switchUser = user !== undefined && !user.isInvoker;
  // runuser gives the server its user's supplementary groups (Debian's ssl-cert, for the snakeoil key);
  // a plain uid/gid switch (the fallback where runuser is missing) would drop them.
  const runuser = switchUser ? runuserPath() : undefined;
  const [file, argv] = runuser ? [runuser, ['-u', user!.name, '--', command, ...args]] : [command, [...args]];
  try {
    const result = await execa(file, argv, {
      reject: false,
      env: programEnv(user, options.env),
      extendEnv: false,
      cwd: options.cwd ?? (switchUser ? '/' : undefined),
      timeout: options.timeoutMs,
      detached: options.detached ?? false,
      cancelSignal: options.signal,
      forceKillAfterDelay: 5000,
      ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
      ...(switchUser && !runuser ? { uid: user.uid, gid: user.gid } : {}),
    });
    if (result.isCanceled) throw new HotstandbyError('ABORTED', `${options.purpose ?? command} was interrupted`);
    if (result.timedOut) {
      throw new HotstandbyError('TIMEOUT', `${options.purpose ?? command} did not finish within ${Math.round((options.timeoutMs ?? 0) / 1000)} s`, {
        detail: describeCommand(command, args),
      });
    }
    if (result.failed && result.exitCode === undefined) {
      throw new HotstandbyError('COMMAND_FAILED', `${options.purpose ?? command} could not be started: ${result.shortMessage}`, {
        detail: describeCommand(command, args),
      });
    }
    return { stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? ''), exitCode: result.exitCode ?? 1 };
  } catch (error) {
    if (error instanceof HotstandbyError) throw error;
    throw new HotstandbyError('COMMAND_FAILED', `${options.purpose ?? command} could not be run: ${(error as Error).message}`, { cause: error });
  }
}

// The command line as a user could paste it, with secrets masked.
export function describeCommand(command: string, args: readonly string[]): string {
  const quote = (a: string) => (/^[A-Za-z0-9_.\/:=@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return maskSecrets([command, ...args].map(quote).join(' '));
}

let runuserCache: string | null | undefined;

// util-linux runuser, when this machine has it.
function runuserPath(): string | undefined {
  if (runuserCache === undefined) runuserCache = ['/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser'].find((p) => existsSync(p)) ?? null;
  return runuserCache ?? undefined;
}
