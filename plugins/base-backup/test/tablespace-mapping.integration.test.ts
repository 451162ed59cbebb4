// steps.base-backup.tablespaceMapping against a real PostgreSQL with a tablespace: a mapping that would not give
// each standby a directory of its own is refused before anything is made (no slot, no directory).
import { afterEach, describe, expect, it } from 'vitest';
import { pollUntil } from '@hotstandby/core';
import { BUILTIN_PLUGINS, createTestCluster, makeTempDir, rejectionOf, removeTempDir, type TestCluster } from '@hotstandby/testing';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createTablespace, PLUGINS as plugins, PREPARE } from './support/backup-cluster.js';

// A primary with the tablespace "extra", standby1 streaming from it and standby2 from standby1, each mapped to its own
// ts-<name> beside the tablespace; nothing built yet.
async function cascadeWithTablespace(): Promise<{ tc: TestCluster; dir: string }> {
  const dir = await makeTempDir();
  const location = path.join(dir, 'ts');
  const tc = await createTestCluster({
    plugins: BUILTIN_PLUGINS,
    standbys: ['standby1', 'standby2'],
    settings: { wal_keep_size: '1024' },
    config: { steps: { 'base-backup': { method: 'pg_basebackup', tablespaceMapping: { [location]: path.join(dir, 'ts-{node}') } } } },
  });
  tc.spec.standbys[1]!.upstream = 'standby1';
  await createTablespace(tc, location);
  return { tc, dir };
}

