// stop --mode smart while a client holds a session: the server refuses new connections and waits for the session;
// the command finishes once the session ends, and an impatient user can interrupt it and stop with --mode fast
// (the interrupted command's lock does not block them). --mode fast disconnects sessions at once. restart stops
// and starts every node again, and replication resumes. A smart restart that times out says the shutdown goes on.
import { describe, expect, test } from 'vitest';
import type pg from 'pg';
import { collect, describeRun, startCli, type CliResult } from './support/cli.js';
import { nodeNamed } from './support/cluster-json.js';
import { ids, ok, postmasterPid, upCluster, waitForStatus, waitReplayed, type LiveCluster } from './support/cluster-nodes.js';
import { connect } from './support/pg.js';
import { postmastersUnder } from './support/processes.js';
import { clusterConfig, createProject, deferCleanup, type Project } from './support/project.js';
import { waitFor } from './support/wait.js';
import { expectJsonError, jsonResult } from './support/json-output.js';
import type { NodeControlJson } from 'hotstandby';

// Wait until the server on port is shutting down: it refuses new connections with 57P03 ("the database system is
// shutting down") while it still runs.
async function waitUntilShuttingDown(port: number, password: string, what: string): Promise<void> {
  await waitFor(
    async () => {
      try {
        const probe = await connect(port, password);
        await probe.end();
        return false;
      } catch (error) {
        return (error as { code?: string }).code === '57P03';
      }
    },
    { what: `${what} to refuse new connections as shutting down` },
  );
}

// Start a CLI command in the background; it is killed after the test if it still runs (so cleanup is not locked out).
function background(project: Project, args: string[]): { child: ReturnType<typeof startCli>; done: Promise<CliResult>; running: () => boolean } {
  const child = startCli(args, { cwd: project.dir });
  let finished = false;
  const done = collect(`hotstandby ${args.join(' ')}`, child).finally(() => (finished = true));
  deferCleanup(async () => {
    if (!finished) child.kill('SIGKILL');
    await done;
  });
  return { child, done, running: () => !finished };
}

// A session that stays open, and a flag set when the server ends it.
async function holdSession(cluster: LiveCluster, port: number): Promise<{ client: pg.Client; ended: () => boolean }> {
  const client = await connect(port, cluster.password);
  let ended = false;
  client.on('error', () => (ended = true));
  client.on('end', () => (ended = true));
  await client.query('BEGIN; SELECT 1');
  return { client, ended: () => ended };
}

