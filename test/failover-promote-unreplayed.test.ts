// promote of a standby that holds WAL it has not replayed (replay paused, or a delayed standby): before promoting
// it prints the received and replayed LSNs and the gap, and says what happens to that WAL; PostgreSQL replays it
// before the promotion completes, so the new primary has every row it had received.
import { describe, expect, test } from 'vitest';
import type pg from 'pg';
import { describeRun } from './support/cli.js';
import { ids, ok, upCluster } from './support/cluster-nodes.js';
import { clusterConfig, createProject } from './support/project.js';
import { waitFor } from './support/wait.js';

// Write rows on the primary and wait until the standby has received (not replayed) them; returns the primary's LSN.
async function writeAndWaitReceived(primary: pg.Client, standby: pg.Client): Promise<string> {
  await primary.query('CREATE TABLE held_back AS SELECT generate_series(1, 1000) AS id');
  const target = (await primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn;
  await waitFor(async () => (await standby.query<{ done: boolean }>('SELECT pg_last_wal_receive_lsn() >= $1::pg_lsn AS done', [target])).rows[0]!.done, {
    what: `the standby to receive WAL up to ${target}`,
  });
  const replayed = (await standby.query<{ behind: boolean }>('SELECT pg_last_wal_replay_lsn() < $1::pg_lsn AS behind', [target])).rows[0]!.behind;
  expect(replayed, 'the standby must hold WAL it has not replayed').toBe(true);
  return target;
}

describe('promote of a standby with WAL received but not replayed', () => {
  test('a paused standby: promote prints the LSNs and the gap, and the promoted server has replayed everything it received', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['s1'] }));
    const main = await cluster.client('main');
    const s1 = await cluster.client('s1');
    await s1.query('SELECT pg_wal_replay_pause()');
    await writeAndWaitReceived(main, s1);

    const promote = await ok(project, ['promote', 's1', '--force', '--plain']);
    expect(promote.stdout, describeRun(promote)).toMatch(
      /^s1: received WAL up to [0-9A-F]+\/[0-9A-F]+, replayed up to [0-9A-F]+\/[0-9A-F]+: [1-9]\d* bytes received but not replayed$/m,
    );
    expect(promote.stdout, describeRun(promote)).toMatch(/^s1: replay is paused; promotion ends the pause and replays the WAL received so far before s1 accepts writes$/m);
    const promoted = await cluster.client('s1');
    expect((await ids(promoted, 'held_back')).length).toBe(1000);
  });

  test('a delayed standby: promote says the delay is cut short and the received WAL is replayed; the rows are there', async () => {
    const project = await createProject();
    const config = await clusterConfig({ primaryName: 'main', standbys: ['late'] });
    (config.standbys as Record<string, unknown>[])[0]!.applyDelay = '1h';
    const cluster = await upCluster(project, config);
    const main = await cluster.client('main');
    const late = await cluster.client('late');
    await writeAndWaitReceived(main, late);

    const promote = await ok(project, ['promote', 'late', '--force', '--plain']);
    expect(promote.stdout, describeRun(promote)).toMatch(/^late: received WAL up to \S+, replayed up to \S+: [1-9]\d* bytes received but not replayed$/m);
    expect(promote.stdout, describeRun(promote)).toMatch(
      /^late: its recovery_min_apply_delay is 1h; promotion stops waiting out the delay and replays the WAL received so far before late accepts writes$/m,
    );
    const promoted = await cluster.client('late');
    expect((await ids(promoted, 'held_back')).length).toBe(1000);
  });
});
