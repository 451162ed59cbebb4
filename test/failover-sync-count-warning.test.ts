// When a promotion leaves fewer synchronous standbys than the config's count, hotstandby lowers the count so
// commits do not wait forever; it must say so: the config asks for N durable copies, the cluster now has M, and
// adding a synchronous standby restores it. In the command's output, and in up --json.
import { describe, expect, test } from 'vitest';
import { describeRun, parseJson } from './support/cli.js';
import { ok, show, upCluster } from './support/cluster-nodes.js';
import { clusterConfig, createProject } from './support/project.js';

describe('a promotion that lowers the synchronous count', () => {
  test('promote warns that the config asks for 2 synchronous copies and the cluster now has 1; up --json carries the warning', async () => {
    const project = await createProject();
    const config = await clusterConfig({ primaryName: 'p', standbys: ['s1', 's2'], replication: { synchronous: { method: 'ANY', count: 2 } } });
    for (const s of config.standbys as Record<string, unknown>[]) s.synchronous = true;
    const cluster = await upCluster(project, config);
    expect(await show(await cluster.client('p'), 'synchronous_standby_names')).toBe('ANY 2 ("s1", "s2")');

    const promote = await ok(project, ['promote', 's1', '--force', '--plain']);
    expect(await show(await cluster.client('s1'), 'synchronous_standby_names')).toBe('ANY 1 ("s2")');
    const warning = /^warning: .*ANY 2.*\b1\b.*add-standby .*--synchronous/m;
    expect(promote.stdout, describeRun(promote)).toMatch(warning);

    const up = await ok(project, ['up', '--json']);
    const result = parseJson<{ warnings?: string[] }>(up);
    expect(result.warnings, describeRun(up)).toEqual([expect.stringMatching(/ANY 2.*\b1\b.*add-standby .*--synchronous/)]);
  });
});
