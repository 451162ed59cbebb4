// A new primary killed (SIGKILL) right after hotstandby promoted it: after start it is still the primary on the new
// timeline, with every row written before the crash; hotstandby does not promote it again, and nothing regresses.
import { describe, expect, test } from 'vitest';
import { nodeNamed } from './support/cluster-json.js';
import { ids, ok, postmasterPid, upCluster, waitReplayed } from './support/cluster-nodes.js';
import { clusterConfig, createProject } from './support/project.js';

describe('a crash right after promote', () => {
  test('after start the node is still the primary on the new timeline, with its data, promoted once', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['s1'] }));
    const main = await cluster.client('main');
    await main.query('CREATE TABLE kept (id int PRIMARY KEY)');
    await main.query('INSERT INTO kept SELECT generate_series(1, 100)');
    await waitReplayed(main, await cluster.client('s1'), 's1');
    await ok(project, ['stop', 'main']);

    await ok(project, ['promote', 's1', '--plain']);
    const s1 = await cluster.client('s1');
    await s1.query('INSERT INTO kept VALUES (101)');
    const promoted = nodeNamed(await cluster.status(), 's1');
    expect(promoted).toMatchObject({ role: 'primary', inRecovery: false });
    process.kill(postmasterPid(promoted.dataDir), 'SIGKILL');

    const started = await ok(project, ['start', 's1']);
    expect(started.stdout).not.toMatch(/promot/i);
    const after = nodeNamed(await cluster.status(), 's1');
    expect(after, JSON.stringify(after)).toMatchObject({ role: 'primary', inRecovery: false, timeline: promoted.timeline });
    expect(after.timeline).toBe(2);
    const again = await cluster.client('s1');
    expect(await ids(again, 'kept')).toHaveLength(101);
  });
});
