// switchover: the planned swap with nothing lost. A client keeps inserting rows into the primary before, during
// and after each switchover; every row whose commit it saw is on the new primary afterwards. The old primary
// follows the new one as a standby (no rewind needed), and switching back restores the original roles.
import { describe, expect, test } from 'vitest';
import type pg from 'pg';
import { collect, describeRun, parseJson, startCli } from './support/cli.js';
import type { SwitchoverJson } from 'hotstandby';
import { nodeNamed, verifyOf } from './support/cluster-json.js';
import { ids, upCluster, waitForStatus, waitReplayed, type LiveCluster } from './support/cluster-nodes.js';
import { connect } from './support/pg.js';
import { clusterConfig, createProject } from './support/project.js';
import { waitFor } from './support/wait.js';

// Rows a writer inserted: committed (the INSERT returned), and in doubt (it failed with the connection broken, so
// it may or may not have committed). Rows never sent are in neither.
interface WriterLog {
  committed: number[];
  inDoubt: number[];
  // Why the writer stopped by itself, if it did.
  stoppedBy?: string;
}

// Insert one row at a time into switchover_probe on the given port until stop() is called or an INSERT fails (the
// server went away under it); each id is used once.
function startWriter(port: number, password: string, nextId: { value: number }): { log: WriterLog; stop(): Promise<WriterLog> } {
  const log: WriterLog = { committed: [], inDoubt: [] };
  let stopping = false;
  const run = async () => {
    let client: pg.Client;
    try {
      client = await connect(port, password);
    } catch (error) {
      log.stoppedBy = `connect: ${(error as Error).message}`;
      return;
    }
    client.on('error', () => undefined);
    while (!stopping) {
      const id = nextId.value++;
      try {
        await client.query('INSERT INTO switchover_probe (id) VALUES ($1)', [id]);
        log.committed.push(id);
      } catch (error) {
        log.inDoubt.push(id);
        log.stoppedBy = `${id}: ${(error as Error).message}`;
        break;
      }
    }
    await client.end().catch(() => undefined);
  };
  const done = run();
  return {
    log,
    stop: async () => {
      stopping = true;
      await done;
      return log;
    },
  };
}

// Wait until a writer has committed some rows (or stopped by itself, which the caller's assertions then report).
async function someRows(writer: { log: WriterLog }, what: string): Promise<void> {
  await waitFor(() => writer.log.committed.length >= 50 || writer.log.stoppedBy !== undefined, { what: `50 rows committed ${what}` });
}

// Switch over from one node to another while a writer inserts into the primary before and during the switchover,
// and another into the new primary after it. Afterwards every committed row is on the new primary and its standbys,
// the old primary follows it (method follow). Returns the rows now on the new primary.
async function switchoverUnderLoad(cluster: LiveCluster, from: string, to: string, nextId: { value: number }, durableSoFar: number[], json = false): Promise<number[]> {
  const { project } = cluster;
  const fromNode = await cluster.node(from);
  const toNode = await cluster.node(to);

  // Before and during: rows on the primary; the switchover starts once some are in and stops the primary under
  // the writer (which then stops, with at most its last INSERT in doubt).
  const before = startWriter(fromNode.port, cluster.password, nextId);
  await someRows(before, `on ${from} before the switchover`);
  expect(before.log.stoppedBy, 'the writer stopped before the switchover').toBeUndefined();
  const args = ['switchover', to, json ? '--json' : '--plain'];
  const result = await collect(`hotstandby ${args.join(' ')}`, startCli(args, { cwd: project.dir }));
  const during = await before.stop();
  expect(result.code, describeRun(result)).toBe(0);
  if (json) expect(parseJson<SwitchoverJson>(result)).toMatchObject({ newPrimary: to, oldPrimary: from, method: 'follow', warnings: [] });
  else expect(result.stdout, describeRun(result)).toMatch(new RegExp(`${to} is the primary; ${from} follows it as a standby \\(follow\\)`));
  // The writer was still writing when the primary stopped under it (so rows were written during the switchover).
  expect(during.stoppedBy, 'the writer should have been cut off by the switchover').toBeDefined();
  expect(during.inDoubt.length).toBe(1);

  // After: rows on the new primary.
  const after = startWriter(toNode.port, cluster.password, nextId);
  await someRows(after, `on ${to} after the switchover`);
  const afterLog = await after.stop();
  expect(afterLog.stoppedBy, `the writer on the new primary ${to} failed`).toBeUndefined();
  expect(afterLog.committed.length).toBeGreaterThanOrEqual(50);

  // Nothing lost: the new primary has every committed row; any other row is one that was in doubt.
  const committed = [...durableSoFar, ...during.committed, ...afterLog.committed];
  const newPrimary = await connect(toNode.port, cluster.password);
  try {
    const rows = await ids(newPrimary, 'switchover_probe');
    const present = new Set(rows);
    expect(
      committed.filter((id) => !present.has(id)),
      `committed rows missing on ${to}`,
    ).toEqual([]);
    const inDoubtPresent = during.inDoubt.filter((id) => present.has(id));
    expect(rows.length, 'rows on the new primary = committed + those in doubt that made it').toBe(committed.length + inDoubtPresent.length);

    // The roles: `to` is the primary, the others (the old primary among them) stream from it and have every row.
    const status = await waitForStatus(cluster, `every standby to stream from ${to}`, (s) =>
      s.nodes.filter((n) => n.name !== to).every((n) => n.state === 'streaming' && n.upstream === to),
    );
    expect(nodeNamed(status, to)).toMatchObject({ role: 'primary', inRecovery: false, upstream: null });
    expect(nodeNamed(status, from)).toMatchObject({ role: 'standby', inRecovery: true, upstream: to, formerPrimary: false });
    for (const standby of status.nodes.filter((n) => n.name !== to)) {
      const client = await connect(standby.port, cluster.password);
      try {
        await waitReplayed(newPrimary, client, standby.name);
        expect(await ids(client, 'switchover_probe'), `rows on ${standby.name}`).toEqual(rows);
      } finally {
        await client.end();
      }
    }
    return rows;
  } finally {
    await newPrimary.end();
  }
}

describe('switchover', () => {
  test('switchover and back under a steady stream of inserts: nothing committed is lost, the roles swap and swap back', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['s1', 's2'] }));
    const main = await cluster.client('main');
    await main.query('CREATE TABLE switchover_probe (id int PRIMARY KEY)');
    const nextId = { value: 1 };

    const afterFirst = await switchoverUnderLoad(cluster, 'main', 's1', nextId, []);
    // And back, with --json: the result as one document.
    const afterBack = await switchoverUnderLoad(cluster, 's1', 'main', nextId, afterFirst, true);
    expect(afterBack.length).toBeGreaterThan(afterFirst.length);

    // The original roles again, and verify passes against the original primary.
    const status = await cluster.status();
    expect(status.nodes.map((n) => [n.name, n.role, n.upstream])).toEqual([
      ['main', 'primary', null],
      ['s1', 'standby', 'main'],
      ['s2', 'standby', 'main'],
    ]);
    const verify = await verifyOf(project);
    expect(verify.result.code, describeRun(verify.result)).toBe(0);
    expect(verify.report.primary).toBe('main');
  });
});
