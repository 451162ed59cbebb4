// Commands other than `up` on a cluster that does not exist yet only look: they report it as not created,
// fail clearly where there is nothing to check, and create nothing.
import { describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
import { expectUserError, statusOf } from './support/cluster-json.js';
import { listTree } from './support/files.js';
import { clusterConfig, createProject } from './support/project.js';

describe('a cluster that was never brought up', () => {
  test('status reports the nodes as not created and creates nothing', async () => {
    const project = await createProject();
    await project.writeConfig('hotstandby.config.json', await clusterConfig());
    const status = await statusOf(project);
    expect(status.nodes.map((n) => [n.name, n.running, n.inRecovery, n.replayLagBytes])).toEqual([
      ['primary', false, null, null],
      ['standby1', false, null, null],
    ]);
    expect(status.nodes.map((n) => n.state)).toEqual(['not created', 'not created']);
    const plain = await project.run(['status']);
    expect(plain.code, describeRun(plain)).toBe(0);
    expect(plain.stdout).toMatch(/^primary\s+primary\s+\d+\s+not created/m);
    expect(listTree(project.dir)).toEqual(['hotstandby.config.json']);
  });

  test('down and down --purge have nothing to do and create nothing', async () => {
    const project = await createProject();
    await project.writeConfig('hotstandby.config.json', await clusterConfig());
    for (const args of [['down'], ['down', '--purge'], ['down', '--purge', '--restore']]) {
      const run = await project.run(args);
      expect(run.code, describeRun(run)).toBe(0);
      expect(run.stdout).toMatch(/nothing was running/i);
    }
    expect(listTree(project.dir)).toEqual(['hotstandby.config.json']);
  });

  test('verify fails with one clear message and creates nothing', async () => {
    const project = await createProject();
    await project.writeConfig('hotstandby.config.json', await clusterConfig());
    const verify = await project.run(['verify']);
    expectUserError(verify, ['primary', /hotstandby up/]);
    expect(listTree(project.dir), `verify must not create the state directory\n${describeRun(verify)}`).toEqual(['hotstandby.config.json']);
  });
});