describe('stop modes', () => {
  test('smart waits for a session and finishes when it ends; an interrupted smart stop can be followed by --mode fast; restart', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['s1'] }));
    const status = await cluster.status();
    const main = nodeNamed(status, 'main');
    const s1 = nodeNamed(status, 's1');

    // 1. smart on the standby with a session open: it waits for the session, and finishes when it ends.
    const held = await holdSession(cluster, s1.port);
    const smart = background(project, ['stop', 's1', '--mode', 'smart']);
    await waitUntilShuttingDown(s1.port, cluster.password, 's1');
    expect(smart.running(), 'stop --mode smart must wait while a session is open').toBe(true);
    expect(held.ended()).toBe(false);
    await held.client.query('COMMIT');
    await held.client.end();
    const smartResult = await smart.done;
    expect(smartResult.code, describeRun(smartResult)).toBe(0);
    expect(smartResult.stdout, describeRun(smartResult)).toMatch(/^s1: stopped$/m);
    expect(postmastersUnder(s1.dataDir)).toEqual([]);
    await ok(project, ['start', 's1']);

    // 2. smart on the primary with a session open, interrupted (Ctrl-C): it exits, and stop --mode fast then
    // stops the primary at once, ending the session.
    const heldOnMain = await holdSession(cluster, main.port);
    const interrupted = background(project, ['stop', 'main', '--mode', 'smart']);
    await waitUntilShuttingDown(main.port, cluster.password, 'main');
    expect(interrupted.running()).toBe(true);
    interrupted.child.kill('SIGINT');
    const interruptedResult = await interrupted.done;
    expect(interruptedResult.code, describeRun(interruptedResult)).not.toBe(0);
    expect(heldOnMain.ended(), 'the smart stop alone must not end the session').toBe(false);
    const fast = await project.run(['stop', 'main', '--mode', 'fast', '--json'], { timeoutMs: 60_000 });
    expect(jsonResult<NodeControlJson>(fast)).toEqual({ nodes: [{ node: 'main', result: 'stopped' }], warnings: [] });
    expect(postmastersUnder(main.dataDir)).toEqual([]);
    await waitFor(() => heldOnMain.ended(), { what: 'the held session on main to be ended by the fast stop' });

    // 3. start, then restart every node: new postmasters, and replication resumes. (start --json says per node what
    // it did, in order; restart --json reports the starts that follow the stops.)
    const start = jsonResult<NodeControlJson>(await project.run(['start', '--json']));
    expect(start).toEqual({
      nodes: [
        { node: 'main', result: 'started' },
        { node: 's1', result: 'already running' },
      ],
      warnings: [],
    });
    const beforeRestart = await waitForStatus(cluster, 's1 to stream', (s) => nodeNamed(s, 's1').state === 'streaming');
    const restart = await ok(project, ['restart']);
    expect(restart.stdout, describeRun(restart)).toMatch(/^main: started\n(.*\n)*s1: started$/m);
    const restartJson = jsonResult<NodeControlJson>(await project.run(['restart', 's1', '--json']));
    expect(restartJson).toEqual({ nodes: [{ node: 's1', result: 'started' }], warnings: [] });
    const afterRestart = await waitForStatus(cluster, 's1 to stream after restart', (s) => nodeNamed(s, 's1').state === 'streaming');
    for (const name of ['main', 's1']) expect(nodeNamed(afterRestart, name).pid, name).not.toBe(nodeNamed(beforeRestart, name).pid);
    const mainClient = await connect(main.port, cluster.password);
    const s1Client = await connect(s1.port, cluster.password);
    try {
      await mainClient.query('CREATE TABLE stop_probe (id int)');
      await mainClient.query('INSERT INTO stop_probe VALUES (1)');
      await waitReplayed(mainClient, s1Client, 's1');
      expect(await ids(s1Client, 'stop_probe')).toEqual([1]);
    } finally {
      await mainClient.end();
      await s1Client.end();
    }

    // 4. restart --mode smart with a session open and a short --timeout: the command gives up, and says that the
    // shutdown goes on (no new connections; the server stops when the session ends) and how to finish it now.
    const heldForRestart = await holdSession(cluster, main.port);
    const gaveUp = await project.run(['restart', 'main', '--mode', 'smart', '--timeout', '2']);
    expect(gaveUp.code, describeRun(gaveUp)).toBe(1);
    expect(gaveUp.stderr, describeRun(gaveUp)).toMatch(/main did not stop within 2 s \(smart mode\)/);
    expect(gaveUp.stderr, describeRun(gaveUp)).toMatch(/smart shutdown is still in progress: main accepts no new connections and will stop by itself when the last session ends/);
    expect(gaveUp.stderr, describeRun(gaveUp)).toMatch(/fix: .*"hotstandby stop main --mode fast"/);
    expect(gaveUp.stderr, describeRun(gaveUp)).toMatch(/SERVER_STOP_FAILED/);
    await waitUntilShuttingDown(main.port, cluster.password, 'main');
    // The same failure under --json: one JSON error on stderr, the same exit code, nothing on stdout.
    const gaveUpJson = await project.run(['stop', 'main', '--mode', 'smart', '--timeout', '1', '--json']);
    expectJsonError(gaveUpJson, { exitCode: 1, code: 'SERVER_STOP_FAILED', mentions: [/main did not stop within 1 s/, '"hotstandby stop main --mode fast"'] });
    expect(gaveUpJson.stdout, describeRun(gaveUpJson)).toBe('');
    // (Counted by the postmaster's own PID: a backend just forked for a connection attempt briefly shows the
    // postmaster's command line too.)
    expect(
      postmastersUnder(main.dataDir).map((p) => p.pid),
      'main still runs while the session is open',
    ).toContain(postmasterPid(main.dataDir));
    expect(heldForRestart.ended()).toBe(false);
    await heldForRestart.client.query('COMMIT');
    await heldForRestart.client.end();
    await waitFor(() => postmastersUnder(main.dataDir).length === 0, { what: 'main to stop by itself once the last session ended' });
    await ok(project, ['start', 'main']);
    await waitForStatus(cluster, 's1 to stream after main started again', (s) => nodeNamed(s, 's1').state === 'streaming');

    // A mode that does not exist is a usage error.
    const bogus = await project.run(['stop', '--mode', 'gentle']);
    expect(bogus.code, describeRun(bogus)).toBe(2);
    expect(bogus.stderr).toMatch(/--mode must be smart, fast or immediate/);
    // Under --json, bad usage is one JSON error too, with the same exit code and no help text.
    expectJsonError(await project.run(['stop', '--mode', 'gentle', '--json']), {
      exitCode: 2,
      code: 'USAGE',
      mentions: ['--mode must be smart, fast or immediate', 'hotstandby stop --help'],
    });
  });
});
