// A standby whose slot PostgreSQL gave up (max_slot_wal_keep_size exceeded while it was down): start, status
// (table, tree, JSON) and verify name the lost slot at once and the way out, and `rebuild` builds the standby
// again from a new base backup.
import { describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
import { expectUserError, nodeNamed, statusOf, verifyOf } from './support/cluster-json.js';
import { ids, ok, upCluster, waitForStatus, waitReplayed } from './support/cluster-nodes.js';
import { clusterConfig, createProject } from './support/project.js';
import { waitFor } from './support/wait.js';
import { jsonResult } from './support/json-output.js';
import type { StandbyBuildJson } from 'hotstandby';

describe('a lost replication slot', () => {
  test('start, status and verify say the slot is lost; rebuild brings the standby back with everything', async () => {
    const project = await createProject();
    const config = await clusterConfig({ primaryName: 'main', standbys: ['s1'], wal: { keepSize: '16MB', maxSlotKeepSize: '32MB' } });
    const cluster = await upCluster(project, config);
    await ok(project, ['stop', 's1']);

    // Write and switch WAL segments until the primary gives up s1's slot.
    const main = await cluster.client('main');
    await main.query('CREATE TABLE lost_probe (id int)');
    let n = 0;
    await waitFor(
      async () => {
        await main.query('INSERT INTO lost_probe VALUES ($1)', [++n]);
        await main.query('SELECT pg_switch_wal()');
        await main.query('CHECKPOINT');
        const slot = await main.query<{ wal_status: string }>("SELECT wal_status FROM pg_replication_slots WHERE slot_name = 's1'");
        return slot.rows[0]?.wal_status === 'lost' || undefined;
      },
      { what: "s1's slot to be lost", timeoutMs: 60_000, intervalMs: 1 },
    );

    // start names the lost slot and the fix, and fails: the standby the user asked for can never stream.
    const start = await project.run(['start', 's1']);
    expect(start.code, describeRun(start)).toBe(1);
    expect(start.stdout, describeRun(start)).toMatch(/^s1: started, NOT streaming: its replication slot s1 on main is lost.*hotstandby rebuild s1$/m);
    const status = await statusOf(project);
    expect(nodeNamed(status, 's1'), JSON.stringify(status, null, 1)).toMatchObject({
      slot: 's1',
      slotWalStatus: 'lost',
      warnings: [expect.stringMatching(/slot s1 on main is lost.*hotstandby rebuild s1/)],
    });
    expect(nodeNamed(status, 's1').state).toMatch(/slot lost/);
    for (const layout of ['--table', '--tree']) {
      const shown = await ok(project, ['status', layout]);
      expect(shown.stdout, describeRun(shown)).toMatch(/^warning: s1: its replication slot s1 on main is lost.*hotstandby rebuild s1$/m);
    }
    expectUserError(await project.run(['verify']), ['its replication slot s1 on main is lost', 'hotstandby rebuild']);

    // rebuild --json: the standby as status reports it afterwards, and the base-backup step that rebuilt it.
    const rebuild = jsonResult<StandbyBuildJson>(await project.run(['rebuild', 's1', '--json']));
    expect(rebuild.standby).toBe('s1');
    expect(rebuild.node).toMatchObject({ name: 's1', state: 'streaming', upstream: 'main' });
    expect(rebuild.up.steps.find((s) => s.step === 'base-backup' && s.node === 's1')).toMatchObject({ changed: true });
    await waitForStatus(cluster, 's1 to stream', (s) => nodeNamed(s, 's1').state === 'streaming');
    const s1 = await cluster.client('s1');
    await waitReplayed(main, s1, 's1');
    expect((await ids(s1, 'lost_probe')).length).toBe(n);
    const verify = await verifyOf(project);
    expect(verify.report.ok, describeRun(verify.result)).toBe(true);
  });
});
