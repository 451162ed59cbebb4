// The config file changed under a running cluster: nodes renamed or a standby deleted from it. hotstandby must
// not build a second cluster beside the first, nor orphan running servers (or delete their directories under
// them): it refuses, naming the nodes, and `down --purge` still stops and removes everything it made.
import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
import { expectUserError, statusOf } from './support/cluster-json.js';
import { postmastersUnder } from './support/processes.js';
import { freePorts, createProject } from './support/project.js';

describe('nodes the config no longer names', () => {
  test('renamed nodes: up and status refuse and change nothing; down --purge stops the running servers first', async () => {
    const project = await createProject('hotstandby-e2e-renamed-');
    const [p1, s1, p2, s2] = await freePorts(4);
    await project.writeConfig('hotstandby.config.json', { primary: { name: 'master', port: p1 }, standbys: [{ name: 'slave1', port: s1 }] });
    const up = await project.run(['up', '--plain']);
    expect(up.code, describeRun(up)).toBe(0);

    await project.writeConfig('hotstandby.config.json', { primary: { name: 'main', port: p2 }, standbys: [{ name: 'replica', port: s2 }] });
    const mentions = [
      `records master (primary, port ${p1}, ${project.path('.hotstandby', 'data', 'master')}), slave1 (standby, port ${s1}`,
      `which ${project.path('hotstandby.config.json')} no longer names`,
      'put them back into hotstandby.config.json under the same names',
      '(STATE_MISMATCH)',
    ];
    expectUserError(await project.run(['up', '--plain']), mentions);
    expectUserError(await project.run(['status']), mentions);
    expect(existsSync(project.path('.hotstandby', 'data', 'main')), 'no second primary was made').toBe(false);
    expect(postmastersUnder(project.dir)).toHaveLength(2);

    const down = await project.run(['down', '--purge']);
    expect(down.code, describeRun(down)).toBe(0);
    expect(down.stdout.indexOf('stopping slave1'), describeRun(down)).toBeLessThan(down.stdout.indexOf('stopping master'));
    expect(postmastersUnder(project.dir), 'nothing left running').toEqual([]);
    expect(existsSync(project.path('.hotstandby'))).toBe(false);
  });

  test('a standby deleted from the config: refused with the way to drop it; after remove-standby the config may leave it out', async () => {
    const project = await createProject('hotstandby-e2e-renamed-');
    const [p, a, b] = await freePorts(3);
    const both = {
      primary: { name: 'primary', port: p },
      standbys: [
        { name: 'keep', port: a },
        { name: 'drop', port: b },
      ],
    };
    await project.writeConfig('hotstandby.config.json', both);
    expect((await project.run(['up', '--plain'])).code).toBe(0);

    const without = { ...both, standbys: [both.standbys[0]] };
    await project.writeConfig('hotstandby.config.json', without);
    expectUserError(await project.run(['up', '--plain']), ['records drop (standby', 'put it back', 'hotstandby remove-standby drop']);

    await project.writeConfig('hotstandby.config.json', both);
    const removed = await project.run(['remove-standby', 'drop', '--purge']);
    expect(removed.code, describeRun(removed)).toBe(0);
    await project.writeConfig('hotstandby.config.json', without);
    const again = await project.run(['up', '--plain']);
    expect(again.code, describeRun(again)).toBe(0);
    expect((await statusOf(project)).nodes.map((n) => n.name)).toEqual(['primary', 'keep']);
  });
});
