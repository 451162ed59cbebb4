import { afterEach, describe, expect, it } from 'vitest';
import { pollUntil } from '@hotstandby/core';
import { createTestCluster, type TestCluster, rejectionOf } from '@hotstandby/testing';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import walConfig from '../src/index.js';

const plugins = [{ plugin: walConfig, origin: 'test' }];

async function show(tc: TestCluster, name: string): Promise<string> {
  return (await tc.primary.node.queryOne<{ v: string }>('SELECT current_setting($1) AS v', [name]))!.v;
}

async function pendingRestart(tc: TestCluster): Promise<string[]> {
  return (await tc.primary.node.query<{ name: string }>('SELECT name FROM pg_settings WHERE pending_restart ORDER BY name')).map((r) => r.name);
}

async function loadTime(tc: TestCluster): Promise<string> {
  return (await tc.primary.node.queryOne<{ t: string }>('SELECT pg_conf_load_time()::text AS t'))!.t;
}

function autoConf(tc: TestCluster): string {
  return path.join(tc.primary.dataDir, 'postgresql.auto.conf');
}

const minimal = { wal_level: 'minimal', max_wal_senders: '0' };

describe('wal-config against a real PostgreSQL', () => {
  let tc: TestCluster | undefined;
  afterEach(async () => {
    await tc?.cleanup();
    tc = undefined;
  });

  it('refuses in up() with RESTART_REQUIRED naming the settings and changes nothing, then applies them with allowRestart', async () => {
    tc = await createTestCluster({ plugins, standbys: ['standby1'], settings: minimal });
    expect(await show(tc, 'wal_level')).toBe('minimal');
    const bytes = await readFile(autoConf(tc));
    const pid = await tc.primary.node.pid();

    const error = await rejectionOf(tc.up());
    expect(error.code).toBe('RESTART_REQUIRED');
    expect(error.message).toMatch(/wal_level \(minimal → replica\)/);
    expect(error.message).toMatch(/max_wal_senders \(0 → \d+\)/);
    expect(error.message).toMatch(/nothing was changed/);
    expect(await readFile(autoConf(tc))).toEqual(bytes);
    expect(await tc.primary.node.pid()).toBe(pid);
    expect(await show(tc, 'wal_level')).toBe('minimal');

    await tc.up({ allowRestart: true });
    await tc.primary.node.closeConnections();
    expect(await tc.primary.node.pid()).not.toBe(pid);
    expect(await show(tc, 'wal_level')).toBe('replica');
    expect(Number(await show(tc, 'max_wal_senders'))).toBeGreaterThanOrEqual(4);
    expect(Number(await show(tc, 'max_replication_slots'))).toBeGreaterThanOrEqual(3);
    expect(await show(tc, 'wal_keep_size')).toBe('1GB');
    // Restart-only wal_log_hints rides along with a restart that happens anyway.
    expect(await show(tc, 'wal_log_hints')).toBe('on');
    expect(await pendingRestart(tc)).toEqual([]);
    expect((await tc.planSteps(['wal-config']))[0]!.actions).toEqual([]);
  });

  it('refuses through runSteps without allowRestart too, and restarts only when allowed', async () => {
    tc = await createTestCluster({ plugins, standbys: [], settings: minimal });
    const bytes = await readFile(autoConf(tc));
    const pid = await tc.primary.node.pid();

    const plan = await tc.planSteps(['wal-config']);
    expect(plan[0]!.actions.some((a) => a.kind === 'node' && a.op === 'restart')).toBe(true);
    expect(plan[0]!.notes.join('\n')).toMatch(/needs --allow-restart: .*wal_level/);

    const error = await rejectionOf(tc.runSteps(['wal-config']));
    expect(await tc.primary.node.pid(), 'the primary must not be restarted without allowRestart').toBe(pid);
    expect(await readFile(autoConf(tc)), 'postgresql.auto.conf is unchanged').toEqual(bytes);
    expect(error.code).toBe('RESTART_REQUIRED');
    expect(error.message).toMatch(/wal_level/);
    expect(error.message).toMatch(/max_wal_senders/);

    await tc.cluster.runSteps(['wal-config'], { renderer: 'silent', allowRestart: true });
    await tc.primary.node.closeConnections();
    expect(await tc.primary.node.pid()).not.toBe(pid);
    expect(await show(tc, 'wal_level')).toBe('replica');
    expect(await pendingRestart(tc)).toEqual([]);
  });

  it('keeps values the user set higher (logical, more senders, slots and retention) and needs no restart for them', async () => {
    tc = await createTestCluster({
      plugins,
      standbys: ['standby1', 'standby2'],
      settings: { wal_level: 'logical', max_wal_senders: '25', max_replication_slots: '30', wal_keep_size: '4096' },
      config: { wal: { keepSize: '2GB' } },
    });
    const bytes = await readFile(autoConf(tc));
    const pid = await tc.primary.node.pid();

    const plan = await tc.planSteps(['wal-config']);
    expect(plan[0]!.actions).toEqual([]);
    expect(plan[0]!.notes.join('\n')).toMatch(/wal_log_hints .* not applied: it needs a restart/);

    await tc.runSteps(['wal-config']);
    expect(await show(tc, 'wal_level')).toBe('logical');
    expect(await show(tc, 'max_wal_senders')).toBe('25');
    expect(await show(tc, 'max_replication_slots')).toBe('30');
    expect(await show(tc, 'wal_keep_size')).toBe('4GB');
    expect(await readFile(autoConf(tc))).toEqual(bytes);
    expect(await tc.primary.node.pid()).toBe(pid);
  });

  it('applies reload-only changes (wal_keep_size) with a reload, never a restart', async () => {
    tc = await createTestCluster({ plugins, standbys: [] });
    const pid = await tc.primary.node.pid();
    const loadedBefore = await loadTime(tc);
    expect(await show(tc, 'wal_keep_size')).toBe('0');

    const plan = await tc.planSteps(['wal-config']);
    const ops = plan[0]!.actions.filter((a) => a.kind === 'node').map((a) => (a.kind === 'node' ? a.op : ''));
    expect(ops).toEqual(['reload']);

    await tc.runSteps(['wal-config']);
    expect(await tc.primary.node.pid(), 'same postmaster').toBe(pid);
    expect(await show(tc, 'wal_keep_size')).toBe('1GB');
    expect(await loadTime(tc)).not.toBe(loadedBefore);
    expect(await pendingRestart(tc)).toEqual([]);
    // wal_log_hints (restart-only, optional) is left alone, and the second run plans nothing.
    expect(await show(tc, 'wal_log_hints')).toBe('off');
    expect((await readFile(autoConf(tc), 'utf8')).match(/^wal_keep_size\b/gm)).toHaveLength(1);
    expect((await tc.planSteps(['wal-config']))[0]!.actions).toEqual([]);
  });

  it('waits for a reload to take effect instead of reading the settings right after pg_ctl reload', async () => {
    tc = await createTestCluster({ plugins, standbys: [] });
    // A long (but valid) configuration makes the postmaster take a moment to re-read it before it tells the
    // backends, as on a busy machine: a check made right after "pg_ctl reload" returns still sees the old values.
    const padding = '# ' + 'padding '.repeat(10) + '\n';
    await writeFile(path.join(tc.primary.dataDir, 'padding.conf'), padding.repeat(120_000));
    await writeFile(path.join(tc.primary.dataDir, 'postgresql.conf'), "\ninclude 'padding.conf'\n", { flag: 'a' });
    await tc.primary.node.reload();
    const pid = await tc.primary.node.pid();

    await tc.runSteps(['wal-config']);
    expect(await tc.primary.node.pid()).toBe(pid);
    expect(await show(tc, 'wal_keep_size')).toBe('1GB');
  });

  it('creates the archive directory and an archive_command that really archives (pg_stat_archiver)', async () => {
    tc = await createTestCluster({ plugins, standbys: [], config: { archive: true } });
    const archiveDir = tc.spec.archive!.dir;
    await tc.cluster.runSteps(['wal-config'], { renderer: 'silent', allowRestart: true });
    await tc.primary.node.closeConnections();

    const st = await stat(archiveDir);
    expect(st.isDirectory()).toBe(true);
    expect(st.mode & 0o777).toBe(0o700);
    expect(st.uid).toBe(tc.primary.serverUser.uid);
    expect(await show(tc, 'archive_mode')).toBe('on');
    expect(await show(tc, 'archive_command')).toContain(archiveDir);
    expect(await pendingRestart(tc)).toEqual([]);

    await tc.primary.node.query('CREATE TABLE archive_probe AS SELECT generate_series(1, 1000) AS n');
    const segment = (await tc.primary.node.queryOne<{ f: string }>('SELECT pg_walfile_name(pg_switch_wal()) AS f'))!.f;
    let last = '';
    const archived = await pollUntil(
      async () => {
        const row = (await tc!.primary.node.queryOne<{ last_archived_wal: string | null; failed_count: string; last_failed_wal: string | null }>(
          'SELECT last_archived_wal, failed_count::text, last_failed_wal FROM pg_stat_archiver',
        ))!;
        last = JSON.stringify(row);
        if (row.failed_count !== '0') throw new Error(`archiving failed: ${last}`);
        return row.last_archived_wal !== null && row.last_archived_wal >= segment ? row : undefined;
      },
      { timeoutMs: 30_000, what: `the archiver to archive ${segment}` },
      () => last,
    );
    expect(archived.failed_count).toBe('0');
    expect(await readdir(archiveDir)).toContain(segment);
    expect((await stat(path.join(archiveDir, segment))).size).toBe(
      Number((await tc.primary.node.queryOne<{ s: string }>("SELECT setting AS s FROM pg_settings WHERE name = 'wal_segment_size'"))!.s),
    );
  });

  it('refuses to reload over a postgresql.conf PostgreSQL reports errors in, naming file:line, and writes nothing', async () => {
    tc = await createTestCluster({ plugins, standbys: [] });
    const conf = path.join(tc.primary.dataDir, 'postgresql.conf');
    const broken = (await readFile(conf, 'utf8')) + '\nshared_buffers = 12XB\n';
    await writeFile(conf, broken);
    const line = broken.split('\n').length - 1;
    const bytes = await readFile(autoConf(tc));
    const loadedBefore = await loadTime(tc);

    const error = await rejectionOf(tc.runSteps(['wal-config']));
    expect(error.code).toBe('CONFIG_FILE_ERRORS');
    expect(await readFile(autoConf(tc)), 'postgresql.auto.conf is unchanged').toEqual(bytes);
    expect(error.message).toContain(`${conf}:${line}`);
    expect(await loadTime(tc), 'no reload').toBe(loadedBefore);
  });
});
