// A node whose `host` is edited in the config after `up`: what hotstandby made for it stays recorded with the host it
// made it on, so down --purge deletes it there and touches nothing on the node's new host; it refuses (changing
// nothing) while that former host cannot be reached or a server still runs from the data directory there, and
// remove-standby --purge, which deletes on the standby's host of now, refuses.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ClusterState } from '../packages/core/src/state/cluster-state.js';
import { describeRun } from './support/cli.js';
import { createProject } from './support/project.js';
import { createTestNetwork, HOST_DATA_ROOT, networkHostsUnavailable, type TestNetwork } from './support/network-hosts.js';

const unavailable = networkHostsUnavailable();

describe.skipIf(unavailable !== undefined)('a node moved to another host in the config after up', () => {
  let network: TestNetwork;
  beforeAll(async () => {
    network = await createTestNetwork(['a', 'b', 'c']);
  }, 60_000);
  afterAll(async () => {
    await network?.teardown();
  });

  const config = (standbyHost: 'b' | 'c') => ({
    primary: { name: 'a', port: 5432, host: network.host('a').address, ssh: network.ssh(), dataDir: `${HOST_DATA_ROOT}/pg/a` },
    standbys: [{ name: 's', port: 5432, host: network.host(standbyHost).address, ssh: network.ssh(), dataDir: `${HOST_DATA_ROOT}/pg/s` }],
    superuser: { password: 'moved-node-superuser-secret' },
    replication: { password: 'moved-node-replication-secret' },
  });
  const ls = async (name: string, dir: string) => (await network.host(name).ssh(`ls -A ${dir}`)).stdout.split('\n').filter(Boolean);

  test('down --purge deletes on the host the standby was built on, never on the one the config now names', async () => {
    const project = await createProject();
    await project.writeConfig('hotstandby.config.json', config('b'));
    const up = await project.run(['up'], { timeoutMs: 300_000 });
    expect(up.code, describeRun(up)).toBe(0);
    const b = `root@${network.host('b').address}`;
    const c = `root@${network.host('c').address}`;
    // The state records where s lives, and the journal the host each directory was made on.
    const state = JSON.parse(await readFile(project.path('.hotstandby', 'state.json'), 'utf8')) as ClusterState;
    const onB = { host: network.host('b').address, user: 'root' };
    expect(state.nodes.s?.host).toEqual(onB);
    expect(state.journal).toContainEqual(expect.objectContaining({ kind: 'dir', node: 's', host: onB }));

    // The config now puts s on c, where a directory of someone else's sits at the same path.
    await project.writeConfig('hotstandby.config.json', config('c'));
    expect((await network.host('c').ssh(`mkdir -p ${HOST_DATA_ROOT}/pg/s && echo theirs > ${HOST_DATA_ROOT}/pg/s/sentinel`)).code).toBe(0);

    // remove-standby --purge deletes on the standby's host of now: refused, rather than leave b's behind.
    const remove = await project.run(['remove-standby', 's', '--purge']);
    expect(remove.code, describeRun(remove)).not.toBe(0);
    expect(remove.stderr, describeRun(remove)).toContain(`made on ${b}, where it lived then, but the config now puts s on ${c}`);

    // s still runs on b: its data directory there is not deleted under it.
    const whileRunning = await project.run(['down', '--purge']);
    expect(whileRunning.code, describeRun(whileRunning)).not.toBe(0);
    expect(whileRunning.stderr, describeRun(whileRunning)).toContain(`s may still run on ${b}`);
    expect(whileRunning.stderr, describeRun(whileRunning)).toContain(c);
    expect((await network.host('b').ssh(`test -f ${HOST_DATA_ROOT}/pg/s/postmaster.pid`)).code).toBe(0);
    expect((await network.host('a').ssh(`test -f ${HOST_DATA_ROOT}/pg/a/postmaster.pid`)).code, 'a is left running').toBe(0);

    // Stopped where it runs (the config as it was), then moved again.
    await project.writeConfig('hotstandby.config.json', config('b'));
    const down = await project.run(['down']);
    expect(down.code, describeRun(down)).toBe(0);
    await project.writeConfig('hotstandby.config.json', config('c'));

    // b cut off: refused, naming both hosts, and nothing changes anywhere.
    network.host('b').setReachable(false);
    try {
      const cut = await project.run(['down', '--purge']);
      expect(cut.code, describeRun(cut)).not.toBe(0);
      expect(cut.stderr, describeRun(cut)).toContain(`${b} cannot be reached`);
      expect(cut.stderr, describeRun(cut)).toContain(`now puts s on ${c}`);
    } finally {
      network.host('b').setReachable(true);
    }
    expect(await ls('b', `${HOST_DATA_ROOT}/pg`)).toContain('s');
    expect(await ls('a', `${HOST_DATA_ROOT}/pg`)).toContain('a');

    const plan = await project.run(['down', '--purge', '--dry-run']);
    expect(plan.code, describeRun(plan)).toBe(0);
    expect(plan.stdout, describeRun(plan)).toContain(`the config now puts it on ${c}`);
    expect(plan.stdout, describeRun(plan)).toContain(`deleting ${HOST_DATA_ROOT}/pg on ${b}`);

    const purge = await project.run(['down', '--purge']);
    expect(purge.code, describeRun(purge)).toBe(0);
    expect(purge.stdout, describeRun(purge)).toContain(`nothing on ${c} is touched for it`);
    expect(await ls('b', HOST_DATA_ROOT), 'b after down --purge').toEqual([]);
    expect(await ls('a', HOST_DATA_ROOT), 'a after down --purge').toEqual([]);
    expect((await network.host('c').ssh(`cat ${HOST_DATA_ROOT}/pg/s/sentinel`)).stdout).toBe('theirs\n');
    expect(await ls('c', `${HOST_DATA_ROOT}/pg/s`)).toEqual(['sentinel']);
    for (const name of ['a', 'b', 'c']) expect(network.host(name).processes(), `processes on ${name}`).toEqual([]);
  }, 600_000);
});

test.runIf(unavailable !== undefined)('the moved-node test is skipped only with a reason', () => {
  expect(unavailable).toMatch(/need/);
});