describe('base-backup tablespaceMapping', () => {
  let tc: TestCluster | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await tc?.cleanup();
    tc = undefined;
    if (dir) await removeTempDir(dir);
    dir = undefined;
  });

  it('refuses, before any slot or directory, a mapping that would not give each standby an empty directory of its own', async () => {
    dir = await makeTempDir();
    const location = path.join(dir, 'ts');
    tc = await createTestCluster({ plugins, standbys: ['standby1', 'standby2'], settings: { wal_keep_size: '1024' } });
    await tc.runSteps(PREPARE);
    await createTablespace(tc, location);
    const used = path.join(dir, 'used-standby1');
    await mkdir(used);
    await writeFile(path.join(used, 'keep.txt'), 'mine');
    const before = (await readdir(dir)).sort();

    const refusals: [Record<string, unknown>, string, RegExp][] = [
      [{ method: 'pg_basebackup' }, 'DATA_DIR_CONFLICT', /tablespaceMapping does not map: extra \(.*\/ts\)/],
      [
        { method: 'pg_basebackup', tablespaceMapping: { [location]: path.join(dir, 'shared') } },
        'DATA_DIR_CONFLICT',
        /would go to .*\/shared, which is also where standby2 would get it/,
      ],
      [{ method: 'pg_basebackup', tablespaceMapping: { [location]: location } }, 'DATA_DIR_CONFLICT', /which is where primary keeps it/],
      [{ method: 'pg_basebackup', tablespaceMapping: { [location]: path.join(location, '{node}') } }, 'DATA_DIR_CONFLICT', /overlaps where primary keeps tablespace extra/],
      [{ method: 'pg_basebackup', tablespaceMapping: { [location]: path.join(tc.primary.dataDir, 'ts-{node}') } }, 'DATA_DIR_CONFLICT', /overlaps the data directory of primary/],
      [{ method: 'pg_basebackup', tablespaceMapping: { [location]: path.join(dir, 'used-{node}') } }, 'DATA_DIR_CONFLICT', /used-standby1, which is not empty/],
      [{ method: 'copy', tablespaceMapping: { [location]: path.join(dir, 'ts-{node}') } }, 'BACKUP_FAILED', /copy method cannot give a standby .* its own tablespace directories/],
    ];
    for (const [options, code, message] of refusals) {
      tc.spec.steps['base-backup'] = options;
      const error = await rejectionOf(tc.runSteps(['base-backup']));
      expect({ code: error.code, message: error.message }, JSON.stringify(options)).toMatchObject({ code, message: expect.stringMatching(message) });
      expect(await tc.primary.node.query('SELECT slot_name FROM pg_replication_slots'), JSON.stringify(options)).toEqual([]);
      for (const standby of tc.spec.standbys) expect(existsSync(standby.dataDir), standby.dataDir).toBe(false);
      expect((await readdir(dir)).sort(), 'no directory is made').toEqual(before);
    }
    expect(await readdir(used), 'the non-empty directory is left as it was').toEqual(['keep.txt']);
  });

  it('builds a standby cascaded from a standby with tablespaces: the key is the primary location, the value for each its own', async () => {
    ({ tc, dir } = await cascadeWithTablespace());
    await tc.primary.node.query('CREATE TABLE in_extra TABLESPACE extra AS SELECT generate_series(1, 10) AS id');
    const oid = (await tc.primary.node.queryOne<{ oid: number }>("SELECT oid FROM pg_tablespace WHERE spcname = 'extra'"))!.oid;

    await tc.up();

    const upstream = await tc.standby('standby2').queryOne<{ port: string }>('SELECT sender_port::text AS port FROM pg_stat_wal_receiver');
    expect(upstream, 'standby2 streams from standby1').toEqual({ port: String(tc.spec.standbys[0]!.port) });
    for (const name of ['standby1', 'standby2']) {
      const node = tc.standby(name);
      expect(await readlink(path.join(node.dataDir, 'pg_tblspc', String(oid))), name).toBe(path.join(dir, `ts-${name}`));
      expect(await node.queryOne<{ n: number }>('SELECT count(*)::int AS n FROM in_extra'), name).toEqual({ n: 10 });
    }
  });

  it('refuses a non-empty directory of yours for a standby cascaded from one built in the same run, and leaves it as it was', async () => {
    ({ tc, dir } = await cascadeWithTablespace());
    // standby1 does not run when up's preflight looks at standby2's upstream: only the plan can see this.
    await mkdir(path.join(dir, 'ts-standby2'));
    await writeFile(path.join(dir, 'ts-standby2', 'mine.txt'), 'keep me');

    const error = await rejectionOf(tc.up());
    expect(error.message).toMatch(/ts-standby2, which is not empty/);
    expect(await readdir(path.join(dir, 'ts-standby2'))).toEqual(['mine.txt']);
  });

  it('empties the mapped directory, with the partial copy and the slot, when pg_basebackup fails midway', async () => {
    dir = await makeTempDir();
    const location = path.join(dir, 'ts');
    const mapped = path.join(dir, 'ts-standby1');
    // Throttled to pg_basebackup's minimum rate, the backup is still running once the tablespace copy has begun.
    tc = await createTestCluster({
      plugins,
      settings: { wal_keep_size: '1024' },
      config: { steps: { 'base-backup': { method: 'pg_basebackup', maxRate: '32k', tablespaceMapping: { [location]: path.join(dir, 'ts-{node}') } } } },
    });
    await tc.runSteps(PREPARE);
    await createTablespace(tc, location);
    await tc.primary.node.query('CREATE TABLE in_extra TABLESPACE extra AS SELECT generate_series(1, 100000) AS id');
    await tc.primary.node.query('CHECKPOINT');

    const outcome = rejectionOf(tc.runSteps(['base-backup']));
    await pollUntil(async () => ((await readdir(mapped).catch(() => [])).length > 0 ? true : undefined), {
      what: 'pg_basebackup to write into the mapped tablespace directory',
      timeoutMs: 60_000,
    });
    const walsender = await pollUntil(
      async () => (await tc!.primary.node.queryOne<{ pid: number }>("SELECT pid FROM pg_stat_replication WHERE application_name = 'hotstandby-standby1'"))?.pid,
      { what: 'the backup connection', timeoutMs: 30_000 },
    );
    await tc.primary.node.query('SELECT pg_terminate_backend($1)', [walsender]);

    const error = await outcome;
    expect(error.code).toBe('BACKUP_FAILED');
    expect(await readdir(mapped), 'nothing of the failed backup is left in the mapped directory').toEqual([]);
    expect(existsSync(tc.spec.standbys[0]!.dataDir)).toBe(false);
    expect(await tc.primary.node.query('SELECT slot_name FROM pg_replication_slots')).toEqual([]);
  });

  it('empties a mapped directory it made that a killed run left files in, and builds the standby', async () => {
    dir = await makeTempDir();
    const location = path.join(dir, 'ts');
    const mapped = path.join(dir, 'ts-standby1');
    tc = await createTestCluster({ plugins, config: { steps: { 'base-backup': { method: 'pg_basebackup', tablespaceMapping: { [location]: path.join(dir, 'ts-{node}') } } } } });
    await tc.runSteps(PREPARE);
    await createTablespace(tc, location);
    await tc.primary.node.query('CREATE TABLE in_extra TABLESPACE extra AS SELECT generate_series(1, 1000) AS id');
    await tc.runSteps(['base-backup']);
    // What a run killed after pg_basebackup wrote the tablespace, before the data directory was complete, leaves:
    // the tool's mapped directory full, the standby's data directory gone.
    const standbyDir = tc.spec.standbys[0]!.dataDir;
    await rm(standbyDir, { recursive: true, force: true });
    expect((await readdir(mapped)).length).toBeGreaterThan(0);

    await tc.runSteps(['base-backup']);
    expect(existsSync(path.join(standbyDir, 'PG_VERSION'))).toBe(true);
    const links = await readdir(path.join(standbyDir, 'pg_tblspc'));
    expect(await readlink(path.join(standbyDir, 'pg_tblspc', links[0]!))).toBe(mapped);
  });

  it('still refuses a non-empty mapped directory it did not make', async () => {
    dir = await makeTempDir();
    const location = path.join(dir, 'ts');
    tc = await createTestCluster({ plugins, config: { steps: { 'base-backup': { method: 'pg_basebackup', tablespaceMapping: { [location]: path.join(dir, 'ts-{node}') } } } } });
    await tc.runSteps(PREPARE);
    await createTablespace(tc, location);
    await mkdir(path.join(dir, 'ts-standby1'));
    await writeFile(path.join(dir, 'ts-standby1', 'mine.txt'), 'keep me');
    const error = await rejectionOf(tc.runSteps(['base-backup']));
    expect(error.message).toMatch(/ts-standby1, which is not empty/);
    expect(await readdir(path.join(dir, 'ts-standby1'))).toEqual(['mine.txt']);
  });
});
