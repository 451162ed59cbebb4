// add-standby after a switchover: --upstream names a node and is kept (also the config's primary, now a standby),
// and a standby added without --upstream follows whichever node is primary, through later switchovers too.
import { describe, expect, test } from 'vitest';
import { ok, upCluster, waitForStatus } from './support/cluster-nodes.js';
import { nodeNamed, verifyOf } from './support/cluster-json.js';
import { describeRun } from './support/cli.js';
import { clusterConfig, createProject } from './support/project.js';

describe('add-standby after a switchover', () => {
  test('an explicit upstream is honoured; the default upstream is the current primary, and stays so', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ primaryName: 'p', standbys: ['s1'] }));
    await ok(project, ['switchover', 's1', '--plain']);

    const cascaded = await ok(project, ['add-standby', 'c1', '--upstream', 'p', '--plain']);
    expect(cascaded.stdout, describeRun(cascaded)).toMatch(/c1 is streaming on port \d+, streaming from p\./);
    const follower = await ok(project, ['add-standby', 'f1', '--plain']);
    // Naming the primary is the same as naming none: it follows the primary, and a synchronous one must.
    const sync = await ok(project, ['add-standby', 'y1', '--upstream', 's1', '--synchronous', '--plain']);
    expect(sync.stdout, describeRun(sync)).toMatch(/y1 is streaming on port \d+, streaming from s1\./);
    expect(follower.stdout, describeRun(follower)).toMatch(/f1 is streaming on port \d+, streaming from s1\./);

    await ok(project, ['switchover', 'p', '--plain']);
    const status = await waitForStatus(cluster, 'c1 and f1 to stream from p', (s) =>
      ['c1', 'f1', 'y1'].every((n) => nodeNamed(s, n).state === 'streaming' && nodeNamed(s, n).upstream === 'p'),
    );
    expect(status.nodes.map((n) => [n.name, n.role, n.upstream])).toEqual([
      ['p', 'primary', null],
      ['s1', 'standby', 'p'],
      ['c1', 'standby', 'p'],
      ['f1', 'standby', 'p'],
      ['y1', 'standby', 'p'],
    ]);
    const verify = await verifyOf(project);
    expect(verify.report.ok, describeRun(verify.result)).toBe(true);
  });
});
