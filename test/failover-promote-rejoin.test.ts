// Failover: promote refuses while the primary runs (never two primaries); --force stops it first, promotes the
// standby, and the other standbys follow the new primary. The old primary cannot be started as a second primary;
// rejoin makes it a standby of the new one and says how; later runs of up keep the new roles.
import { describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
import { expectUserError, nodeNamed, verifyOf } from './support/cluster-json.js';
import { ids, ok, slotNames, upCluster, waitForStatus, waitReplayed } from './support/cluster-nodes.js';
import { postmastersUnder } from './support/processes.js';
import { clusterConfig, createProject } from './support/project.js';
import { expectJsonError } from './support/json-output.js';

describe('promote and rejoin', () => {
  test('promote is refused while the primary runs; --force fails over; the old primary is kept down until rejoin', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['s1', 's2'] }));
    const before = await cluster.status();
    const mainDir = nodeNamed(before, 'main').dataDir;
    const oldMain = await cluster.client('main');
    await oldMain.query('CREATE TABLE failover_probe (id int PRIMARY KEY)');
    await oldMain.query('INSERT INTO failover_probe VALUES (1)');
    const s1 = await cluster.client('s1');
    await waitReplayed(oldMain, s1, 's1');
    await oldMain.end();

    // Refused while main runs: SPLIT_BRAIN_GUARD, naming the running primary; nothing changes.
    const refused = await project.run(['promote', 's1']);
    expectUserError(refused, ['SPLIT_BRAIN_GUARD', /\bmain\b.*running/]);
    const refusedJson = await project.run(['promote', 's1', '--json']);
    expectJsonError(refusedJson, { exitCode: 1, code: 'SPLIT_BRAIN_GUARD', mentions: [/\bmain\b.*running/] });
    expect(refusedJson.stdout, describeRun(refusedJson)).toBe('');
    const unchanged = await cluster.status();
    expect(unchanged.nodes.map((n) => [n.name, n.role, n.running, n.inRecovery])).toEqual([
      ['main', 'primary', true, false],
      ['s1', 'standby', true, true],
      ['s2', 'standby', true, true],
    ]);

    // --force: main is stopped, s1 promoted, s2 follows s1.
    const promote = await ok(project, ['promote', 's1', '--force', '--plain']);
    expect(promote.stdout, describeRun(promote)).toMatch(/stopping the old primary main/);
    expect(postmastersUnder(mainDir)).toEqual([]);
    const after = await waitForStatus(cluster, 's2 to stream from s1', (s) => nodeNamed(s, 's2').state === 'streaming' && nodeNamed(s, 's2').upstream === 's1');
    expect(nodeNamed(after, 's1')).toMatchObject({ role: 'primary', running: true, inRecovery: false, upstream: null });
    expect(nodeNamed(after, 's2')).toMatchObject({ role: 'standby', running: true, inRecovery: true, upstream: 's1' });
    expect(nodeNamed(after, 'main')).toMatchObject({ running: false, formerPrimary: true });
    // status reports the timeline each node is on now: the new one, on s1 and on s2 which follows it.
    const newTimeline = Number((await s1.query<{ tli: string }>("SELECT ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int AS tli")).rows[0]!.tli);
    expect(newTimeline).toBe((nodeNamed(before, 'main').timeline as number) + 1);
    expect
      .soft(
        after.nodes.filter((n) => n.name !== 'main').map((n) => [n.name, n.timeline]),
        'status timelines right after promote',
      )
      .toEqual([
        ['s1', newTimeline],
        ['s2', newTimeline],
      ]);

    // A row written on the new primary reaches the standby that followed it.
    await s1.query('INSERT INTO failover_probe VALUES (2)');
    const s2 = await cluster.client('s2');
    await waitReplayed(s1, s2, 's2 (following s1)');
    expect(await ids(s2, 'failover_probe')).toEqual([1, 2]);

    // The old primary must not start: it would be a second primary. Not by name, and not with `start` (all).
    const startOld = await project.run(['start', 'main']);
    expectUserError(startOld, ['SPLIT_BRAIN_GUARD', 'rejoin main']);
    expect(postmastersUnder(mainDir)).toEqual([]);
    const startAll = await ok(project, ['start']);
    expect(startAll.stdout, describeRun(startAll)).not.toMatch(/^main: started/m);
    expect(postmastersUnder(mainDir)).toEqual([]);

    // verify runs against the new primary.
    const verify = await verifyOf(project);
    expect(verify.result.code, describeRun(verify.result)).toBe(0);
    expect(verify.report.primary).toBe('s1');
    expect(verify.report.standbys.map((s) => [s.name, s.ok])).toEqual([['s2', true]]);

    // rejoin: main stopped cleanly before s1's timeline forked, so it follows s1 without a rewind.
    const rejoin = await ok(project, ['rejoin', 'main', '--plain']);
    expect(rejoin.stdout, describeRun(rejoin)).toMatch(/main rejoined by follow: /);
    const rejoined = await waitForStatus(cluster, 'main to stream from s1', (s) => nodeNamed(s, 'main').state === 'streaming');
    expect(nodeNamed(rejoined, 'main')).toMatchObject({ role: 'standby', running: true, inRecovery: true, upstream: 's1', formerPrimary: false });
    await s1.query('INSERT INTO failover_probe VALUES (3)');
    const main = await cluster.client('main');
    await waitReplayed(s1, main, 'main (rejoined)');
    expect(await ids(main, 'failover_probe')).toEqual([1, 2, 3]);
    // The slots main kept from its time as the primary serve nobody now (no standby streams from main) and would
    // hold WAL on it forever; the new primary has a slot for each standby.
    expect.soft(await slotNames(main), 'slots left on the rejoined former primary').toEqual([]);
    expect(await slotNames(s1)).toEqual(['main', 's2']);
    const verifyAll = await verifyOf(project);
    expect(verifyAll.result.code, describeRun(verifyAll.result)).toBe(0);
    expect(verifyAll.report.standbys.map((s) => s.name).sort()).toEqual(['main', 's2']);

    // A later up keeps the new roles (the state remembers the promotion).
    const again = await ok(project, ['up', '--plain']);
    expect.soft(again.stdout, `up after rejoin should have nothing left to do\n${describeRun(again)}`).toMatch(/nothing changed/);
    const final = await cluster.status();
    expect(Object.fromEntries(final.nodes.map((n) => [n.name, [n.role, n.upstream]]))).toEqual({
      s1: ['primary', null],
      main: ['standby', 's1'],
      s2: ['standby', 's1'],
    });
  });
});
