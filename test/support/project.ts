import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import { freePort, removeTempDir } from '@hotstandby/testing';
import { describeRun, runCli, type CliOptions, type CliResult } from './cli.js';
import { findFiles } from './files.js';
import { postmastersUnder } from './processes.js';
import { waitFor } from './wait.js';

// A user's project directory: a fresh temporary directory (mode 0755, so the postgres OS user can reach what
// is created inside) in which the CLI runs, as if the user had typed the commands there.
export interface Project {
  dir: string;
  // An absolute path inside the project.
  path(...parts: string[]): string;
  // Run the CLI with cwd = the project directory.
  run(args: readonly string[], options?: Omit<CliOptions, 'cwd'>): Promise<CliResult>;
  // Write a config file (JSON) relative to the project and make sure cleanup tears down the cluster it describes.
  writeConfig(relativePath: string, config: unknown): Promise<string>;
  // Global arguments cleanup passes to `down --purge` (besides plain discovery), e.g. ['--config', 'sub/c.json'].
  downWith(args: readonly string[]): void;
}

type Cleanup = () => Promise<void>;

// Cleanups of the running test, run last-in first-out once it finishes (passed or failed).
const stack: Cleanup[] = [];

// Run fn after the current test, before the cleanups registered earlier in it. The first cleanup of a test
// hooks the stack to the test with onTestFinished (hooks registered while a test runs must be of that kind).
export function deferCleanup(fn: Cleanup): void {
  if (stack.length === 0) onTestFinished(runCleanups);
  stack.push(fn);
}

async function runCleanups(): Promise<void> {
  const errors: unknown[] = [];
  while (stack.length) {
    const fn = stack.pop()!;
    try {
      await fn();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, errors.map((e) => (e as Error).message).join('\n'));
}

// A fresh project directory, torn down after the test: `down --purge` for every config it used, then any
// postmaster still running from a data directory inside it is shut down, then the directory is removed.
export async function createProject(prefix = 'hotstandby-e2e-'): Promise<Project> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  await chmod(dir, 0o755);
  const downArgs: string[][] = [[]];
  const project: Project = {
    dir,
    path: (...parts) => path.join(dir, ...parts),
    run: (args, options = {}) => runCli(args, { ...options, cwd: dir }),
    writeConfig: async (relativePath, config) => {
      const file = path.resolve(dir, relativePath);
      await mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
      await writeFile(file, typeof config === 'string' ? config : JSON.stringify(config, null, 2) + '\n');
      project.downWith(['--config', file]);
      return file;
    },
    downWith: (args) => {
      if (!downArgs.some((a) => a.join('\0') === args.join('\0'))) downArgs.push([...args]);
    },
  };
  deferCleanup(() => tearDownProject(project, downArgs));
  return project;
}

async function tearDownProject(project: Project, downArgs: readonly string[][]): Promise<void> {
  const problems: string[] = [];
  // Only when something was created: a state file or a running server somewhere in the project.
  if (findFiles(project.dir, 'state.json').length > 0 || findFiles(project.dir, 'postmaster.pid').length > 0) {
    for (const args of [...downArgs].reverse()) {
      const result = await runCli([...args, 'down', '--purge', '--mode', 'immediate'], { cwd: project.dir });
      if (result.code !== 0 && args.length > 0) problems.push(`cleanup: down --purge failed\n${describeRun(result)}`);
    }
  }
  const leftovers = postmastersUnder(project.dir);
  for (const p of leftovers) {
    problems.push(`cleanup: a postmaster was still running after down --purge: ${p.args.join(' ')}`);
    try {
      process.kill(p.pid, 'SIGQUIT');
    } catch {
      // already gone
    }
  }
  if (leftovers.length) await waitFor(() => postmastersUnder(project.dir).length === 0, { what: 'leftover postmasters to exit', timeoutMs: 20_000 }).catch(() => undefined);
  await removeTempDir(project.dir);
  if (problems.length) throw new Error(problems.join('\n\n'));
}

// Ports for a cluster's nodes: primary and standbys on free ports from @hotstandby/testing.
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await freePort());
  return ports;
}

// A small cluster config (primary + standbys on free ports), merged with overrides at the top level.
export async function clusterConfig(options: { standbys?: readonly string[]; primaryName?: string } & Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const { standbys = ['standby1'], primaryName = 'primary', ...rest } = options;
  const [primaryPort, ...standbyPorts] = await freePorts(1 + standbys.length);
  return {
    primary: { name: primaryName, port: primaryPort },
    standbys: standbys.map((name, i) => ({ name, port: standbyPorts[i] })),
    ...rest,
  };
}
