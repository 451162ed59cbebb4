// A cluster over its life: verify names the failed check when a standby stopped behind the tool's back, `up`
// repairs it, `down` (without --purge) stops everything but keeps the data, and `up` brings it back.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { describeRun, runProgram } from './support/cli.js';
import { expectUserError, nodeNamed, statusOf, verifyOf } from './support/cluster-json.js';
import { postmastersUnder } from './support/processes.js';
import { clusterConfig, createProject } from './support/project.js';

describe('lifecycle', () => {
  test('verify fails on a stopped standby naming the check; up repairs; down keeps data; up again restarts', async () => {
    const project = await createProject();
    await project.writeConfig('hotstandby.config.json', await clusterConfig());
    const up = await project.run(['up']);
    expect(up.code, describeRun(up)).toBe(0);
    const status = await statusOf(project);
    const standby = nodeNamed(status, 'standby1');

    // Stop the standby as an operator would, without hotstandby.
    const pgCtl = path.join(status.postgres!.binDir, 'pg_ctl');
    const stop = await runProgram('runuser', ['-u', status.osUser ?? 'postgres', '--', pgCtl, 'stop', '-D', standby.dataDir, '-m', 'fast', '-w'], { cwd: project.dir });
    expect(stop.code, describeRun(stop)).toBe(0);
    expect(postmastersUnder(standby.dataDir)).toEqual([]);

    const failedJson = await verifyOf(project);
    expect(failedJson.result.code, describeRun(failedJson.result)).toBe(1);
    expect(failedJson.report.ok).toBe(false);
    const failedStandby = failedJson.report.standbys.find((s) => s.name === 'standby1');
    expect(failedStandby?.ok).toBe(false);
    expect(failedStandby?.checks?.filter((c) => !c.ok).map((c) => c.name)).toEqual(['running']);
    const failed = await project.run(['verify']);
    expectUserError(failed, ['standby1', '"running"']);
    expect(nodeNamed(await statusOf(project), 'standby1')).toMatchObject({ running: false });

    // up repairs it (and says it changed something).
    const repair = await project.run(['up']);
    expect(repair.code, describeRun(repair)).toBe(0);
    expect(repair.stdout).not.toMatch(/nothing changed/);
    expect(nodeNamed(await statusOf(project), 'standby1')).toMatchObject({ running: true, inRecovery: true });
    expect((await verifyOf(project)).result.code).toBe(0);

    // down without --purge: everything stops, the data stays.
    const down = await project.run(['down']);
    expect(down.code, describeRun(down)).toBe(0);
    expect(postmastersUnder(project.dir)).toEqual([]);
    const stopped = await statusOf(project);
    expect(stopped.nodes.map((n) => [n.name, n.running])).toEqual([
      ['primary', false],
      ['standby1', false],
    ]);
    for (const node of stopped.nodes) expect(existsSync(path.join(node.dataDir, 'PG_VERSION')), node.dataDir).toBe(true);
    const verifyStopped = await project.run(['verify']);
    expect(verifyStopped.code, describeRun(verifyStopped)).not.toBe(0);
    expect(verifyStopped.stderr).not.toMatch(/^\s+at \S/m);

    // up again: both run, the standby still follows the primary.
    const again = await project.run(['up']);
    expect(again.code, describeRun(again)).toBe(0);
    const restarted = await statusOf(project);
    expect(restarted.nodes.map((n) => [n.name, n.port, n.running])).toEqual(status.nodes.map((n) => [n.name, n.port, true]));
    expect(nodeNamed(restarted, 'standby1')).toMatchObject({ inRecovery: true, upstream: 'primary' });
    expect((await verifyOf(project)).report.ok).toBe(true);
  });
});
