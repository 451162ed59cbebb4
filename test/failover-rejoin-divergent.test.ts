// rejoin of a former primary that diverged: after `promote --force`, someone starts the old primary's data
// directory by hand as a primary and writes to it. rejoin must throw that branch away: with pg_rewind (Debian's
// binaries have it) it rewinds; with the embedded binaries (no pg_rewind) it falls back to a fresh base backup. It
// says which, and the rows written only on the old branch are gone.
import { chownSync, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
import { nodeNamed, verifyOf, type StatusJson } from './support/cluster-json.js';
import { ids, ok, runAsServerUser, upCluster, waitForStatus, waitReplayed, type LiveCluster } from './support/cluster-nodes.js';
import { connect } from './support/pg.js';
import { postmastersUnder } from './support/processes.js';
import { clusterConfig, createProject } from './support/project.js';
import { waitFor } from './support/wait.js';
import { jsonResult } from './support/json-output.js';
import type { RejoinJson } from 'hotstandby';

// Fail over from main to s1, then run main by hand as a second primary and write rows only it has (checking that
// status calls it that when checkStatus). Leaves main running when keepRunning, else stops it by hand. Returns the
// rows of the new primary's branch.
async function divergeOldPrimary(cluster: LiveCluster, options: { keepRunning: boolean; checkStatus: boolean }): Promise<number[]> {
  const { project } = cluster;
  const main = await cluster.client('main');
  await main.query('CREATE TABLE branch_probe (id int PRIMARY KEY)');
  await main.query('INSERT INTO branch_probe VALUES (1), (2)');
  const s1 = await cluster.client('s1');
  await waitReplayed(main, s1, 's1');
  await main.end();
  await ok(project, ['promote', 's1', '--force', '--plain']);
  await s1.query('INSERT INTO branch_probe VALUES (3)');

  // The old primary's data directory started by hand, as a primary (it has no standby.signal), on its own port.
  const status = await cluster.status();
  const mainNode = nodeNamed(status, 'main');
  expect(existsSync(path.join(mainNode.dataDir, 'standby.signal'))).toBe(false);
  const handLog = path.join(cluster.stateDir, 'logs', 'main-by-hand.log');
  const started = await runAsServerUser(status, 'pg_ctl', ['start', '-D', mainNode.dataDir, '-l', handLog, '-w', '-t', '60'], project.dir);
  expect(started.code, describeRun(started)).toBe(0);
  const rogue = await connect(mainNode.port, cluster.password);
  try {
    expect((await rogue.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0]!.r).toBe(false);
    await rogue.query('INSERT INTO branch_probe SELECT generate_series(100, 199)');
    await rogue.query('CHECKPOINT');
    expect((await ids(rogue, 'branch_probe')).length).toBe(102);
  } finally {
    await rogue.end();
  }
  // status names it as a second primary (and, like every status, exits by itself).
  if (options.checkStatus) {
    const seenRun = await project.run(['status', '--json'], { timeoutMs: 20_000 });
    expect.soft(seenRun.code, `status must exit by itself while a former primary runs\n${describeRun(seenRun)}`).toBe(0);
    const seen = JSON.parse(seenRun.stdout) as StatusJson;
    expect(nodeNamed(seen, 'main')).toMatchObject({ running: true, formerPrimary: true });
    expect(nodeNamed(seen, 'main').state).toMatch(/second primary/i);
  }
  if (!options.keepRunning) {
    const stopped = await runAsServerUser(status, 'pg_ctl', ['stop', '-D', mainNode.dataDir, '-m', 'fast', '-w'], project.dir);
    expect(stopped.code, describeRun(stopped)).toBe(0);
    expect(postmastersUnder(mainNode.dataDir)).toEqual([]);
  }
  return ids(s1, 'branch_probe');
}

// After rejoin: main streams from s1, has exactly s1's rows (the old branch's are gone), and verify passes.
async function expectRejoined(cluster: LiveCluster, newBranch: number[]): Promise<void> {
  const status = await waitForStatus(cluster, 'main to stream from s1', (s) => nodeNamed(s, 'main').state === 'streaming');
  expect(nodeNamed(status, 'main')).toMatchObject({ role: 'standby', running: true, inRecovery: true, upstream: 's1', formerPrimary: false });
  const s1 = await cluster.client('s1');
  await s1.query('INSERT INTO branch_probe VALUES (4)');
  const main = await connect(nodeNamed(status, 'main').port, cluster.password);
  try {
    await waitReplayed(s1, main, 'main (rejoined)');
    expect(await ids(main, 'branch_probe')).toEqual([...newBranch, 4]);
  } finally {
    await main.end();
  }
  const verify = await verifyOf(cluster.project);
  expect(verify.result.code, describeRun(verify.result)).toBe(0);
  expect(verify.report.primary).toBe('s1');
}

describe('rejoin of a diverged former primary', () => {
  test('with pg_rewind (Debian binaries): rewinds it, says pg_rewind, and the old branch is gone; a passfile an interrupted rewind left goes, a look-alike stays', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['s1'] }));
    const binDir = (await cluster.status()).postgres!.binDir;
    expect(existsSync(path.join(binDir, 'pg_rewind')), `this test wants PostgreSQL binaries with pg_rewind; the cluster uses ${binDir}`).toBe(true);
    const newBranch = await divergeOldPrimary(cluster, { keepRunning: false, checkStatus: true });
    expect(newBranch).toEqual([1, 2, 3]);
    // What a rejoin killed during pg_rewind leaves in the run directory, and a file only named like it.
    const runDir = path.join(cluster.stateDir, 'run');
    const postgres = statSync(nodeNamed(await cluster.status(), 'main').dataDir);
    const leftover = path.join(runDir, '.hotstandby-rewind-0123456789ab.pgpass');
    const lookAlike = path.join(runDir, '.hotstandby-rewind-ba9876543210.pgpass');
    writeFileSync(leftover, '*:*:*:postgres:old\n', { mode: 0o600 });
    chownSync(leftover, postgres.uid, postgres.gid);
    writeFileSync(lookAlike, 'not a passfile of hotstandby\n', { mode: 0o644 });

    const rejoin = jsonResult<RejoinJson>(await project.run(['rejoin', 'main', '--json']));
    expect(rejoin).toMatchObject({ node: 'main', method: 'pg_rewind', detail: expect.stringMatching(/past the fork/), warnings: [] });
    expect(existsSync(leftover), 'the leftover passfile is removed').toBe(false);
    expect(existsSync(lookAlike), 'a file hotstandby did not make stays').toBe(true);
    expect(readdirSync(runDir).filter((f) => f.endsWith('.pgpass') && f !== path.basename(lookAlike) && f !== 'replication.pgpass')).toEqual([]);
    await expectRejoined(cluster, newBranch);
  });

  test('with the embedded binaries (no pg_rewind): falls back to a base backup and says so, also when the old primary still runs', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['s1'], postgres: { version: 16 } }));
    const status = await cluster.status();
    expect(status.postgres!.version).toMatch(/^16\./);
    expect(existsSync(path.join(status.postgres!.binDir, 'pg_rewind'))).toBe(false);
    // Left running as a second primary: rejoin must stop it first.
    const newBranch = await divergeOldPrimary(cluster, { keepRunning: true, checkStatus: false });
    const mainDir = nodeNamed(status, 'main').dataDir;

    const rejoin = await ok(project, ['rejoin', 'main', '--plain']);
    expect(rejoin.stdout, describeRun(rejoin)).toMatch(/stopping main, which runs as a second primary/);
    expect(rejoin.stdout, describeRun(rejoin)).toMatch(/main rejoined by base-backup: .*no pg_rewind in .*fresh base backup/);
    await waitFor(() => postmastersUnder(mainDir).length === 1, { what: 'exactly one postmaster for main' });
    await expectRejoined(cluster, newBranch);
  });
});
