// `env`: connection URLs for applications, without passwords: one per node, and libpq multi-host URLs that land
// on the primary (read-write) or on a standby (read-only, prefer-standby). Checked with the cluster's own psql
// (libpq), with the superuser password from the state directory.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import pg from 'pg';
import type { ConnectionEnv } from '@hotstandby/core';
import { describeRun, parseJson, runProgram } from './support/cli.js';
import { nodeNamed } from './support/cluster-json.js';
import { ok, upCluster, type LiveCluster } from './support/cluster-nodes.js';
import { clusterConfig, createProject } from './support/project.js';

// What `env --json` prints: the library's ConnectionEnv, as JSON.
type EnvJson = ConnectionEnv;

// The host:port list of a libpq multi-host URL.
const hostsOf = (url: string) => /^postgresql:\/\/[^@/]+@([^/]+)\//.exec(url)?.[1]?.split(',') ?? [];

// Where a URL lands: pg_is_in_recovery() and the server's port, through psql (libpq resolves the multi-host URL).
// A failed connection is a soft failure (the other URLs are still tried), with what psql said.
// The password comes from the state directory's secret, or from the passfile env names (PGPASSFILE).
async function landsOn(cluster: LiveCluster, psql: string, url: string, passfile?: string): Promise<{ inRecovery: boolean; port: number } | string> {
  const result = await runProgram(psql, [url, '-XAtc', 'SELECT pg_is_in_recovery(), inet_server_port()'], {
    cwd: cluster.project.dir,
    env: { ...(passfile ? { PGPASSFILE: passfile } : { PGPASSWORD: cluster.password }), PGCONNECT_TIMEOUT: '10' },
  });
  expect.soft(result.code, describeRun(result)).toBe(0);
  if (result.code !== 0) return result.stderr.trim();
  const [recovery, port] = result.stdout.trim().split('|');
  return { inRecovery: recovery === 't', port: Number(port) };
}

