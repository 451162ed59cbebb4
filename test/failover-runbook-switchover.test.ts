// `hotstandby runbook switchover <standby> --format sh` writes the switchover as a POSIX script a DBA can run by
// hand. Run with sh on one cluster, it leaves the same cluster as `hotstandby switchover` leaves on an identical
// one: the standby is the primary and takes writes, the old primary streams from it, no slot is left over, and
// (after the script's last step tells hotstandby who is primary now) status and verify work.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type pg from 'pg';
import { CLI_BIN, describeRun, runProgram } from './support/cli.js';
import { nodeNamed, verifyOf, type StatusJson } from './support/cluster-json.js';
import { ids, ok, slotNames, upCluster, waitForStatus, waitReplayed, type LiveCluster } from './support/cluster-nodes.js';
import { clusterConfig, createProject } from './support/project.js';

// What a switchover leaves, as the servers and `status --json` show it (ports and directories left out, so two
// clusters can be compared).
async function outcome(cluster: LiveCluster): Promise<Record<string, unknown>> {
  const status = await waitForStatus(cluster, 'main to stream from s1', (s) => nodeNamed(s, 'main').state === 'streaming');
  const s1 = await cluster.client('s1');
  const main = await cluster.client('main');
  const recovery = async (c: pg.Client) => (await c.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0]!.r;
  const senders = await s1.query<{ application_name: string; state: string }>('SELECT application_name, state FROM pg_stat_replication ORDER BY 1');
  await s1.query('INSERT INTO probe VALUES (3)');
  await waitReplayed(s1, main, 'main (the old primary)');
  return {
    nodes: status.nodes.map((n: StatusJson['nodes'][number]) => ({ name: n.name, role: n.role, upstream: n.upstream, running: n.running, formerPrimary: n.formerPrimary })),
    s1InRecovery: await recovery(s1),
    mainInRecovery: await recovery(main),
    sendersOnS1: senders.rows,
    slots: { s1: await slotNames(s1), main: await slotNames(main) },
    rowsOnMain: await ids(main, 'probe'),
  };
}

async function clusterWithRows(): Promise<LiveCluster> {
  const project = await createProject();
  const cluster = await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['s1'] }));
  const main = await cluster.client('main');
  await main.query('CREATE TABLE probe (id int PRIMARY KEY)');
  await main.query('INSERT INTO probe VALUES (1), (2)');
  await waitReplayed(main, await cluster.client('s1'), 's1');
  return cluster;
}

describe('runbook switchover --format sh', () => {
  test('run by hand with sh, it leaves the cluster hotstandby switchover leaves', async () => {
    const byHand = await clusterWithRows();
    const { project } = byHand;
    const written = await ok(project, ['runbook', 'switchover', 's1', '--format', 'sh', '-o', 'switchover.sh']);
    const script = project.path('switchover.sh');
    expect(written.stdout).toContain(script);
    const text = readFileSync(script, 'utf8');
    expect(text).toMatch(/^#!\/bin\/sh\n/);
    expect(text).toMatch(/pg_ctl stop -D .* -m fast -w/);
    expect(text).toMatch(/pg_ctl promote -D .* -w/);
    expect(text).toContain('# hotstandby would record: s1 is the primary; main waits for rejoin');
    expect(text).not.toContain(byHand.password);

    // The script's last step calls hotstandby, as a user has it on PATH.
    const bin = project.path('bin');
    await mkdir(bin);
    await writeFile(path.join(bin, 'hotstandby'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI_BIN)} "$@"\n`);
    await chmod(path.join(bin, 'hotstandby'), 0o755);
    const run = await runProgram('sh', [script], { cwd: project.dir, env: { PATH: `${bin}:${process.env.PATH ?? ''}` }, timeoutMs: 240_000 });
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout, describeRun(run)).toContain('runbook: all steps done');
    const afterScript = await outcome(byHand);

    const byTool = await clusterWithRows();
    await ok(byTool.project, ['switchover', 's1', '--plain'], { timeoutMs: 240_000 });
    const afterTool = await outcome(byTool);

    expect(afterScript).toEqual(afterTool);
    expect(afterScript).toMatchObject({
      s1InRecovery: false,
      mainInRecovery: true,
      sendersOnS1: [{ application_name: 'main', state: 'streaming' }],
      slots: { s1: ['main'], main: [] },
      rowsOnMain: [1, 2, 3],
    });
    const verify = await verifyOf(project);
    expect(verify.result.code, describeRun(verify.result)).toBe(0);
    expect(verify.report.primary).toBe('s1');
  });
});
