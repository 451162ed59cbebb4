// What status and verify say about a running cluster that is not as the config describes: a wrong superuser
// password is an authentication failure with its fix (not "unreachable"), and a recovery_min_apply_delay set by
// hand on a standby is reported as a delay by design, not as lag or a failure.
import { describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
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
});
