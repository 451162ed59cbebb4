// A former primary started by hand beside the promoted one: verify must not report the cluster verified.
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
import { expectUserError, nodeNamed, verifyOf } from './support/cluster-json.js';
import { ok, runAsServerUser, upCluster } from './support/cluster-nodes.js';
import { clusterConfig, createProject } from './support/project.js';
import { jsonResult } from './support/json-output.js';
import type { PromoteJson, RejoinJson } from 'hotstandby';

describe('a second primary', () => {
  test('verify refuses while a former primary runs as a primary; after stop and rejoin it passes', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['s1'] }));
    // promote --json: who was the primary and who is now, and the up run that followed.
    const promoted = jsonResult<PromoteJson>(await project.run(['promote', 's1', '--force', '--json']));
    expect(promoted).toMatchObject({ newPrimary: 's1', oldPrimary: 'main', warnings: [] });
    expect(promoted.up.status?.nodes.find((n) => n.name === 's1')).toMatchObject({ role: 'primary', running: true });
    const status = await cluster.status();
    const mainDir = nodeNamed(status, 'main').dataDir;
    const table = await ok(project, ['status', '--table']);
    expect(table.stdout, describeRun(table)).toMatch(/^main\s+former primary\s+\d+\s+former primary: run hotstandby rejoin main/m);
    const started = await runAsServerUser(status, 'pg_ctl', ['start', '-w', '-D', mainDir, '-l', path.join(mainDir, 'started-by-hand.log')], project.dir);
    expect(started.code, describeRun(started)).toBe(0);

    expectUserError(await project.run(['verify']), ['main runs as a second primary beside s1', 'hotstandby rejoin main', '(SPLIT_BRAIN_GUARD)']);

    await ok(project, ['stop', 'main']);
    const rejoined = jsonResult<RejoinJson>(await project.run(['rejoin', 'main', '--json']));
    expect(rejoined).toMatchObject({ node: 'main', method: expect.stringMatching(/^(follow|pg_rewind)$/), detail: expect.any(String) });
    expect(rejoined.up.status?.nodes.find((n) => n.name === 'main')).toMatchObject({ role: 'standby', upstream: 's1' });
    const verify = await verifyOf(project);
    expect(verify.report.ok, describeRun(verify.result)).toBe(true);
  });
});
