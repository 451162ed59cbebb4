// A standby's postmaster killed with SIGKILL: status notices it (stopped, crashed), verify fails naming it, `start`
// brings it back, and it catches up by itself with what the primary wrote while it was down; a cascaded standby
// below it follows again too.
import { describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
import { nodeNamed, verifyOf } from './support/cluster-json.js';
import { ids, ok, postmasterPid, upCluster, waitForStatus, waitReplayed } from './support/cluster-nodes.js';
import { postmastersUnder } from './support/processes.js';
import { clusterConfig, createProject } from './support/project.js';
import { waitFor } from './support/wait.js';

describe('a standby killed with SIGKILL', () => {
  test('status reports it crashed; start brings it back; it catches up with rows written while it was down', async () => {
    const project = await createProject();
    const config = await clusterConfig({ primaryName: 'main', standbys: ['victim', 'below', 'other'] });
    (config.standbys as Record<string, unknown>[])[1]!.upstream = 'victim';
    // verify waits this long for a standby that cannot replay (below, while its upstream is down).
    config.steps = { verify: { timeoutSeconds: 15 } };
    const cluster = await upCluster(project, config);
    const main = await cluster.client('main');
    await main.query('CREATE TABLE crash_probe (id int PRIMARY KEY)');
    await main.query('INSERT INTO crash_probe VALUES (1)');
    const victimNode = await cluster.node('victim');
    const victimBefore = await cluster.client('victim');
    await waitReplayed(main, victimBefore, 'victim');
    await victimBefore.end();

    // kill -9 of the postmaster, as the OOM killer would.
    const pid = postmasterPid(victimNode.dataDir);
    expect(pid).toBe(victimNode.pid);
    process.kill(pid, 'SIGKILL');
    await waitFor(() => postmastersUnder(victimNode.dataDir).length === 0, { what: `the killed postmaster ${pid} to be gone` });

    const crashed = await waitForStatus(cluster, 'status to see victim stopped', (s) => nodeNamed(s, 'victim').running === false);
    expect(nodeNamed(crashed, 'victim')).toMatchObject({ running: false, pid: null, inRecovery: null });
    expect(nodeNamed(crashed, 'victim').state).toMatch(/stopped.*crashed/);
    expect(nodeNamed(crashed, 'other').state).toBe('streaming');
    // verify reports the crashed standby (and the one below it, which cannot receive) as failed, as JSON.
    // (Soft assertions: the recovery below is checked even when these fail.)
    const verify = await project.run(['verify', '--json']);
    let report: { standbys?: { name: string; ok: boolean; checks?: { name: string; ok: boolean }[] }[] } = {};
    try {
      report = JSON.parse(verify.stdout);
    } catch {
      // reported by the assertion below
    }
    const summary = report.standbys?.map((s) => [s.name, s.ok, s.checks?.find((c) => !c.ok)?.name ?? null]);
    expect.soft({ code: verify.code, summary }, describeRun(verify)).toMatchObject({
      code: 1,
      summary: [
        ['victim', false, 'running'],
        ['below', false, expect.any(String)],
        ['other', true, null],
      ],
    });

    // The primary goes on writing while the standby is down.
    await main.query('INSERT INTO crash_probe SELECT generate_series(2, 500)');

    // start (all nodes): only the crashed one is started; the others were running.
    const start = await ok(project, ['start']);
    expect(start.stdout, describeRun(start)).toMatch(/^victim: started$/m);
    for (const name of ['main', 'below', 'other']) expect(start.stdout, describeRun(start)).toMatch(new RegExp(`^${name}: already running$`, 'm'));

    // It catches up by itself, and so does the cascaded standby below it.
    const victim = await cluster.client('victim');
    await waitReplayed(main, victim, 'victim after its restart');
    expect((await ids(victim, 'crash_probe')).length).toBe(500);
    const below = await cluster.client('below');
    await waitReplayed(main, below, 'below (cascaded from victim)');
    expect((await ids(below, 'crash_probe')).length).toBe(500);
    const after = await waitForStatus(cluster, 'victim and below to stream', (s) => ['victim', 'below'].every((n) => nodeNamed(s, n).state === 'streaming'));
    expect(nodeNamed(after, 'victim')).toMatchObject({ running: true, inRecovery: true, upstream: 'main' });
    expect(nodeNamed(after, 'victim').pid).not.toBe(pid);
    expect(nodeNamed(after, 'below').upstream).toBe('victim');
    expect((await verifyOf(project)).report.ok).toBe(true);
  });
});
