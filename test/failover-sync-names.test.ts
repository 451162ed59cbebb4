// Synchronous standbys across a failover: a standby's copied configuration must not carry the old primary's list
// of synchronous standbys (it may name the standby itself, or one removed since), or the promoted standby's
// commits would wait forever; and a promotion that leaves fewer synchronous standbys than the count lowers it.
import { describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
import { nodeNamed, verifyOf } from './support/cluster-json.js';
import { ok, show, upCluster } from './support/cluster-nodes.js';
import { clusterConfig, createProject } from './support/project.js';

describe('synchronous standbys across promote', () => {
  test('remove one synchronous standby, promote the other: the new primary commits at once', async () => {
    const project = await createProject();
    const config = await clusterConfig({ primaryName: 'p', standbys: ['s1', 's2'], replication: { synchronous: { method: 'ANY', count: 1 } } });
    for (const s of config.standbys as Record<string, unknown>[]) s.synchronous = true;
    const cluster = await upCluster(project, config);
    const s1 = await cluster.client('s1');
    expect(await show(s1, 'synchronous_standby_names'), 'a standby does not keep the copied list').toBe('');
    await s1.end();

    await ok(project, ['remove-standby', 's2']);
    await ok(project, ['stop', 'p']);
    const promote = await ok(project, ['promote', 's1', '--plain']);
    expect(promote.stdout, describeRun(promote)).toMatch(/verify · cluster/);
    const promoted = await cluster.client('s1');
    expect(await show(promoted, 'synchronous_standby_names')).toBe('');
    await promoted.query('CREATE TABLE after_promote (id int)');
    expect(nodeNamed(await cluster.status(), 's1')).toMatchObject({ role: 'primary', inRecovery: false });
  });

  test('promoting one of two synchronous standbys with count 2 lowers the count to the one left', async () => {
    const project = await createProject();
    const config = await clusterConfig({ primaryName: 'p', standbys: ['s1', 's2'], replication: { synchronous: { method: 'FIRST', count: 2 } } });
    for (const s of config.standbys as Record<string, unknown>[]) s.synchronous = true;
    const cluster = await upCluster(project, config);

    await ok(project, ['promote', 's1', '--force', '--plain']);
    const promoted = await cluster.client('s1');
    expect(await show(promoted, 'synchronous_standby_names')).toBe('FIRST 1 ("s2")');
    await promoted.query('CREATE TABLE after_promote (id int)');
    const verify = await verifyOf(project);
    expect(verify.report.ok, describeRun(verify.result)).toBe(true);
  });
});
