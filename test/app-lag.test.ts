// `lag NAME --pause | --resume | --delay D`: a standby that falls behind on purpose, for testing applications that
// read from replicas. An operation like the others: checked before anything changes, --dry-run and --json.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { PlanView } from '@hotstandby/core';
import { describeRun, parseJson } from './support/cli.js';
import { expectUserError } from './support/cluster-json.js';
import { ok, runAsServerUser, show, upCluster, waitReplayed } from './support/cluster-nodes.js';
import { clusterConfig, createProject } from './support/project.js';

describe('lag', () => {
  test('--pause keeps a standby on old data until --resume; --delay sets recovery_min_apply_delay with a reload; --dry-run changes nothing', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['s1'] }));
    const main = await cluster.client('main');
    const s1 = await cluster.client('s1');
    const paused = async () => (await s1.query<{ p: boolean }>('SELECT pg_is_wal_replay_paused() AS p')).rows[0]!.p;
    await main.query('CREATE TABLE lagged (id int)');
    await waitReplayed(main, s1, 's1');

    // The dry run prints the SQL and pauses nothing.
    const plan = parseJson<PlanView>(await ok(project, ['lag', 's1', '--pause', '--dry-run', '--json']));
    expect(plan.steps.flatMap((s) => s.actions.flatMap((a) => a.lines)).join('\n')).toContain('SELECT pg_wal_replay_pause()');
    expect(await paused()).toBe(false);

    // The same plan as a runbook to follow by hand.
    const runbook = await ok(project, ['runbook', 'lag', 's1', '--', '--pause']);
    expect(runbook.stdout, describeRun(runbook)).toContain('SELECT pg_wal_replay_pause()');
    expect(await paused()).toBe(false);

    // Paused: s1 receives the row but does not show it.
    await ok(project, ['lag', 's1', '--pause']);
    expect(await paused()).toBe(true);
    await main.query('INSERT INTO lagged VALUES (1)');
    const target = (await main.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn;
    const { pollUntil } = await import('@hotstandby/core');
    await pollUntil(async () => ((await s1.query<{ r: boolean }>('SELECT pg_last_wal_receive_lsn() >= $1::pg_lsn AS r', [target])).rows[0]!.r ? true : undefined), {
      timeoutMs: 30_000,
      what: 's1 to receive the insert',
    });
    expect((await s1.query('SELECT * FROM lagged')).rows).toEqual([]);
    await ok(project, ['lag', 's1', '--resume']);
    await waitReplayed(main, s1, 's1 after --resume');
    expect((await s1.query('SELECT * FROM lagged')).rows).toEqual([{ id: 1 }]);

    // --delay: the dry run shows the settings file change; applied, the running standby uses it after a reload.
    const settingsFile = path.join((await cluster.node('s1')).dataDir, 'postgresql.auto.conf');
    const before = readFileSync(settingsFile, 'utf8');
    const dry = await ok(project, ['lag', 's1', '--delay', '2s', '--dry-run']);
    expect(dry.stdout, describeRun(dry)).toMatch(/recovery_min_apply_delay = '2s'/);
    expect(readFileSync(settingsFile, 'utf8')).toBe(before);
    await ok(project, ['lag', 's1', '--delay', '2s']);
    expect(await show(s1, 'recovery_min_apply_delay')).toBe('2s');
    await ok(project, ['lag', 's1', '--delay', '0']);
    expect(await show(s1, 'recovery_min_apply_delay')).toBe('0');
    expect(readFileSync(settingsFile, 'utf8')).not.toContain('recovery_min_apply_delay');
  });

  test('refuses the primary, an unknown node and a bad duration before changing anything, and wants exactly one change', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['s1'] }));
    const settingsFile = path.join((await cluster.node('s1')).dataDir, 'postgresql.auto.conf');
    const before = readFileSync(settingsFile, 'utf8');
    expectUserError(await project.run(['lag', 'main', '--pause']), ['main is not a standby', 's1']);
    expectUserError(await project.run(['lag', 'nope', '--pause']), ['no node named "nope"']);
    expectUserError(await project.run(['lag', 's1', '--delay', '2 seconds']), ['--delay 2 seconds is not a duration', '500ms, 2s, 5min']);
    // Beyond PostgreSQL's range (an int of ms): refused up front, not written where it would break the next start.
    for (const tooLong of ['30d', '25d', '600h', '36000min']) {
      expectUserError(await project.run(['lag', 's1', '--delay', tooLong]), [`--delay ${tooLong} is longer than PostgreSQL accepts`, '2147483647ms', 'at most 24d']);
    }
    for (const args of [
      ['lag', 's1'],
      ['lag', 's1', '--pause', '--resume'],
    ]) {
      const run = await project.run(args);
      expect(run.code, describeRun(run)).toBe(2);
      expect(run.stderr).toMatch(/lag takes exactly one of --pause, --resume or --delay/);
    }
    expect(readFileSync(settingsFile, 'utf8')).toBe(before);
    const s1 = await cluster.client('s1');
    expect((await s1.query<{ p: boolean }>('SELECT pg_is_wal_replay_paused() AS p')).rows[0]!.p).toBe(false);
  });

  test('--delay takes effect or the file is put back; a delayed or paused standby is refused as a switchover target; --delay 0 takes a delay out of a stopped standby, which then starts', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['s1'] }));
    const settingsFile = path.join((await cluster.node('s1')).dataDir, 'postgresql.auto.conf');
    const run = await ok(project, ['lag', 's1', '--delay', '24d']);
    expect(run.stdout, describeRun(run)).toMatch(/check that s1 applies WAL 24d after commit/);
    expect(await show(await cluster.client('s1'), 'recovery_min_apply_delay')).toBe('24d');
    // A switchover onto it would wait out the delay: refused, naming how to take it out; nothing changes.
    expectUserError(await project.run(['switchover', 's1']), ['s1 applies WAL 24d after commit', 'hotstandby lag s1 --delay 0']);
    await ok(project, ['stop', 's1']);
    expectUserError(await project.run(['lag', 's1', '--delay', '2s']), ['s1 is not running', 'lag s1 --delay 0 works on a stopped standby']);
    expect(readFileSync(settingsFile, 'utf8')).toContain("recovery_min_apply_delay = '24d'");
    const off = await ok(project, ['lag', 's1', '--delay', '0']);
    expect(off.stdout, describeRun(off)).toContain('remove recovery_min_apply_delay from');
    expect(readFileSync(settingsFile, 'utf8')).not.toContain('recovery_min_apply_delay');
    await ok(project, ['start', 's1']);
    expect(await show(await cluster.client('s1'), 'recovery_min_apply_delay')).toBe('0');
    // Paused replay would make a switchover wait until it timed out: refused up front, naming --resume.
    await ok(project, ['lag', 's1', '--pause']);
    expectUserError(await project.run(['switchover', 's1']), ['s1 has WAL replay paused', 'hotstandby lag s1 --resume']);
    await ok(project, ['lag', 's1', '--resume']);
    const main = await cluster.client('main');
    expect((await main.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0]!.r).toBe(false);

    // A server that does not take the new value (here a command-line setting wins over the file): the file is put
    // back as it was and the failure says what the server uses.
    const status = await cluster.status();
    await ok(project, ['stop', 's1']);
    const dataDir = (await cluster.node('s1')).dataDir;
    const manual = await runAsServerUser(
      status,
      'pg_ctl',
      ['start', '-D', dataDir, '-w', '-s', '-l', path.join(dataDir, 'manual-start.log'), '-o', '-c recovery_min_apply_delay=0'],
      dataDir,
    );
    expect(manual.code, describeRun(manual)).toBe(0);
    const unchanged = readFileSync(settingsFile, 'utf8');
    expectUserError(await project.run(['lag', 's1', '--delay', '2s']), ["s1 did not take recovery_min_apply_delay = '2s'", 'it uses 0ms (from command line', 'back as it was']);
    expect(readFileSync(settingsFile, 'utf8')).toBe(unchanged);
  });
});
