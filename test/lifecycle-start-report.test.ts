// What `start` says about the nodes it started: a standby that cannot stream (its upstream is down) is reported
// as not streaming with the reason its walreceiver logged, and the command exits 1 when that standby was named;
// a node that was not shut down cleanly (an immediate stop, a crash) is reported as having run crash recovery.
import { describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
import { nodeNamed } from './support/cluster-json.js';
import { ok, upCluster, waitForStatus } from './support/cluster-nodes.js';
import { clusterConfig, createProject } from './support/project.js';

describe('start reports what it started', () => {
  test('a standby started while its primary is down is reported as not streaming, with the walreceiver error, and exits 1', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['s1'] }));
    await ok(project, ['stop']);

    const start = await project.run(['start', 's1']);
    expect(start.code, describeRun(start)).toBe(1);
    expect(start.stdout, describeRun(start)).not.toMatch(/^s1: started$/m);
    expect(start.stdout, describeRun(start)).toMatch(/^s1: started, NOT streaming: its upstream main is not running/m);
    expect(start.stdout, describeRun(start)).toMatch(/could not connect to the primary server/);
    expect(start.stdout, describeRun(start)).toMatch(/hotstandby start main/);

    // Starting everything brings main up and s1 streams again; nothing is reported as wrong.
    const all = await ok(project, ['start']);
    expect(all.stdout, describeRun(all)).toMatch(/^main: started$/m);
    await waitForStatus(cluster, 's1 to stream again', (s) => nodeNamed(s, 's1').state === 'streaming');
  });

  test('a start after an immediate stop says the node was not shut down cleanly and ran crash recovery; a clean one does not', async () => {
    const project = await createProject();
    await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['s1'] }));

    await ok(project, ['stop', 's1', '--mode', 'immediate']);
    await ok(project, ['stop', 'main', '--mode', 'immediate']);
    const start = await ok(project, ['start']);
    expect(start.stdout, describeRun(start)).toMatch(/^main was not shut down cleanly \(state in production\); PostgreSQL ran crash recovery/m);
    expect(start.stdout, describeRun(start)).toMatch(/^s1 was not shut down cleanly \(state in archive recovery\); PostgreSQL ran crash recovery/m);
    expect(start.stdout, describeRun(start)).toMatch(/^s1: started$/m);

    await ok(project, ['stop']);
    const clean = await ok(project, ['start']);
    expect(clean.stdout, describeRun(clean)).not.toMatch(/not shut down cleanly/);
  });
});
