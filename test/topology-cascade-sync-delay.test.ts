// One primary and three kinds of standby in one cluster: a cascaded one (streaming from another standby), a
// synchronous one and a delayed one. status draws and reports the tree, the primary lists the synchronous standby,
// the delayed one holds WAL back by design (verify says so instead of failing), a row reaches the cascaded standby,
// and stopping the synchronous standby warns that the primary's commits will wait.
import { describe, expect, test } from 'vitest';
import { lsnDiff } from '@hotstandby/core';
import { describeRun } from './support/cli.js';
import { nodeNamed, verifyOf } from './support/cluster-json.js';
import { ids, ok, show, upCluster, waitForStatus, waitReplayed } from './support/cluster-nodes.js';
import { clusterConfig, createProject } from './support/project.js';
import { waitFor } from './support/wait.js';

describe('cascaded, synchronous and delayed standbys', () => {
  test('up builds them; status, verify and the servers show each kind; a row reaches the cascaded standby; stopping the synchronous one warns', async () => {
    const project = await createProject();
    const config = await clusterConfig({ primaryName: 'main', standbys: ['relay', 'leaf', 'sync1', 'late'] });
    const standbys = config.standbys as Record<string, unknown>[];
    standbys[1]!.upstream = 'relay';
    standbys[2]!.synchronous = true;
    standbys[3]!.applyDelay = '5min';
    const cluster = await upCluster(project, config);

    // status --json: every standby streams, each from its upstream; the cascaded one from its standby.
    const status = await cluster.status();
    expect(status.nodes.map((n) => [n.name, n.role, n.running, n.inRecovery, n.upstream])).toEqual([
      ['main', 'primary', true, false, null],
      ['relay', 'standby', true, true, 'main'],
      ['leaf', 'standby', true, true, 'relay'],
      ['sync1', 'standby', true, true, 'main'],
      ['late', 'standby', true, true, 'main'],
    ]);
    for (const name of ['relay', 'leaf', 'sync1', 'late']) expect(nodeNamed(status, name).state, name).toBe('streaming');
    expect(nodeNamed(status, 'sync1').synchronous).toBe(true);
    expect(nodeNamed(status, 'late').applyDelay).toBe('5min');
    // Each standby's slot is in use on the node it streams from, the cascaded one's on relay (not on the primary).
    expect(status.nodes.filter((n) => n.role === 'standby').map((n) => [n.name, n.slot, n.slotActive])).toEqual([
      ['relay', 'relay', true],
      ['leaf', 'leaf', true],
      ['sync1', 'sync1', true],
      ['late', 'late', true],
    ]);

    // status --tree: the primary at the root, its standbys below with ├──/└──, the cascaded one under its upstream.
    const tree = await ok(project, ['status', '--tree']);
    const lines = tree.stdout.split('\n');
    const treeLines = lines.slice(0, 5);
    expect(treeLines[0], describeRun(tree)).toMatch(/^main\s+primary\s+:\d+\s+running/);
    expect(treeLines[1], describeRun(tree)).toMatch(/^├── relay\s+standby\s+:\d+\s+streaming/);
    expect(treeLines[2], describeRun(tree)).toMatch(/^│ {3}└── leaf\s+standby\s+:\d+\s+streaming/);
    expect(treeLines[3], describeRun(tree)).toMatch(/^├── sync1\s+standby\s+.*\bsynchronous\b/);
    expect(treeLines[4], describeRun(tree)).toMatch(/^└── late\s+standby\s+.*\bdelayed 5min\b/);
    // The table (the default when not on a terminal) says the same in its ROLE column.
    const table = await ok(project, ['status', '--table']);
    expect(table.stdout, describeRun(table)).toMatch(/^sync1\s+standby \(sync\)\s+\d+\s+streaming/m);
    expect(table.stdout, describeRun(table)).toMatch(/^late\s+standby \(delayed 5min\)\s+\d+\s+streaming/m);

    // verify passes; the delayed standby is reported delayed by design, not failed.
    const verify = await verifyOf(project);
    expect(verify.result.code, describeRun(verify.result)).toBe(0);
    expect(verify.report.ok).toBe(true);
    expect(verify.report.standbys.map((s) => [s.name, s.ok])).toEqual([
      ['relay', true],
      ['leaf', true],
      ['sync1', true],
      ['late', true],
    ]);
    const late = verify.report.standbys.find((s) => s.name === 'late')!;
    expect((late as { delayedBy?: unknown }).delayedBy).toBe('5min');
    expect(late.checks?.find((c) => c.name === 'row-replicated')?.detail, JSON.stringify(late)).toMatch(/delayed by design/);

    // The servers: the primary waits for sync1 (FIRST 1), the delayed standby has its apply delay.
    const main = await cluster.client('main');
    expect(await show(main, 'synchronous_standby_names')).toBe('FIRST 1 ("sync1")');
    const syncStates = await main.query<{ application_name: string; sync_state: string }>('SELECT application_name, sync_state FROM pg_stat_replication ORDER BY 1');
    expect(syncStates.rows.find((r) => r.application_name === 'sync1')?.sync_state).toBe('sync');
    expect(syncStates.rows.filter((r) => r.application_name !== 'sync1').map((r) => r.sync_state)).toEqual(['async', 'async']);
    const lateClient = await cluster.client('late');
    expect(await show(lateClient, 'recovery_min_apply_delay')).toBe('5min');

    // A row written on the primary reaches the cascaded standby (waiting on the LSN), and the delayed standby
    // receives its WAL but does not apply it yet.
    await main.query('CREATE TABLE cascade_probe (id int PRIMARY KEY)');
    await main.query('INSERT INTO cascade_probe VALUES (1), (2), (3)');
    const leaf = await cluster.client('leaf');
    const target = await waitReplayed(main, leaf, 'leaf (through relay)');
    expect(await ids(leaf, 'cascade_probe')).toEqual([1, 2, 3]);

    // The cascaded standby as its upstream sees it: relay (not the primary) has its walsender and its slot, and
    // status reports the lag relay's walsender measures, in bytes behind the primary: at most the distance from
    // what relay said leaf had replayed before status ran to the primary's position after.
    const relay = await cluster.client('relay');
    const leafOnRelay = await relay.query<{ replay: string | null }>("SELECT replay_lsn::text AS replay FROM pg_stat_replication WHERE application_name = 'leaf'");
    expect(leafOnRelay.rows, 'relay streams to leaf').toHaveLength(1);
    expect((await main.query("SELECT 1 FROM pg_stat_replication WHERE application_name = 'leaf'")).rowCount, 'leaf does not stream from the primary').toBe(0);
    expect((await relay.query("SELECT active FROM pg_replication_slots WHERE slot_name = 'leaf'")).rows).toEqual([{ active: true }]);
    expect((await main.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = 'leaf'")).rowCount, "leaf's slot is not on the primary").toBe(0);
    const replayedBefore = leafOnRelay.rows[0]!.replay!;
    const leafStatus = nodeNamed(await cluster.status(), 'leaf');
    const primaryAfter = (await main.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn;
    expect(leafStatus).toMatchObject({ upstream: 'relay', slot: 'leaf', slotActive: true, replayLagSeconds: expect.any(Number) });
    expect(leafStatus.replayLagBytes).toBeGreaterThanOrEqual(0);
    expect(leafStatus.replayLagBytes).toBeLessThanOrEqual(lsnDiff(primaryAfter, replayedBefore));
    await waitFor(async () => (await lateClient.query<{ got: boolean }>('SELECT pg_last_wal_receive_lsn() >= $1::pg_lsn AS got', [target])).rows[0]!.got, {
      what: `late to receive WAL up to ${target}`,
    });
    const lateSeesTable = await lateClient.query<{ t: string | null }>("SELECT to_regclass('public.cascade_probe')::text AS t");
    expect(lateSeesTable.rows[0]!.t, 'the delayed standby must not apply WAL before its delay').toBeNull();

    // Stopping an asynchronous standby says nothing more; stopping the synchronous one warns that the primary's
    // commits wait until it runs again.
    const stopAsync = await ok(project, ['stop', 'relay']);
    expect(stopAsync.stdout + stopAsync.stderr, describeRun(stopAsync)).not.toMatch(/warning/i);
    const stopSync = await ok(project, ['stop', 'sync1']);
    expect(stopSync.stdout + stopSync.stderr, describeRun(stopSync)).toMatch(/warning: sync1 is a synchronous standby.*commits on main wait/);
    expect(stopSync.stdout, describeRun(stopSync)).toMatch(/^sync1: stopped$/m);

    // They come back and stream again; sync1 is the synchronous standby again, so a commit on the primary completes.
    const start = await ok(project, ['start']);
    expect(start.stdout, describeRun(start)).toMatch(/^sync1: started$/m);
    expect(start.stdout, describeRun(start)).toMatch(/^relay: started$/m);
    expect(start.stdout, describeRun(start)).toMatch(/^main: already running$/m);
    await waitForStatus(cluster, 'every standby to stream again', (s) => s.nodes.filter((n) => n.role === 'standby').every((n) => n.state === 'streaming'));
    await waitFor(async () => (await main.query("SELECT 1 FROM pg_stat_replication WHERE application_name = 'sync1' AND sync_state = 'sync'")).rowCount === 1, {
      what: 'sync1 to be the synchronous standby again',
    });
    await main.query('INSERT INTO cascade_probe VALUES (4)');
    const sync1 = await cluster.client('sync1');
    await waitReplayed(main, sync1, 'sync1');
    expect(await ids(sync1, 'cascade_probe')).toEqual([1, 2, 3, 4]);
    await waitReplayed(main, leaf, 'leaf after relay restarted');
    expect(await ids(leaf, 'cascade_probe')).toEqual([1, 2, 3, 4]);

    // The delayed standby restarted holds WAL it has not applied: it streams again only after applying it, 5min
    // later. verify says so at once instead of failing after its timeout.
    await lateClient.end();
    await ok(project, ['restart', 'late']);
    const afterRestart = await verifyOf(project);
    expect(afterRestart.result.code, describeRun(afterRestart.result)).toBe(0);
    const lateAgain = afterRestart.report.standbys.find((s) => s.name === 'late')!;
    expect(lateAgain.checks?.find((c) => c.name === 'row-replicated')?.detail, JSON.stringify(lateAgain)).toMatch(
      /delayed by design \(5min\): it is applying WAL it already holds/,
    );
    expect(lateAgain.checks?.find((c) => c.name === 'streaming')?.detail, JSON.stringify(lateAgain)).toMatch(/not streaming yet, by design/);
  });
});
