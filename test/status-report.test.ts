// What status and verify say about a running cluster that is not as the config describes: a wrong superuser
// password is an authentication failure with its fix (not "unreachable"), and a recovery_min_apply_delay set by
// hand on a standby is reported as a delay by design, not as lag or a failure; a failing WAL archiver is a warning
// in status and doctor with the numbers and the fix.
import { chmod } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { describeRun, parseJson } from './support/cli.js';
import { nodeNamed, statusOf, verifyOf } from './support/cluster-json.js';
import { ok, upCluster } from './support/cluster-nodes.js';
import { clusterConfig, createProject } from './support/project.js';
import { waitFor } from './support/wait.js';

describe('status tells the truth about a running cluster', () => {
  test('a wrong superuser password is reported as an authentication failure (28P01) with the fix', async () => {
    const project = await createProject();
    await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['s1'] }));
    const env = { HOTSTANDBY_SUPERUSER_PASSWORD: 'not-the-password' };

    const status = await statusOf(project, [], env);
    for (const name of ['main', 's1']) {
      const node = nodeNamed(status, name);
      expect(node.state, JSON.stringify(node)).toBe('running, authentication failed (28P01)');
      expect(node.error, JSON.stringify(node)).toMatch(/password authentication failed for user "postgres"/);
      expect(node.error, JSON.stringify(node)).toMatch(/fix: set superuser\.password/);
      expect(JSON.stringify(node)).not.toContain('not-the-password');
    }
    const table = await project.run(['status', '--table'], { env });
    expect(table.code, describeRun(table)).toBe(0);
    expect(table.stdout, describeRun(table)).toMatch(/^error: main: .*password authentication failed.*fix: set superuser\.password/m);
    expect(table.stdout, describeRun(table)).not.toMatch(/unreachable/);
  });

  test('a recovery_min_apply_delay set by hand on a standby is reported as a delay by design by status and verify', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['s1'] }));
    const s1 = await cluster.client('s1');
    await s1.query("ALTER SYSTEM SET recovery_min_apply_delay = '1h'");
    await s1.query('SELECT pg_reload_conf()');
    await waitFor(async () => (await s1.query<{ d: string }>("SELECT current_setting('recovery_min_apply_delay') AS d")).rows[0]!.d === '1h', {
      what: 's1 to apply its new recovery_min_apply_delay',
    });
    const main = await cluster.client('main');
    await main.query('CREATE TABLE held_back AS SELECT generate_series(1, 1000) AS id');

    const status = await statusOf(project);
    expect(nodeNamed(status, 's1')).toMatchObject({ applyDelay: '1h', state: 'streaming' });
    const table = await ok(project, ['status', '--table']);
    expect(table.stdout, describeRun(table)).toMatch(/^s1\s+standby \(delayed 1h\)/m);

    const verify = await verifyOf(project);
    expect(verify.result.code, describeRun(verify.result)).toBe(0);
    const report = verify.report.standbys.find((s) => s.name === 's1') as { delayedBy?: string; ok: boolean };
    expect(report, describeRun(verify.result)).toMatchObject({ ok: true, delayedBy: '1h' });
  });

  test('a failing WAL archiver is a warning in status and doctor, with the numbers and the fix', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['s1'], archive: true }));
    // The archive directory becomes unwritable for the server's OS user: every archive_command fails.
    await chmod(project.path('.hotstandby', 'archive'), 0o000);
    const main = await cluster.client('main');
    await main.query('CREATE TABLE archived_probe AS SELECT 1 AS id');
    await main.query('SELECT pg_switch_wal()');
    await waitFor(async () => Number((await main.query<{ n: string }>('SELECT failed_count::text AS n FROM pg_stat_archiver')).rows[0]!.n) > 0, {
      what: 'the archiver of main to fail',
    });

    const status = await statusOf(project);
    expect(nodeNamed(status, 'main').warnings, JSON.stringify(status, null, 1)).toEqual([
      expect.stringMatching(/^the WAL archiver on main is failing: \d+ failed attempt\(s\), the last for [0-9A-F]{24} at .*, last success .*; fix: read main's log/),
    ]);
    const table = await ok(project, ['status', '--table']);
    expect(table.stdout, describeRun(table)).toMatch(/^warning: main: the WAL archiver on main is failing/m);
    const doctor = await project.run(['doctor', '--json']);
    const report = parseJson<{ checks: { check: string; status: string; detail: string; fix?: string }[] }>(doctor);
    expect(
      report.checks.find((c) => c.check === 'archiver'),
      describeRun(doctor),
    ).toMatchObject({ status: 'warn', detail: expect.stringMatching(/failing/), fix: expect.stringMatching(/archive_command/) });
    await chmod(project.path('.hotstandby', 'archive'), 0o700);
  });
});
