import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { inject } from 'vitest';

// The `hotstandby` command the tests run: the CLI bundled from the current sources for this test run by the e2e
// project's global setup (cli-bundle-setup.ts), so each start skips compiling TypeScript.
export const CLI_BIN = bundledCli();
// The launcher that runs the CLI from its TypeScript sources (`pnpm hotstandby`), for tests of how those load.
export const SOURCE_CLI_BIN = fileURLToPath(new URL('../../packages/cli/bin/hotstandby.js', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

function bundledCli(): string {
  const bin = inject('hotstandbyCliBin');
  if (!bin) throw new Error("test/support/cli.ts runs the CLI the e2e global setup bundles (test/support/cli-bundle-setup.ts); add it to this project's globalSetup");
  return bin;
}

// What a finished CLI run left behind.
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  // The command line, for failure messages.
  command: string;
  durationMs: number;
}

// How to run the CLI.
export interface CliOptions {
  cwd: string;
  // Extra variables on top of the cleaned environment (undefined removes one).
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

// The test runner's environment without what would change the CLI's behaviour behind the test's back:
// npm/pnpm script variables (npm_*, INIT_CWD) and the password variables hotstandby reads.
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^npm_/i.test(key) || key === 'INIT_CWD' || key.startsWith('HOTSTANDBY_') || key === 'PGPASSFILE' || key === 'PGPASSWORD') continue;
    env[key] = value;
  }
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

// Start `node CLI_BIN ARGS` in cwd, as a user would type `hotstandby ARGS` there.
export function startCli(args: readonly string[], options: CliOptions): ResultPromise<{ reject: false; encoding: 'utf8' }> {
  return execa(process.execPath, [CLI_BIN, ...args], {
    cwd: options.cwd,
    env: cleanEnv(options.env),
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    timeout: options.timeoutMs ?? 180_000,
    encoding: 'utf8',
  }) as ResultPromise<{ reject: false; encoding: 'utf8' }>;
}

// Run the CLI to completion and collect its exit code and output.
export async function runCli(args: readonly string[], options: CliOptions): Promise<CliResult> {
  return collect(`hotstandby ${args.join(' ')}`, startCli(args, options));
}

// Run any program (pnpm, psql) the same way: cleaned environment, no rejection on failure.
export async function runProgram(file: string, args: readonly string[], options: CliOptions): Promise<CliResult> {
  const child = execa(file, [...args], {
    cwd: options.cwd,
    env: cleanEnv(options.env),
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    timeout: options.timeoutMs ?? 180_000,
    encoding: 'utf8',
  });
  return collect(`${file} ${args.join(' ')}`, child);
}

// Wait for a started CLI and turn its result into a CliResult.
export async function collect(
  command: string,
  child: PromiseLike<{ exitCode?: number; stdout?: unknown; stderr?: unknown; signal?: string; timedOut?: boolean }>,
): Promise<CliResult> {
  const started = Date.now();
  const result = await child;
  const stderr = String(result.stderr ?? '');
  const note = result.timedOut ? `\n[test: ${command} timed out]` : result.signal ? `\n[test: ${command} killed by ${result.signal}]` : '';
  return {
    code: result.exitCode ?? -1,
    stdout: String(result.stdout ?? ''),
    stderr: stderr + note,
    command,
    durationMs: Date.now() - started,
  };
}

// A readable dump of a run, attached to assertion messages so a failing test shows what the CLI said.
export function describeRun(result: CliResult): string {
  return `$ ${result.command}\n(exit ${result.code})\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`;
}

// Parse the JSON a `--json` command printed, failing with the whole output when it is not JSON.
export function parseJson<T>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`expected JSON on stdout\n${describeRun(result)}`);
  }
}
