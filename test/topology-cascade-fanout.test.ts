// Two standbys cascading from the same standby (a fan-out below a relay): `up` builds them and exits, both stream
// from the relay, and a row written on the primary reaches both.
import { describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
import { verifyOf } from './support/cluster-json.js';
import { ids, openLiveCluster, waitReplayed } from './support/cluster-nodes.js';
import { clusterConfig, createProject } from './support/project.js';

describe('two standbys cascading from one standby', () => {
  test('up builds both below the relay and exits; a row reaches both', async () => {
    const project = await createProject();
    const config = await clusterConfig({ primaryName: 'main', standbys: ['relay', 'c1', 'c2'] });
    const standbys = config.standbys as Record<string, unknown>[];
    standbys[1]!.upstream = 'relay';
    standbys[2]!.upstream = 'relay';
    await project.writeConfig('hotstandby.config.json', config);

    // up must finish by itself (it takes a few seconds); the checks below go on either way, since a run that does
    // not exit has still built the cluster.
    const up = await project.run(['up', '--plain'], { timeoutMs: 30_000 });
    expect.soft(up.code, `up must exit by itself\n${describeRun(up)}`).toBe(0);
    expect(up.stdout, describeRun(up)).toMatch(/verify · cluster: 3 standby\(s\) read-only and streaming/);

    const cluster = openLiveCluster(project, project.path('.hotstandby'));
    const status = await cluster.status();
    expect(status.nodes.map((n) => [n.name, n.upstream, n.state])).toEqual([
      ['main', null, 'running'],
      ['relay', 'main', 'streaming'],
      ['c1', 'relay', 'streaming'],
      ['c2', 'relay', 'streaming'],
    ]);
    const main = await cluster.client('main');
    await main.query('CREATE TABLE fanout_probe (id int)');
    await main.query('INSERT INTO fanout_probe VALUES (7)');
    for (const name of ['c1', 'c2']) {
      const client = await cluster.client(name);
      await waitReplayed(main, client, name);
      expect(await ids(client, 'fanout_probe'), name).toEqual([7]);
    }
    const verify = await verifyOf(project);
    expect(verify.result.code, describeRun(verify.result)).toBe(0);
  });
});
