// PostgreSQL pauses a hot standby's replay when the primary raises a setting the standby must match
// (max_connections, max_worker_processes, ...) above the standby's value. verify must name the parameter,
// both values and the fix, not just report a paused replay (resuming it would shut the standby down); up raises
// it on the standby and restarts it, so replay goes on.
import { describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
import { verifyOf } from './support/cluster-json.js';
import { ok, show, upCluster } from './support/cluster-nodes.js';
import { clusterConfig, createProject } from './support/project.js';

describe('a standby paused because the primary raised max_connections', () => {
  test('verify names max_connections, both values and the fix; up raises it on the standby, which then replays again', async () => {
    const project = await createProject();
    const config = await clusterConfig({ primaryName: 'main', standbys: ['replica'] });
    config.steps = { verify: { timeoutSeconds: 10 } };
    const cluster = await upCluster(project, config);
    const main = await cluster.client('main');
    const standbyValue = await show(await cluster.client('replica'), 'max_connections');
    const raised = String(Number(standbyValue) + 50);
    await main.query(`ALTER SYSTEM SET max_connections = ${raised}`);
    await main.end();
    await ok(project, ['restart', 'main']);

    const verify = await verifyOf(project);
    expect(verify.result.code, describeRun(verify.result)).toBe(1);
    const replica = verify.report.standbys.find((s) => s.name === 'replica');
    const failed = replica?.checks?.find((c) => !c.ok);
    expect(failed?.detail, describeRun(verify.result)).toMatch(new RegExp(`max_connections.*${standbyValue}.*${raised}`));
    expect(failed?.detail).toMatch(/replica/);
    expect(failed?.detail).toMatch(/restart/);
    expect(failed?.detail).not.toMatch(/pg_wal_replay_resume\(\) continues it/);

    const up = await ok(project, ['up', '--plain']);
    expect(up.stdout, describeRun(up)).toMatch(new RegExp(`max_connections ${standbyValue} → ${raised} on replica`));
    expect(await show(await cluster.client('replica'), 'max_connections')).toBe(raised);
    expect((await verifyOf(project)).report.ok).toBe(true);
  });
});
