import { existsSync } from 'node:fs';
import { mkdir, readdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isHotstandbyError, resolvePipeline, type HotstandbyError, type LoadedPlugin, type PgNode } from '@hotstandby/core';
import { createTestCluster, expectPlanned, planStep, runStep, testBinaries, type TestCluster } from '@hotstandby/testing';
import { BUILTIN_PLUGINS } from 'hotstandby';
import pgbenchSmoke, { type SmokeReport } from '../src/index.js';

const SMOKE: LoadedPlugin = { plugin: pgbenchSmoke, origin: 'hotstandby-plugin-pgbench-smoke (example)' };
// The primary already keeps 1GB of WAL, so wal-config has nothing to change (no reload in these tests).
const WAL_READY = { wal_keep_size: '1024' };
const hasPgbench = existsSync(path.join((await testBinaries()).binDir, 'pgbench'));

async function databases(node: PgNode): Promise<string[]> {
  return (await node.query<{ d: string }>("SELECT datname AS d FROM pg_database WHERE datname LIKE 'hotstandby_smoke%'")).map((r) => r.d);
}

describe('pgbench-smoke (example plugin) against a real primary and two standbys', () => {
  let tc: TestCluster | undefined;
  afterEach(async () => {
    await tc?.cleanup();
    tc = undefined;
  });

  const upWithSmoke = async (steps: Record<string, unknown>) => {
    tc = await createTestCluster({ plugins: [...BUILTIN_PLUGINS, SMOKE], settings: WAL_READY, standbys: ['standby1', 'standby2'], config: { steps: { 'pgbench-smoke': steps } } });
    expect(
      resolvePipeline(tc.spec, tc.plugins)
        .steps.map((s) => s.plugin.name)
        .slice(-3),
    ).toEqual(['recovery-config', 'pgbench-smoke', 'verify']);
    return tc;
  };

  it('with the built-in load: every standby replays the rows and reads the same data; nothing is left behind', async () => {
    const tc = await upWithSmoke({ method: 'builtin', rows: 300 });
    await tc.up();
    const { plan, record } = await runStep(tc, pgbenchSmoke, { options: { method: 'builtin', rows: 300 } });
    expectPlanned(plan).toChangeNothing();
    expect(plan.lines.join('\n')).toContain('insert 300 row(s)');
    expect(record.changed).toBe(false);
    const report = record.data as SmokeReport;
    expect(report).toMatchObject({ method: 'builtin', transactions: 300, database: 'hotstandby_smoke' });
    expect(report.standbys.map((s) => s.name).sort()).toEqual(['standby1', 'standby2']);
    for (const s of report.standbys) {
      expect(s.skipped).toBeNull();
      expect(s.waitedMs).toBeGreaterThanOrEqual(0);
      expect(s.replayLagBytes).not.toBeNull();
    }
    expect(record.summary).toMatch(/^300 builtin transaction\(s\)( at [\d.]+ tps)?; caught up: standby\d \d+ ms, standby\d \d+ ms$/);
    expect(await databases(tc.primary.node)).toEqual([]);
    for (const name of ['standby1', 'standby2']) {
      await tc.standby(name).waitForReplay((await tc.primary.node.lsn('write'))!, 30_000);
      expect(await databases(tc.standby(name)), `scratch database gone on ${name}`).toEqual([]);
    }
  });

  it.skipIf(!hasPgbench)('with pgbench (found next to the server binaries): runs as part of up, standbys catch up', async () => {
    const tc = await upWithSmoke({ clients: 2, transactions: 50 });
    const events: string[] = [];
    await tc.cluster.up({ renderer: 'silent', print: () => undefined, observe: (e) => void events.push(`${e.type} ${'step' in e ? e.step : ''}`) });
    expect(events).toContain('step:done pgbench-smoke');
    expect(events.indexOf('step:done pgbench-smoke')).toBeLessThan(events.indexOf('step:start verify'));

    const { plan, record } = await runStep(tc, pgbenchSmoke, { options: { clients: 2, transactions: 50 } });
    expect(plan.lines.join('\n')).toMatch(/pgbench -i -q -s 1 -h 127\.0\.0\.1 -p \d+ -U postgres hotstandby_smoke/);
    expect(plan.lines.join('\n')).not.toContain(tc.primary.superuserPassword);
    const report = record.data as SmokeReport;
    expect(report).toMatchObject({ method: 'pgbench', transactions: 100 });
    expect(report.tps).toBeGreaterThan(0);
    expect(report.standbys.every((s) => s.waitedMs !== null)).toBe(true);
    expect(await databases(tc.primary.node)).toEqual([]);
  });

  it('fails naming the standby that does not catch up, and drops the scratch database anyway', async () => {
    const tc = await upWithSmoke({ method: 'builtin', rows: 20 });
    await tc.up();
    await tc.standby('standby2').stop('fast');
    const error = await runStep(tc, pgbenchSmoke, { options: { method: 'builtin', rows: 20, timeoutSeconds: 2 } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isHotstandbyError(error), String(error)).toBe(true);
    const e = error as HotstandbyError;
    expect(e.code).toBe('TIMEOUT');
    expect(e.message).toMatch(/standby2 to replay WAL up to/);
    expect(e.where).toMatchObject({ node: 'standby2', step: 'pgbench-smoke' });
    expect(await databases(tc.primary.node)).toEqual([]);
  });

  it('without pgbench next to the binaries: auto uses the built-in load, and "pgbench" is refused before anything is written', async () => {
    tc = await createTestCluster({ plugins: [], standbys: [] });
    // The same PostgreSQL, seen through a bin directory that lacks pgbench (as the embedded binaries do).
    const binDir = path.join(tc.primary.dir, 'bin-without-pgbench');
    await mkdir(binDir, { mode: 0o755 });
    for (const program of await readdir(tc.primary.binaries.binDir)) {
      if (program !== 'pgbench') await symlink(path.join(tc.primary.binaries.binDir, program), path.join(binDir, program));
    }
    const withoutPgbench: TestCluster = { ...tc, spec: { ...tc.spec, postgres: { ...tc.spec.postgres, binDir } } };

    const { plan } = await planStep(withoutPgbench, pgbenchSmoke);
    expect(plan.lines.join('\n')).toContain('smoke load with builtin');
    const { record } = await runStep(withoutPgbench, pgbenchSmoke, { options: { rows: 10 } });
    expect(record.data).toMatchObject({ method: 'builtin', transactions: 10, standbys: [] });

    const error = await runStep(withoutPgbench, pgbenchSmoke, { options: { method: 'pgbench' } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isHotstandbyError(error), String(error)).toBe(true);
    expect((error as HotstandbyError).code).toBe('BINARY_MISSING');
    expect((error as HotstandbyError).message).toContain(`no pgbench in ${binDir}`);
    expect((error as HotstandbyError).where).toMatchObject({ key: 'steps.pgbench-smoke.method', step: 'pgbench-smoke', node: 'cluster' });
    expect(await databases(tc.primary.node)).toEqual([]);
  });
});
