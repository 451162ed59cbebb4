// A former primary started by hand beside the promoted one: verify must not report the cluster verified.
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
import { expectUserError, nodeNamed, verifyOf } from './support/cluster-json.js';
import { ok, runAsServerUser, upCluster } from './support/cluster-nodes.js';
import { clusterConfig, createProject } from './support/project.js';

describe('a second primary', () => {
  test('verify refuses while a former primary runs as a primary; after stop and rejoin it passes', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['s1'] }));
    await ok(project, ['promote', 's1', '--force', '--plain']);
    const status = await cluster.status();
    const mainDir = nodeNamed(status, 'main').dataDir;
    const table = await ok(project, ['status', '--table']);
    expect(table.stdout, describeRun(table)).toMatch(/^main\s+former primary\s+\d+\s+former primary: run hotstandby rejoin main/m);
    const started = await runAsServerUser(status, 'pg_ctl', ['start', '-w', '-D', mainDir, '-l', path.join(mainDir, 'started-by-hand.log')], project.dir);
    expect(started.code, describeRun(started)).toBe(0);

    expectUserError(await project.run(['verify']), ['main runs as a second primary beside s1', 'hotstandby rejoin main', '(SPLIT_BRAIN_GUARD)']);

    await ok(project, ['stop', 'main']);
    await ok(project, ['rejoin', 'main', '--plain']);
    const verify = await verifyOf(project);
    expect(verify.report.ok, describeRun(verify.result)).toBe(true);
  });
});
