// A standby promoted by hand behind the tool's back and written to: up must not quietly turn it back into a
// standby (discarding or corrupting those writes); it refuses, naming it, and rebuild replaces it on request.
import { describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
import { expectUserError, nodeNamed, verifyOf } from './support/cluster-json.js';
import { ids, ok, runAsServerUser, upCluster, waitReplayed } from './support/cluster-nodes.js';
import { clusterConfig, createProject } from './support/project.js';
import { waitFor } from './support/wait.js';

describe('a standby that left recovery', () => {
  test('up refuses to demote it silently; rebuild replaces it with a copy of the primary', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['s1', 's2'] }));
    const status = await cluster.status();
    const promoted = await runAsServerUser(status, 'pg_ctl', ['promote', '-w', '-D', nodeNamed(status, 's2').dataDir], project.dir);
    expect(promoted.code, describeRun(promoted)).toBe(0);
    const s2 = await cluster.client('s2');
    await waitFor(async () => (await s2.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0]!.r === false || undefined, { what: 's2 to leave recovery' });
    await s2.query('CREATE TABLE written_on_s2 (id int)');
    await s2.end();

    expectUserError(await project.run(['up', '--plain']), ['s2 runs as a primary (it is not in recovery)', 'hotstandby rebuild s2', '(SPLIT_BRAIN_GUARD)']);
    const still = await cluster.client('s2');
    expect((await still.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0]!.r, 'nothing was changed').toBe(false);
    await still.end();

    await ok(project, ['rebuild', 's2', '--plain']);
    const main = await cluster.client('main');
    await main.query('CREATE TABLE after_rebuild (id int)');
    await main.query('INSERT INTO after_rebuild VALUES (1)');
    const rebuilt = await cluster.client('s2');
    await waitReplayed(main, rebuilt, 's2');
    expect(await ids(rebuilt, 'after_rebuild')).toEqual([1]);
    expect((await rebuilt.query("SELECT to_regclass('public.written_on_s2') AS t")).rows[0].t).toBeNull();
    const verify = await verifyOf(project);
    expect(verify.report.ok, describeRun(verify.result)).toBe(true);
  });
});
