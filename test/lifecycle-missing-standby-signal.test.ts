// A standby whose standby.signal was deleted by hand must never start as a second, writable primary: the state
// records it as a standby, so `start` and `up` put the signal file back (and say so) before starting it.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
import { expectUserError } from './support/cluster-json.js';
import { ok, runAsServerUser, upCluster, waitReplayed, type LiveCluster } from './support/cluster-nodes.js';
import { clusterConfig, createProject } from './support/project.js';

async function stopAndDeleteSignal(cluster: LiveCluster, name: string): Promise<string> {
  const node = await cluster.node(name);
  await ok(cluster.project, ['stop', name]);
  const signal = path.join(node.dataDir, 'standby.signal');
  expect(existsSync(signal)).toBe(true);
  await rm(signal);
  return signal;
}

async function expectStreamingStandby(cluster: LiveCluster, name: string): Promise<void> {
  const standby = await cluster.client(name);
  expect((await standby.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0]!.r).toBe(true);
  const primary = await cluster.client('main');
  await primary.query('CREATE TABLE IF NOT EXISTS signal_probe (id int)');
  await primary.query('INSERT INTO signal_probe VALUES (1)');
  await waitReplayed(primary, standby, name);
}

describe('a recorded standby whose standby.signal was deleted', () => {
  test('start restores standby.signal, says so, and the node comes back as a streaming standby', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['replica'] }));
    const signal = await stopAndDeleteSignal(cluster, 'replica');

    const start = await ok(project, ['start', 'replica']);
    expect(start.stdout, describeRun(start)).toMatch(/replica.*standby\.signal.*(restored|put back)|restor.*standby\.signal.*replica/i);
    expect(existsSync(signal)).toBe(true);
    await expectStreamingStandby(cluster, 'replica');
  });

  test('up restores standby.signal and the node comes back as a streaming standby', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['replica'] }));
    const signal = await stopAndDeleteSignal(cluster, 'replica');

    const up = await ok(project, ['up', '--plain']);
    expect(up.stdout, describeRun(up)).toMatch(/standby\.signal/);
    expect(existsSync(signal)).toBe(true);
    await expectStreamingStandby(cluster, 'replica');
  });

  test('start refuses, changing nothing, when the copy has run as a primary since the signal was deleted', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['replica'] }));
    const signal = await stopAndDeleteSignal(cluster, 'replica');
    // Started by hand without the signal, it runs as a primary; then it is stopped again.
    const status = await cluster.status();
    const node = await cluster.node('replica');
    for (const action of ['start', 'stop']) {
      const run = await runAsServerUser(status, 'pg_ctl', [action, '-D', node.dataDir, '-w', '-l', path.join(node.dataDir, 'started-by-hand.log')], project.dir);
      expect(run.code, describeRun(run)).toBe(0);
    }

    const start = await project.run(['start']);
    expectUserError(start, ['replica', 'standby.signal', 'rebuild replica']);
    expect(start.stdout).not.toMatch(/starting/);
    expect(existsSync(signal)).toBe(false);
    expect((await cluster.status()).nodes.map((n) => [n.name, n.running])).toEqual([
      ['main', true],
      ['replica', false],
    ]);
  });
});
