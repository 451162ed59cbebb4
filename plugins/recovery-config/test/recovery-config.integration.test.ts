import { afterEach, describe, expect, it } from 'vitest';
import { Cluster, ConfFile, isPortFree, parseConninfo, PgNode, type LoadedPlugin } from '@hotstandby/core';
import { createTestCluster, freePort, type TestCluster, rejectionOf } from '@hotstandby/testing';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import userCreation from '@hotstandby/plugin-user-creation';
import hbaConfig from '@hotstandby/plugin-hba-config';
import walConfig from '@hotstandby/plugin-wal-config';
import baseBackup from '@hotstandby/plugin-base-backup';
import recoveryConfig from '../src/index.js';

const plugins: LoadedPlugin[] = [
  { plugin: userCreation, origin: 'test' },
  { plugin: hbaConfig, origin: 'test' },
  { plugin: walConfig, origin: 'test' },
  { plugin: baseBackup, origin: 'test' },
  { plugin: recoveryConfig, origin: 'test' },
];
const BACKUP = ['user-creation', 'hba-config', 'wal-config', 'base-backup'];

// The primary already keeps 1GB of WAL, so wal-config has nothing to change here (its reload path, and the race
// in it, are covered by wal-config's own tests).
const WAL_READY = { wal_keep_size: '1024' };

// Wait until the standby's walreceiver streams, and return what pg_stat_wal_receiver says.
async function streaming(node: PgNode): Promise<{ status: string; conninfo: string; slot_name: string }> {
  return node.pollQueryUntil<{ status: string; conninfo: string; slot_name: string }>(
    'SELECT status, conninfo, slot_name FROM pg_stat_wal_receiver',
    (r) => (r.status === 'streaming' ? (r as { status: string; conninfo: string; slot_name: string }) : undefined),
    { timeoutMs: 30_000, what: `${node.name} to stream` },
  );
}

// Write a row on the primary and wait (on its LSN) until the standby has replayed it.
async function replicatedRow(tc: TestCluster, standby: PgNode, value: string): Promise<string | undefined> {
  await tc.primary.node.query('CREATE TABLE IF NOT EXISTS probe (v text)');
  await tc.primary.node.query('INSERT INTO probe VALUES ($1)', [value]);
  const lsn = (await tc.primary.node.lsn('write'))!;
  await standby.waitForReplay(lsn, 30_000);
  return (await standby.queryOne<{ v: string }>('SELECT v FROM probe WHERE v = $1', [value]))?.v;
}