describe('env', () => {
  test('per-node URLs without passwords; the read-write URL reaches the primary and the read-only ones a standby', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['s1', 's2'] }));
    const status = await cluster.status();
    const port = (name: string) => nodeNamed(status, name).port;
    const psql = path.join(status.postgres!.binDir, 'psql');
    expect(existsSync(psql), `this test uses the cluster's psql (${psql})`).toBe(true);

    const envRun = await ok(project, ['env', '--json']);
    const env = parseJson<EnvJson>(envRun);
    const shell = await ok(project, ['env']);
    for (const output of [envRun.stdout, shell.stdout]) expect(output).not.toContain(cluster.password);

    // One URL per node, without a password, to the node's port.
    expect(env.nodes.map((n) => [n.name, n.role])).toEqual([
      ['main', 'primary'],
      ['s1', 'standby'],
      ['s2', 'standby'],
    ]);
    for (const node of env.nodes) {
      const url = new URL(node.url);
      expect(url.protocol).toBe('postgresql:');
      expect(url.username).toBe('postgres');
      expect(url.password, node.url).toBe('');
      expect(Number(url.port)).toBe(port(node.name));
      expect(url.pathname).toBe('/postgres');
    }
    expect(env.passfile).toBe(path.join(cluster.stateDir, 'pgpass'));
    // Each node URL connects (node-postgres, the password from the state directory) to a node of that role.
    for (const node of env.nodes) {
      const url = new URL(node.url);
      const client = new pg.Client({
        host: url.hostname,
        port: Number(url.port),
        user: decodeURIComponent(url.username),
        database: decodeURIComponent(url.pathname.slice(1)),
        password: cluster.password,
        connectionTimeoutMillis: 10_000,
      });
      await client.connect();
      try {
        expect((await client.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0]!.r, node.name).toBe(node.role === 'standby');
      } finally {
        await client.end();
      }
    }

    // The multi-host URLs: every host listed for read-write and read-only; no password anywhere.
    for (const url of [env.readWriteUrl, env.readOnlyUrl, env.preferStandbyUrl]) expect(url).toMatch(/^postgresql:\/\/postgres@[^:@/]+:\d+(,[^:@/]+:\d+)*\/postgres\?/);
    expect(hostsOf(env.readWriteUrl).sort()).toEqual(['main', 's1', 's2'].map((n) => `127.0.0.1:${port(n)}`).sort());
    expect(env.readWriteUrl).toMatch(/[?&]target_session_attrs=read-write(&|$)/);
    // Read-only lists the standbys, then the primary (skipped while it is the primary; a standby after a switchover).
    expect(hostsOf(env.readOnlyUrl)).toEqual(['s1', 's2', 'main'].map((n) => `127.0.0.1:${port(n)}`));
    expect(env.readOnlyUrl).toMatch(/[?&]target_session_attrs=read-only(&|$)/);
    expect(env.preferStandbyUrl).toMatch(/[?&]target_session_attrs=prefer-standby(&|$)/);
    expect(shell.stdout, describeRun(shell)).toContain(`export DATABASE_URL='${env.readWriteUrl}'`);

    // They work: read-write lands on the primary, read-only and prefer-standby on a standby.
    expect(await landsOn(cluster, psql, env.readWriteUrl)).toEqual({ inRecovery: false, port: port('main') });
    expect(await landsOn(cluster, psql, env.readWriteUrl, env.passfile), 'read-write with PGPASSFILE').toEqual({ inRecovery: false, port: port('main') });
    expect.soft(await landsOn(cluster, psql, env.readOnlyUrl), 'read-only').toMatchObject({ inRecovery: true, port: expect.toBeOneOf([port('s1'), port('s2')]) });
    expect.soft(await landsOn(cluster, psql, env.preferStandbyUrl), 'prefer-standby').toMatchObject({ inRecovery: true, port: expect.toBeOneOf([port('s1'), port('s2')]) });

    // With s1 down, read-only and prefer-standby still find s2; with both standbys down, prefer-standby the primary.
    await ok(project, ['stop', 's1']);
    expect.soft(await landsOn(cluster, psql, env.readOnlyUrl), 'read-only, s1 down').toEqual({ inRecovery: true, port: port('s2') });
    expect.soft(await landsOn(cluster, psql, env.preferStandbyUrl), 'prefer-standby, s1 down').toEqual({ inRecovery: true, port: port('s2') });
    await ok(project, ['stop', 's2']);
    expect(await landsOn(cluster, psql, env.preferStandbyUrl), 'prefer-standby, both standbys down').toEqual({ inRecovery: false, port: port('main') });
    expect(await landsOn(cluster, psql, env.readWriteUrl), 'read-write, both standbys down').toEqual({ inRecovery: false, port: port('main') });
  });

  test('a delayed standby keeps its own URL but is left out of the read pools, and env says so', async () => {
    const project = await createProject();
    const config = await clusterConfig({ primaryName: 'main', standbys: ['s1', 'late'] });
    (config.standbys as Record<string, unknown>[])[1]!.applyDelay = '5min';
    const cluster = await upCluster(project, config);
    const status = await cluster.status();
    const port = (name: string) => nodeNamed(status, name).port;
    const psql = path.join(status.postgres!.binDir, 'psql');

    const env = parseJson<EnvJson>(await ok(project, ['env', '--json']));
    // late has its own URL, and the read-write URL still lists every node (a standby never accepts writes).
    expect(env.nodes.map((n) => [n.name, n.readPool])).toEqual([
      ['main', true],
      ['s1', true],
      ['late', false],
    ]);
    expect(Number(new URL(env.nodes.find((n) => n.name === 'late')!.url).port)).toBe(port('late'));
    expect(hostsOf(env.readWriteUrl).sort()).toEqual(['main', 's1', 'late'].map((n) => `127.0.0.1:${port(n)}`).sort());
    // The read pools: s1 then the primary (which read-only skips while it is the primary), never the delayed standby.
    expect(hostsOf(env.readOnlyUrl)).toEqual([`127.0.0.1:${port('s1')}`, `127.0.0.1:${port('main')}`]);
    expect(hostsOf(env.readOnlyBalancedUrl)).toEqual([`127.0.0.1:${port('s1')}`, `127.0.0.1:${port('main')}`]);
    expect(hostsOf(env.preferStandbyUrl)).toEqual([`127.0.0.1:${port('s1')}`, `127.0.0.1:${port('main')}`]);
    expect(env.excludedFromReads).toEqual([{ name: 'late', applyDelay: '5min', reason: expect.stringMatching(/5min.*applyDelay/) }]);

    // The shell output says which standby is missing from the read URLs and why.
    const shell = await ok(project, ['env']);
    expect(shell.stdout, describeRun(shell)).toMatch(
      /^# late is not in the read-only, balanced or prefer-standby URLs: it applies WAL 5min after commit \(applyDelay\).*HOTSTANDBY_LATE_URL/m,
    );
    expect(shell.stdout, describeRun(shell)).toContain(`export DATABASE_READ_ONLY_URL='${env.readOnlyUrl}'`);

    // With s1 down, prefer-standby reads from the primary (current data), not from the delayed standby.
    expect.soft(await landsOn(cluster, psql, env.preferStandbyUrl), 'prefer-standby').toEqual({ inRecovery: true, port: port('s1') });
    await ok(project, ['stop', 's1']);
    expect(await landsOn(cluster, psql, env.preferStandbyUrl), 'prefer-standby, s1 down').toEqual({ inRecovery: false, port: port('main') });
  });
});
