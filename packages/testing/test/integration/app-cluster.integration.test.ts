import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { isPortFree, majorLabel, pollUntil, type ConnectionEnv } from '@hotstandby/core';
import { testBinaries } from '../../src/test-binaries.js';
import { APP_CLUSTER_ENV, appCluster, appGlobalSetup, jestGlobalSetup, jestGlobalTeardown, type AppCluster, type AppClusterInfo } from '../../src/app/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));

// The postmasters running from a data directory under dir (from /proc).
function postmastersUnder(dir: string): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((pid) => {
      try {
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        const d = args[args.indexOf('-D') + 1];
        return args.indexOf('-D') >= 0 && d !== undefined && path.resolve(d).startsWith(path.resolve(dir) + path.sep);
      } catch {
        return false;
      }
    })
    .map(Number);
}

// What a teardown must leave: no server on any node's port or from the run's directory, and no directory.
async function expectNothingLeft(info: AppClusterInfo): Promise<void> {
  const dir = path.dirname(info.configFile);
  expect(postmastersUnder(dir), 'servers left running').toEqual([]);
  for (const node of info.env.nodes) expect(await isPortFree(node.port), `port of ${node.name}`).toBe(true);
  expect(existsSync(dir), `${dir} removed`).toBe(false);
}

async function query<R>(config: pg.ClientConfig, sql: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ ...config, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows as R[];
  } finally {
    await client.end();
  }
}

describe('a primary and read replicas for an application test run', () => {
  let teardown: (() => Promise<void>) | undefined;
  let app: AppCluster;
  let readyMs = 0;

  beforeAll(async () => {
    const started = Date.now();
    teardown = await appGlobalSetup()();
    readyMs = Date.now() - started;
    app = appCluster();
  });
  afterAll(async () => {
    const info = app?.info;
    await teardown?.();
    if (info) await expectNothingLeft(info);
  });

  it('hands 1 primary + 2 replicas to the tests through the environment, the password read from the passfile', async () => {
    process.stderr.write(`app cluster (1 primary + 2 replicas) ready in ${readyMs} ms\n`);
    const env: ConnectionEnv = app.env;
    expect(env.nodes.map((n) => [n.name, n.role])).toEqual([
      ['primary', 'primary'],
      ['replica1', 'standby'],
      ['replica2', 'standby'],
    ]);
    expect(process.env[APP_CLUSTER_ENV]).not.toContain(await app.password());
    expect(process.env.DATABASE_URL).toBe(env.readWriteUrl);
    expect(process.env.PGPASSFILE).toBe(env.passfile);
    const cfg = await app.nodePostgres();
    expect((await query<{ r: boolean }>(cfg.primary, 'SELECT pg_is_in_recovery() AS r'))[0]!.r).toBe(false);
    expect(cfg.replicas.map((r) => r.port)).toEqual(env.nodes.slice(1).map((n) => n.port));
    for (const replica of cfg.replicas) expect((await query<{ r: boolean }>(replica, 'SELECT pg_is_in_recovery() AS r'))[0]!.r).toBe(true);
  });

  it('a paused replica keeps serving the old rows until resumed; waitForReplicas then sees the write everywhere', async () => {
    const cfg = await app.nodePostgres();
    const [replica1, replica2] = cfg.replicas;
    await query(cfg.primary, 'CREATE TABLE IF NOT EXISTS paused_reads (id int PRIMARY KEY)');
    await app.waitForReplicas();
    await app.pauseReplay('replica1');
    await query(cfg.primary, 'INSERT INTO paused_reads VALUES (1)');
    // replica2 replays it (the condition the paused one is compared against), replica1 does not.
    await expect(app.waitForReplicas({ timeoutMs: 1_000 })).rejects.toThrow(/replica1 at/);
    expect(await query(replica2!, 'SELECT id FROM paused_reads')).toEqual([{ id: 1 }]);
    expect(await query(replica1!, 'SELECT id FROM paused_reads')).toEqual([]);
    await app.resumeReplay('replica1');
    await app.waitForReplicas();
    expect(await query(replica1!, 'SELECT id FROM paused_reads')).toEqual([{ id: 1 }]);
    await expect(app.pauseReplay('primary')).rejects.toThrow(/primary is the primary/);
  });

  it('assertNoWritesOn reports a write sent to a replica, with its statement, and nothing before the mark', async () => {
    const cfg = await app.nodePostgres();
    const before = await app.markLog('replica2');
    await app.assertNoWritesOn('replica2', before);
    await expect(query(cfg.replicas[1]!, 'INSERT INTO paused_reads VALUES ($1)', [42])).rejects.toThrow(/read-only transaction/);
    await expect(app.assertNoWritesOn('replica2', before)).rejects.toThrow(
      /1 write went to replica2, which is read-only:\n.*cannot execute INSERT in a read-only transaction: INSERT INTO paused_reads VALUES \(\$1\)/,
    );
    await app.assertNoWritesOn('replica2', await app.markLog('replica2'));
    await app.assertNoWritesOn('replica1');
  });

  it('switchover makes a replica the primary, and the read-write URL follows it; killPrimary stops it like a crash, and promote and rejoin bring the cluster back', async () => {
    expect(await app.switchover('replica1')).toBe('replica1');
    expect(await app.primaryName()).toBe('replica1');
    const cfg = await app.nodePostgres();
    expect(cfg.primary.port).toBe(app.env.nodes[1]!.port);
    expect(cfg.replicas.map((r) => r.port).sort()).toEqual([app.env.nodes[0]!.port, app.env.nodes[2]!.port].sort());
    await app.waitForReplicas();
    expect(await app.killPrimary()).toBe('replica1');
    expect(await isPortFree(app.env.nodes[1]!.port)).toBe(true);
    await expect(app.primaryName()).rejects.toMatchObject({ message: 'no node of the cluster runs as a primary', fix: expect.stringContaining('app.promote()') });
    // The failover finishes with the kit: a replica is promoted, the others follow it, the old primary rejoins.
    expect(await app.promote('replica2')).toBe('replica2');
    expect(await app.primaryName()).toBe('replica2');
    await app.rejoin('replica1');
    const after = await app.nodePostgres();
    expect(after.primary.port).toBe(app.env.nodes[2]!.port);
    expect(after.replicas.map((r) => r.port).sort()).toEqual([app.env.nodes[0]!.port, app.env.nodes[1]!.port].sort());
    await query(after.primary, 'INSERT INTO paused_reads VALUES (7)');
    await app.waitForReplicas();
    for (const replica of after.replicas) expect(await query(replica, 'SELECT id FROM paused_reads WHERE id = 7')).toEqual([{ id: 7 }]);
  });
});

