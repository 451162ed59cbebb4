// down --restore after a switchover: the replication role is dropped on the primary of now (roles replicate),
// slots only where they live on a running node, and every node ends up stopped.
import { describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
import { ok, upCluster } from './support/cluster-nodes.js';
import { generatedSuperuserPassword, withClient } from './support/pg.js';
import { postmastersUnder } from './support/processes.js';
import { clusterConfig, createProject } from './support/project.js';

describe('down --restore after a switchover', () => {
  test('drops the role on the new primary and stops everything', async () => {
    const project = await createProject();
    const config = await clusterConfig({ primaryName: 'master', standbys: ['slave1'] });
    await upCluster(project, config);
    const password = generatedSuperuserPassword(project.path('.hotstandby'));
    await ok(project, ['switchover', 'slave1', '--plain']);
    const slave1Port = (config.standbys as { port: number }[])[0]!.port;

    const restore = await project.run(['down', '--restore']);
    expect(restore.code, describeRun(restore)).toBe(0);
    expect(restore.stdout, describeRun(restore)).toMatch(/dropping role repuser on slave1/);
    expect(postmastersUnder(project.dir), 'every node is stopped').toEqual([]);

    // Started again by hand (as the user might), the new primary has no replication role left.
    await ok(project, ['start', 'slave1']);
    const roles = await withClient(slave1Port, password, async (c) => (await c.query("SELECT 1 FROM pg_roles WHERE rolname = 'repuser'")).rowCount);
    expect(roles).toBe(0);
  });
});
