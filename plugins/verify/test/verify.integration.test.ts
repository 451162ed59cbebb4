import { afterEach, describe, expect, it } from 'vitest';
import type { LoadedPlugin, PgNode } from '@hotstandby/core';
import { createTestCluster, type TestCluster, rejectionOf } from '@hotstandby/testing';
import userCreation from '@hotstandby/plugin-user-creation';
import hbaConfig from '@hotstandby/plugin-hba-config';
import walConfig from '@hotstandby/plugin-wal-config';
import baseBackup from '@hotstandby/plugin-base-backup';
import recoveryConfig from '@hotstandby/plugin-recovery-config';
import verify, { type VerifyReport } from '../src/index.js';

const plugins: LoadedPlugin[] = [
  { plugin: userCreation, origin: 'test' },
  { plugin: hbaConfig, origin: 'test' },
  { plugin: walConfig, origin: 'test' },
  { plugin: baseBackup, origin: 'test' },
  { plugin: recoveryConfig, origin: 'test' },
  { plugin: verify, origin: 'test' },
];
const CHECKS = ['running', 'in-recovery', 'row-replicated', 'read-only', 'streaming'];

// The primary already keeps 1GB of WAL, so wal-config has nothing to change here (its reload path, and the race
// in it, are covered by wal-config's own tests).
const WAL_READY = { wal_keep_size: '1024' };