describe('recovery-config against a real PostgreSQL', () => {
  let tc: TestCluster | undefined;
  const extraNodes: PgNode[] = [];
  afterEach(async () => {
    for (const n of extraNodes.splice(0)) await n.closeConnections();
    await tc?.cleanup();
    tc = undefined;
  });

  it('turns the base backup into a streaming hot standby: standby.signal, port, conninfo with a passfile and no password, slot', async () => {
    tc = await createTestCluster({ plugins, settings: WAL_READY });
    await tc.runSteps(BACKUP);
    const standby = tc.standby('standby1');
    const dir = standby.dataDir;

    await tc.runSteps(['recovery-config']);

    const signal = await lstat(path.join(dir, 'standby.signal'));
    expect(signal.isFile()).toBe(true);
    expect(signal.uid).toBe(tc.primary.serverUser.uid);
    expect(existsSync(path.join(dir, 'recovery.signal'))).toBe(false);
    const autoText = await readFile(path.join(dir, 'postgresql.auto.conf'), 'utf8');
    expect(autoText).not.toContain(tc.replicationPassword);
    const auto = new ConfFile(autoText);
    expect(auto.get('port')).toBe(String(standby.port));
    expect(auto.get('hot_standby')).toBe('on');
    expect(auto.get('primary_slot_name')).toBe('standby1');
    const conninfo = parseConninfo(auto.get('primary_conninfo')!);
    expect(conninfo).toMatchObject({
      host: '127.0.0.1',
      port: String(tc.primary.port),
      user: 'repuser',
      passfile: path.join(tc.spec.stateDir, 'run', 'replication.pgpass'),
      application_name: 'standby1',
    });
    expect(conninfo.password).toBeUndefined();
    expect((await lstat(conninfo.passfile!)).mode & 0o777).toBe(0o600);

    expect(await standby.isRunning()).toBe(true);
    expect(await standby.isInRecovery()).toBe(true);
    const receiver = await streaming(standby);
    expect(receiver.slot_name).toBe('standby1');
    expect(receiver.conninfo).not.toContain(tc.replicationPassword);
    const seen = await tc.primary.node.queryOne<{ state: string }>("SELECT state FROM pg_stat_replication WHERE application_name = 'standby1'");
    expect(seen?.state).toBe('streaming');
    expect((await tc.primary.node.queryOne<{ active: boolean }>("SELECT active FROM pg_replication_slots WHERE slot_name = 'standby1'"))?.active).toBe(true);
    // Exactly one effective definition of each recovery setting.
    const dupes = await standby.query<{ name: string; n: string }>(
      "SELECT name, count(*)::text AS n FROM pg_file_settings WHERE name IN ('primary_conninfo', 'primary_slot_name', 'port', 'hot_standby') GROUP BY name HAVING count(*) > 1",
    );
    expect(dupes).toEqual([]);
    expect(await replicatedRow(tc, standby, 'after-start')).toBe('after-start');

    const again = await tc.planSteps(['recovery-config']);
    expect(again[0]!.actions).toEqual([]);
  });

  it('applies a changed standby port by restarting the standby', async () => {
    tc = await createTestCluster({ plugins, settings: WAL_READY });
    await tc.runSteps([...BACKUP, 'recovery-config']);
    const old = tc.standby('standby1');
    const oldPid = await old.pid();
    await streaming(old);
    await old.closeConnections();

    const newPort = await freePort();
    const spec = { ...tc.spec, standbys: tc.spec.standbys.map((s) => ({ ...s, port: newPort })) };
    const moved = new Cluster(spec, { plugins });
    const plan = await moved.planSteps(['recovery-config']);
    expect(plan[0]!.actions.map((a) => (a.kind === 'node' ? `node:${a.op}` : a.kind))).toEqual(['write-file', 'node:restart']);

    await moved.runSteps(['recovery-config'], { renderer: 'silent' });
    const node = new PgNode({
      name: 'standby1',
      role: 'standby',
      port: newPort,
      dataDir: old.dataDir,
      binaries: tc.primary.binaries,
      osUser: tc.primary.serverUser,
      logFile: old.logFile,
      superuser: { name: 'postgres', password: tc.primary.superuserPassword },
    });
    extraNodes.push(node);
    expect(await node.pid()).not.toBe(oldPid);
    expect((await node.queryOne<{ p: string }>("SELECT current_setting('port') AS p"))!.p).toBe(String(newPort));
    expect(await node.isInRecovery()).toBe(true);
    expect(await isPortFree(old.port), 'nothing listens on the old port').toBe(true);
    await streaming(node);
    expect(await replicatedRow(tc, node, 'after-port-change')).toBe('after-port-change');
    expect((await moved.planSteps(['recovery-config']))[0]!.actions).toEqual([]);
  });

  it('refuses a base backup whose backup_label was removed, and does not start it', async () => {
    tc = await createTestCluster({ plugins, settings: WAL_READY });
    await tc.runSteps(BACKUP);
    const dir = tc.standby('standby1').dataDir;
    await unlink(path.join(dir, 'backup_label'));
    const autoConf = await readFile(path.join(dir, 'postgresql.auto.conf'));

    const error = await rejectionOf(tc.runSteps(['recovery-config']));
    expect(error.code).toBe('DATA_DIR_CONFLICT');
    expect(error.message).toMatch(/no backup_label/);
    expect(await tc.standby('standby1').isRunning()).toBe(false);
    expect(existsSync(path.join(dir, 'standby.signal'))).toBe(false);
    expect(await readFile(path.join(dir, 'postgresql.auto.conf'))).toEqual(autoConf);
  });

  it('refuses a plain copy of the running primary (no backup_label, no standby.signal) and does not start it', async () => {
    tc = await createTestCluster({ plugins, settings: WAL_READY });
    const dir = tc.standby('standby1').dataDir;
    await promisify(execFile)('cp', ['-a', tc.primary.dataDir, dir]);
    await unlink(path.join(dir, 'postmaster.pid'));
    const autoConf = await readFile(path.join(dir, 'postgresql.auto.conf'));

    await tc.runSteps(BACKUP);
    const error = await rejectionOf(tc.runSteps(['recovery-config']));
    expect(error.code).toBe('DATA_DIR_CONFLICT');
    expect(error.message).toContain(dir);
    expect(await tc.standby('standby1').isRunning()).toBe(false);
    expect(existsSync(path.join(dir, 'standby.signal'))).toBe(false);
    expect(await readFile(path.join(dir, 'postgresql.auto.conf'))).toEqual(autoConf);
  });

  it('refuses the plain copy in up() before any step changes the primary', async () => {
    tc = await createTestCluster({ plugins, settings: WAL_READY });
    const dir = tc.standby('standby1').dataDir;
    await promisify(execFile)('cp', ['-a', tc.primary.dataDir, dir]);
    await unlink(path.join(dir, 'postmaster.pid'));
    const hba = await readFile(path.join(tc.primary.dataDir, 'pg_hba.conf'));

    const error = await rejectionOf(tc.up());
    expect(error.code).toBe('DATA_DIR_CONFLICT');
    expect(await tc.standby('standby1').isRunning()).toBe(false);
    expect(await tc.primary.node.queryOne("SELECT 1 FROM pg_roles WHERE rolname = 'repuser'"), 'no role was created').toBeUndefined();
    expect(await readFile(path.join(tc.primary.dataDir, 'pg_hba.conf')), 'pg_hba.conf is untouched').toEqual(hba);
    expect(await tc.primary.node.query('SELECT slot_name FROM pg_replication_slots')).toEqual([]);
  });
});