describe('an interrupted test run', () => {
  // The runner's process ends at once (vitest exits on Ctrl-C without waiting for teardowns; SIGKILL cannot be
  // handled at all): the cluster's watchdog process stops the servers and removes the directory after it.
  // Start the fixture's cluster, end its process with signal, and expect the watchdog to leave nothing.
  async function interrupted(signal: NodeJS.Signals, options?: object): Promise<AppClusterInfo> {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', path.join(here, 'fixtures', 'hold-app-cluster.ts')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...(options ? { HOLD_APP_OPTIONS: JSON.stringify(options) } : {}) },
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const info = await new Promise<AppClusterInfo>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as AppClusterInfo);
      });
      child.on('exit', () => reject(new Error(`the setup ended before it was ready: ${err}`)));
    });
    const dir = path.dirname(info.configFile);
    expect(postmastersUnder(dir).length).toBe(2);
    child.kill(signal);
    await exited;
    await pollUntil(async () => (postmastersUnder(dir).length === 0 && !existsSync(dir) ? true : undefined), {
      timeoutMs: 60_000,
      what: `the watchdog to stop the servers under ${dir} and remove it`,
    });
    await expectNothingLeft(info);
    return info;
  }

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
    it(`leaves no server, slot or directory behind after ${signal}`, async () => {
      await interrupted(signal);
    });
  }

  it('config merges key by key: postgres.version and primary.name keep the free port and data directory, and the watchdog still cleans up', async () => {
    const version = majorLabel((await testBinaries()).major);
    const info = await interrupted('SIGKILL', { replicas: 1, config: { postgres: { version }, primary: { name: 'main' } } });
    expect(info.env.nodes.map((n) => [n.name, n.role])).toEqual([
      ['main', 'primary'],
      ['replica1', 'standby'],
    ]);
  });
});

describe('the jest global setup and teardown', () => {
  it('start the cluster for the run, set the environment, and the teardown removes everything', async () => {
    const saved = process.env[APP_CLUSTER_ENV];
    try {
      await jestGlobalSetup({ replicas: 1 })();
      const info = JSON.parse(process.env[APP_CLUSTER_ENV]!) as AppClusterInfo;
      expect(info.env.nodes.map((n) => n.role)).toEqual(['primary', 'standby']);
      expect(postmastersUnder(path.dirname(info.configFile)).length).toBe(2);
      await jestGlobalTeardown();
      await expectNothingLeft(info);
    } finally {
      if (saved === undefined) delete process.env[APP_CLUSTER_ENV];
      else process.env[APP_CLUSTER_ENV] = saved;
    }
  });
});
