import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type pg from 'pg';
import { pollUntil } from '@hotstandby/core';
import { describeRun, runProgram, type CliResult } from './cli.js';
import { nodeNamed, statusOf, type StatusJson, type StatusNode } from './cluster-json.js';
import { connect, generatedSuperuserPassword } from './pg.js';
import { deferCleanup, type Project } from './project.js';

// A running cluster as an e2e test sees it: the project, its state directory and the generated superuser password,
// with clients to its nodes that are closed after the test.
export interface LiveCluster {
  project: Project;
  stateDir: string;
  password: string;
  // `status --json` now.
  status(): Promise<StatusJson>;
  // A node of the current status (port, data directory, ...).
  node(name: string): Promise<StatusNode>;
  // A client to the named node as the superuser (closed after the test).
  client(name: string): Promise<pg.Client>;
}

// Run a CLI command that must succeed (exit 0), returning its result.
export async function ok(project: Project, args: readonly string[], options: { timeoutMs?: number } = {}): Promise<CliResult> {
  const result = await project.run(args, options);
  expect(result.code, describeRun(result)).toBe(0);
  return result;
}

// Write the config, run `up --plain` and open the cluster for the test.
export async function upCluster(project: Project, config: Record<string, unknown>, upTimeoutMs = 120_000): Promise<LiveCluster> {
  await project.writeConfig('hotstandby.config.json', config);
  await ok(project, ['up', '--plain'], { timeoutMs: upTimeoutMs });
  return openLiveCluster(project, typeof config.stateDir === 'string' ? project.path(config.stateDir) : project.path('.hotstandby'));
}

// The cluster of a project whose `up` already ran.
export function openLiveCluster(project: Project, stateDir: string): LiveCluster {
  const password = generatedSuperuserPassword(stateDir);
  // A node's port does not change under a test, so clients look ports up in one status taken on first use.
  let ports: Promise<StatusJson> | undefined;
  return {
    project,
    stateDir,
    password,
    status: () => statusOf(project),
    node: async (name) => nodeNamed(await statusOf(project), name),
    client: async (name) => {
      // Nodes added since are looked up in a fresh status.
      if (!ports || !(await ports).nodes.some((n) => n.name === name)) ports = statusOf(project);
      const node = nodeNamed(await ports, name);
      const client = await connect(node.port, password);
      // A server stopped under the client makes it emit 'error'; that is expected in these tests.
      client.on('error', () => undefined);
      deferCleanup(() => client.end().catch(() => undefined));
      return client;
    },
  };
}

// Wait until a standby has replayed the primary's current WAL position (the LSN is read once, now), polling the
// standby's replay LSN with the core's pollUntil; returns that LSN.
export async function waitReplayed(primary: pg.Client, standby: pg.Client, what: string, timeoutMs = 30_000): Promise<string> {
  const target = (await primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn;
  let last = 'nothing';
  await pollUntil(
    async () => {
      const row = (
        await standby.query<{ done: boolean; lsn: string | null }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done, pg_last_wal_replay_lsn()::text AS lsn', [target])
      ).rows[0]!;
      last = row.lsn ?? 'nothing';
      return row.done ? true : undefined;
    },
    { timeoutMs, what: `${what} to replay up to ${target}` },
    () => `replayed up to ${last}`,
  );
  return target;
}

// Wait until `status --json` says what check accepts (for states that settle after a start, like streaming).
export async function waitForStatus(cluster: LiveCluster, what: string, check: (status: StatusJson) => boolean, timeoutMs = 30_000): Promise<StatusJson> {
  let last: StatusJson | undefined;
  await pollUntil(
    async () => {
      last = await cluster.status();
      return check(last) ? true : undefined;
    },
    { timeoutMs, what, intervalMs: 200 },
    () =>
      JSON.stringify(
        last?.nodes.map((n) => ({ name: n.name, state: n.state, upstream: n.upstream, error: n.error })),
        null,
        1,
      ),
  );
  return last!;
}

// The rows of a one-column integer table, sorted.
export async function ids(client: pg.Client, table: string): Promise<number[]> {
  const { rows } = await client.query<{ id: number }>(`SELECT id FROM ${table} ORDER BY id`);
  return rows.map((r) => Number(r.id));
}

// The value of a setting as the server reports it.
export async function show(client: pg.Client, setting: string): Promise<string> {
  const { rows } = await client.query<{ v: string }>(`SELECT current_setting($1) AS v`, [setting]);
  return rows[0]!.v;
}

// The physical slots on a server.
export async function slotNames(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ slot_name: string }>('SELECT slot_name FROM pg_replication_slots ORDER BY 1');
  return rows.map((r) => r.slot_name);
}

// The postmaster's pid from the first line of postmaster.pid.
export function postmasterPid(dataDir: string): number {
  return Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

// Run one of the cluster's PostgreSQL programs (pg_ctl) as the servers' OS user, the way an operator does by hand.
export async function runAsServerUser(status: StatusJson, program: string, args: readonly string[], cwd: string): Promise<CliResult> {
  const file = path.join(status.postgres!.binDir, program);
  if (process.getuid?.() === 0) return runProgram('runuser', ['-u', status.osUser ?? 'postgres', '--', file, ...args], { cwd });
  return runProgram(file, args, { cwd });
}

// The user id a process runs as (from /proc).
export function processUid(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Uid:'));
  return Number(line?.split(/\s+/)[1]);
}
