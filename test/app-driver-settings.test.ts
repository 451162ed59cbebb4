// `env --format F`: connection settings for client libraries, checked by connecting with the real clients
// (node-postgres, postgres.js, knex with pg), the password read from env's passfile at run time. The read
// settings keep finding a standby after a switchover.
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import pg from 'pg';
import postgres from 'postgres';
import knex from 'knex';
import type { ConnectionEnv, DriverSettingsByFormat, PgClientSettings } from '@hotstandby/core';
import { describeRun, parseJson, runProgram } from './support/cli.js';
import { nodeNamed } from './support/cluster-json.js';
import { ok, upCluster } from './support/cluster-nodes.js';
import { clusterConfig, createProject } from './support/project.js';

// Where a connection landed: in recovery or not, and the server's port.
interface Landing {
  inRecovery: boolean;
  port: number;
}

const WHERE = 'SELECT pg_is_in_recovery() AS r, inet_server_port() AS p';

// The drivers read PGPASSFILE when a config has no password: point it at env's passfile for each test.
const savedPassfile = process.env.PGPASSFILE;
afterEach(() => {
  if (savedPassfile === undefined) delete process.env.PGPASSFILE;
  else process.env.PGPASSFILE = savedPassfile;
});

async function viaPg(config: PgClientSettings): Promise<Landing> {
  const client = new pg.Client({ ...config, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const row = (await client.query<{ r: boolean; p: number }>(WHERE)).rows[0]!;
    return { inRecovery: row.r, port: row.p };
  } finally {
    await client.end();
  }
}

async function viaPostgresJs(config: DriverSettingsByFormat['postgres-js']['primary']): Promise<Landing> {
  const sql = postgres({ ...config, max: 1, connect_timeout: 10, onnotice: () => undefined });
  try {
    const [row] = await sql<{ r: boolean; p: number }[]>`SELECT pg_is_in_recovery() AS r, inet_server_port() AS p`;
    return { inRecovery: row!.r, port: row!.p };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function viaKnex(config: DriverSettingsByFormat['knex']['write']): Promise<Landing> {
  const db = knex({ ...config, pool: { min: 0, max: 1 } });
  try {
    const result = await db.raw<{ rows: { r: boolean; p: number }[] }>(WHERE);
    return { inRecovery: result.rows[0]!.r, port: result.rows[0]!.p };
  } finally {
    await db.destroy();
  }
}

describe('env --format for client libraries', () => {
  test('node-postgres, postgres.js and knex connect with the printed settings and no printed password; reads still find a standby after a switchover', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['s1', 's2'] }));
    const status = await cluster.status();
    const port = (name: string) => nodeNamed(status, name).port;
    const formatOf = async <F extends keyof DriverSettingsByFormat>(format: F) => {
      const run = await ok(project, ['env', '--format', format]);
      expect(run.stdout, `${format} prints no password`).not.toContain(cluster.password);
      return format === 'jdbc' ? (run.stdout as unknown as DriverSettingsByFormat[F]) : parseJson<DriverSettingsByFormat[F]>(run);
    };
    const env = parseJson<ConnectionEnv>(await ok(project, ['env', '--format', 'json']));
    process.env.PGPASSFILE = env.passfile;

    // node-postgres: one config per node, the primary and the two standbys.
    const nodePg = await formatOf('node-postgres');
    expect(nodePg.primary).toEqual({ host: '127.0.0.1', port: port('main'), user: 'postgres', database: 'postgres' });
    expect(await viaPg(nodePg.primary)).toEqual({ inRecovery: false, port: port('main') });
    expect(nodePg.replicas.map((r) => r.port)).toEqual([port('s1'), port('s2')]);
    for (const replica of nodePg.replicas) expect(await viaPg(replica)).toEqual({ inRecovery: true, port: replica.port });

    // knex: the write config lands on the primary, each read config on a standby.
    const knexSettings = await formatOf('knex');
    expect(await viaKnex(knexSettings.write)).toEqual({ inRecovery: false, port: port('main') });
    for (const read of knexSettings.read) expect(await viaKnex(read)).toEqual({ inRecovery: true, port: read.connection.port });

    // postgres.js: multi-host settings, like libpq's URLs.
    const pgjs = await formatOf('postgres-js');
    expect(await viaPostgresJs(pgjs.primary)).toEqual({ inRecovery: false, port: port('main') });
    expect(await viaPostgresJs(pgjs.replicas)).toMatchObject({ inRecovery: true, port: expect.toBeOneOf([port('s1'), port('s2')]) });

    // The password only when asked for.
    const shown = await ok(project, ['env', '--format', 'node-postgres', '--show-password']);
    expect(parseJson<DriverSettingsByFormat['node-postgres']>(shown).primary.password).toBe(cluster.password);

    // After a switchover to s1, the settings printed before still reach the primary (s1) and a standby.
    await ok(project, ['switchover', 's1']);
    expect(await viaPostgresJs(pgjs.primary), 'postgres.js read-write after the switchover').toEqual({ inRecovery: false, port: port('s1') });
    expect(await viaPostgresJs(pgjs.replicas), 'postgres.js read-only after the switchover').toMatchObject({
      inRecovery: true,
      port: expect.toBeOneOf([port('main'), port('s2')]),
    });
    // The libpq read-only URL from before the switchover: with s2 stopped, only main (the old primary, now a
    // standby) is read-only, and the URL finds it because it lists every node.
    await ok(project, ['stop', 's2']);
    const psql = path.join(status.postgres!.binDir, 'psql');
    const run = await runProgram(psql, [env.readOnlyUrl, '-XAtc', 'SELECT pg_is_in_recovery(), inet_server_port()'], {
      cwd: project.dir,
      env: { PGPASSFILE: env.passfile, PGCONNECT_TIMEOUT: '10' },
    });
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout.trim()).toBe(`t|${port('main')}`);
  });

  test('an unknown format is refused with the list of formats, and --show-password only with a driver format', async () => {
    const project = await createProject();
    const bad = await project.run(['env', '--format', 'odbc']);
    expect(bad.code, describeRun(bad)).toBe(2);
    expect(bad.stderr).toMatch(/--format must be shell, json, node-postgres, postgres-js, prisma, drizzle, knex, kysely, jdbc \(got "odbc"\)/);
    const shell = await project.run(['env', '--show-password']);
    expect(shell.code, describeRun(shell)).toBe(2);
    expect(shell.stderr).toMatch(/--show-password applies to the driver formats/);
  });
});