async function markerTables(node: PgNode): Promise<string[]> {
  return (await node.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE tablename LIKE 'hotstandby\\_verify\\_%'")).map((r) => r.t);
}

// Wait (on the LSN) until the standby has replayed everything the primary wrote so far.
async function caughtUp(tc: TestCluster, standby: PgNode): Promise<void> {
  await standby.waitForReplay((await tc.primary.node.lsn('write'))!, 30_000);
}

describe('verify against a real primary and standbys', () => {
  let tc: TestCluster | undefined;
  afterEach(async () => {
    await tc?.cleanup();
    tc = undefined;
  });

  it('reports every check ok on two standbys, measures the lag and leaves no marker table behind', async () => {
    tc = await createTestCluster({ plugins, settings: WAL_READY, standbys: ['standby1', 'standby2'] });
    await tc.up();

    const records = await tc.runSteps(['verify']);
    expect(records).toHaveLength(1);
    expect(records[0]!.summary).toMatch(/2 standby\(s\) read-only and streaming/);
    const report = records[0]!.data as VerifyReport;
    expect(report.ok).toBe(true);
    expect(report.primary).toBe('primary');
    expect(report.markerLsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(report.standbys.map((s) => s.name).sort()).toEqual(['standby1', 'standby2']);
    for (const s of report.standbys) {
      expect(s).toMatchObject({ upstream: 'primary', ok: true, inRecovery: true, readOnly: true, rowReplicated: true, streaming: true });
      expect(s.checks.map((c) => c.name)).toEqual(CHECKS);
      expect(s.checks.filter((c) => !c.ok)).toEqual([]);
      expect(s.checks.find((c) => c.name === 'read-only')!.detail).toMatch(/25006/);
      expect(typeof s.replayLagBytes).toBe('number');
      expect(s.replayLagBytes!).toBeGreaterThanOrEqual(0);
      expect(s.replayLagSeconds).not.toBeNull();
      expect(s.waitedMs).not.toBeNull();
    }

    expect(await markerTables(tc.primary.node)).toEqual([]);
    for (const name of ['standby1', 'standby2']) {
      const standby = tc.standby(name);
      await caughtUp(tc, standby);
      expect(await markerTables(standby), `no marker table left on ${name}`).toEqual([]);
    }
  });

  it('fails the "running" check of a stopped standby with VERIFY_FAILED naming it, the report in error.data', async () => {
    tc = await createTestCluster({ plugins, settings: WAL_READY });
    await tc.up();
    await tc.standby('standby1').stop('fast');

    const error = await rejectionOf(tc.runSteps(['verify']));
    expect(error.code).toBe('VERIFY_FAILED');
    expect(error.message).toMatch(/^standby1: check "running" failed/);
    expect(error.where.node).toBe('standby1');
    const report = error.data as VerifyReport;
    expect(report.ok).toBe(false);
    const s = report.standbys.find((x) => x.name === 'standby1')!;
    expect(s.ok).toBe(false);
    expect(s.checks[0]).toMatchObject({ name: 'running', ok: false });
    expect(await markerTables(tc.primary.node)).toEqual([]);
  });

  it('fails "row-replicated" when replay is paused, saying so, and stays clean after resume', async () => {
    tc = await createTestCluster({ plugins, settings: WAL_READY, config: { steps: { verify: { timeoutSeconds: 3 } } } });
    await tc.up();
    const standby = tc.standby('standby1');
    await standby.query('SELECT pg_wal_replay_pause()');
    await standby.pollQueryUntil('SELECT pg_is_wal_replay_paused() AS p', (r) => (r.p ? true : undefined), { timeoutMs: 10_000, what: 'replay to pause' });

    const started = Date.now();
    const error = await rejectionOf(tc.runSteps(['verify']));
    expect(Date.now() - started, 'it gives up after about timeoutSeconds').toBeLessThan(20_000);
    expect(error.code).toBe('VERIFY_FAILED');
    expect(error.message).toMatch(/standby1: check "row-replicated" failed/);
    expect(error.message).toMatch(/replay is paused/);
    const report = error.data as VerifyReport;
    const s = report.standbys[0]!;
    expect(s).toMatchObject({ name: 'standby1', ok: false, inRecovery: true, rowReplicated: false });
    expect(s.checks.find((c) => c.name === 'row-replicated')).toMatchObject({ ok: false });
    // Paused replay does not make the standby writable: the read-only proof must still hold.
    expect(s.readOnly, `read-only check: ${s.checks.find((c) => c.name === 'read-only')?.detail}`).toBe(true);
    expect(await markerTables(tc.primary.node)).toEqual([]);

    await standby.query('SELECT pg_wal_replay_resume()');
    await caughtUp(tc, standby);
    expect(await markerTables(standby)).toEqual([]);
    const records = await tc.runSteps(['verify']);
    expect((records[0]!.data as VerifyReport).ok).toBe(true);
  });

  it('fails at once, instead of hanging on its own write, when commits wait for a synchronous standby that does not stream', async () => {
    tc = await createTestCluster({ plugins, settings: WAL_READY, config: { steps: { verify: { timeoutSeconds: 3 } } } });
    await tc.up();
    const primary = tc.primary.node;
    await primary.query(`ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 ("ghost")'`);
    await primary.reload();

    const error = await rejectionOf(tc.runSteps(['verify']));
    expect(error.code).toBe('VERIFY_FAILED');
    expect(error.message).toBe(
      `commits on primary wait for 1 of the synchronous standbys ghost (synchronous_standby_names = 'FIRST 1 ("ghost")'), but only standby1 stream: every write on it hangs`,
    );
    expect(error.fix).toMatch(/start the synchronous standbys/);
    expect(await markerTables(primary)).toEqual([]);

    await primary.query(`ALTER SYSTEM SET synchronous_standby_names = 'ANY 1 (ghost, standby1)'`);
    await primary.reload();
    const records = await tc.runSteps(['verify']);
    expect((records[0]!.data as VerifyReport).ok).toBe(true);
  });

  it('names the error the standby logged when it cannot stream (a replication password changed behind its back)', async () => {
    tc = await createTestCluster({ plugins, settings: WAL_READY, config: { steps: { verify: { timeoutSeconds: 3 } } } });
    await tc.up();
    const primary = tc.primary.node;
    await primary.query("ALTER ROLE repuser PASSWORD 'changed-behind-its-back'");
    await primary.query("SELECT pg_terminate_backend(pid) FROM pg_stat_replication WHERE application_name = 'standby1'");
    await primary.pollQueryUntil("SELECT count(*)::int AS n FROM pg_stat_replication WHERE state = 'streaming'", (r) => (r.n === 0 ? true : undefined), {
      timeoutMs: 10_000,
      what: 'the walsender to go',
    });

    const error = await rejectionOf(tc.runSteps(['verify']));
    expect(error.code).toBe('VERIFY_FAILED');
    expect(error.message).toMatch(/its log says: FATAL: .*password authentication failed for user "repuser"/);
    expect(error.message).not.toContain('changed-behind-its-back');
  });

  it('fails "in-recovery" for a standby that was promoted', async () => {
    tc = await createTestCluster({ plugins, settings: WAL_READY });
    await tc.up();
    await tc.standby('standby1').promote();

    const error = await rejectionOf(tc.runSteps(['verify']));
    expect(error.code).toBe('VERIFY_FAILED');
    expect(error.message).toMatch(/standby1: check "in-recovery" failed: pg_is_in_recovery\(\) is false/);
    expect((error.data as VerifyReport).standbys[0]!.inRecovery).toBe(false);
  });
});
