// add-standby on a cluster that already has four standbys: the fifth needs more WAL senders than PostgreSQL's
// default, so the primary may have to restart. add-standby then either does it, or refuses with a fix the user can
// follow as printed; following it adds the standby.
import { describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
import { nodeNamed, verifyOf } from './support/cluster-json.js';
import { ids, upCluster, waitReplayed } from './support/cluster-nodes.js';
import { clusterConfig, createProject } from './support/project.js';

describe('add-standby beyond four standbys', () => {
  test('the fifth standby can be added with add-standby as its messages say', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['s1', 's2', 's3', 's4'] }));
    const main = await cluster.client('main');
    await main.query('CREATE TABLE fifth_probe (id int)');
    await main.query('INSERT INTO fifth_probe VALUES (5)');

    let add = await project.run(['add-standby', 's5', '--plain']);
    if (add.code !== 0) {
      // Refused (the primary must restart): the fix line names what to add to the same command.
      const fix = /^\s*fix: .*?(--[a-z-]+)/m.exec(add.stderr);
      expect(fix, `add-standby failed without a fix naming an option\n${describeRun(add)}`).not.toBeNull();
      const retry = await project.run(['add-standby', 's5', '--plain', fix![1]!]);
      expect(retry.code, `following the fix of\n${describeRun(add)}\n\ndid not work:\n${describeRun(retry)}`).toBe(0);
      add = retry;
    }
    expect(add.stdout, describeRun(add)).toMatch(/s5 is streaming on port \d+, streaming from main/);
    const status = await cluster.status();
    expect(nodeNamed(status, 's5')).toMatchObject({ running: true, inRecovery: true, upstream: 'main', state: 'streaming' });
    const s5 = await cluster.client('s5');
    await waitReplayed(main, s5, 's5');
    expect(await ids(s5, 'fifth_probe')).toEqual([5]);
    expect((await verifyOf(project)).report.ok).toBe(true);
  });
});
