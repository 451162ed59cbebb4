// PgNode.start and stop on this machine against a real PostgreSQL: start is done as soon as postmaster.pid says the
// launched server is ready (or a standby), stop as soon as the postmaster is gone, and every failure pg_ctl
// reported before is still reported the same way.
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestPrimary, freePort, rejectionOf, type TestPrimary } from '@hotstandby/testing';
import { editAutoConf } from '../../src/postgres/conf-file.js';
import type { PgBinaries } from '../../src/postgres/binaries.js';
import { PgNode } from '../../src/postgres/pg-node.js';
import { parsePostmasterPidFile } from '../../src/postgres/postmaster-pid-file.js';
import { processAlive } from '../../src/postgres/process-alive.js';
import { runningProgramGroups } from '../../src/postgres/program-registry.js';
import { waitUntilStarted } from '../../src/postgres/server-wait.js';
import { waitingPgCtl } from '../../src/postgres/waiting-pg-ctl.js';
import { openSession } from '../../src/postgres/sql-session.js';
import { versionFacts } from '../../src/postgres/versions.js';
import { localMachine } from '../../src/hosts/local-machine.js';
import { writeFileAtomic } from '../../src/util/atomic-write.js';
import { pollUntil } from '../../src/util/poll.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function primary(options: Parameters<typeof createTestPrimary>[0] = {}): Promise<TestPrimary> {
  const p = await createTestPrimary(options);
  cleanups.push(() => p.cleanup());
  return p;
}

async function pidFileOf(node: PgNode): Promise<string | undefined> {
  return readFile(path.join(node.dataDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
}

async function setSettings(p: TestPrimary, dataDir: string, settings: Record<string, string>): Promise<void> {
  const autoConf = path.join(dataDir, 'postgresql.auto.conf');
  const current = await readFile(autoConf, 'utf8');
  await writeFileAtomic(autoConf, editAutoConf(current, settings), { mode: 0o600, uid: p.serverUser.uid, gid: p.serverUser.gid });
}

// A standby copied from the primary, which is stopped for the copy (consistent at once, it needs no upstream).
async function standbyOf(p: TestPrimary, name: string, settings: Record<string, string> = {}): Promise<PgNode> {
  await p.node.stop('fast');
  const dataDir = path.join(p.dir, name);
  expect(spawnSync('cp', ['-a', p.dataDir, dataDir]).status).toBe(0);
  const port = await freePort();
  await setSettings(p, dataDir, { port: String(port), ...settings });
  const ids = { mode: 0o600, uid: p.serverUser.uid, gid: p.serverUser.gid };
  const facts = versionFacts(p.binaries.major);
  await writeFileAtomic(path.join(dataDir, facts.standbySetup), facts.standbyMarkerContent, ids);
  const standby = new PgNode({
    name,
    role: 'standby',
    port,
    dataDir,
    binaries: p.binaries,
    osUser: p.serverUser,
    logFile: path.join(p.dir, `${name}.log`),
    superuser: { name: 'postgres', password: p.superuserPassword },
  });
  cleanups.push(() => standby.stop('immediate'));
  return standby;
}

// The node's binaries, except that pg_ctl start is a stand-in that launches the server as pg_ctl does (a session
// of its own, stdin from /dev/null, the log appended) and then waits for it to exit, never noticing that it has
// started: a start that waited for pg_ctl to end would never return.
async function withPgCtlThatNeverNotices(p: TestPrimary): Promise<PgNode> {
  const standIn = path.join(p.dir, 'pg_ctl-that-never-notices');
  const script = [
    '#!/bin/sh',
    'if [ "$1" = start ]; then',
    '  while [ $# -gt 0 ]; do case "$1" in -D) dir=$2; shift 2;; -l) log=$2; shift 2;; *) shift;; esac; done',
    `  setsid "${p.binaries.path('postgres')}" -D "$dir" </dev/null >>"$log" 2>&1 &`,
    '  wait $!',
    '  exit 1',
    'fi',
    `exec "${p.binaries.path('pg_ctl')}" "$@"`,
    '',
  ];
  await writeFile(standIn, script.join('\n'), { mode: 0o755 });
  const binaries: PgBinaries = {
    binDir: p.binaries.binDir,
    major: p.binaries.major,
    version: p.binaries.version,
    source: p.binaries.source,
    reason: p.binaries.reason,
    has: (program) => p.binaries.has(program),
    path: (program) => (program === 'pg_ctl' ? standIn : p.binaries.path(program)),
  };
  return new PgNode({
    name: 'primary',
    role: 'primary',
    port: p.port,
    dataDir: p.dataDir,
    binaries,
    osUser: p.serverUser,
    logFile: path.join(p.dir, 'primary.log'),
    superuser: { name: 'postgres', password: p.superuserPassword },
  });
}

async function waitUntilGone(pid: number): Promise<void> {
  await pollUntil(async () => ((await processAlive(pid)) ? undefined : true), { timeoutMs: 30_000, what: `PID ${pid} to exit` });
}

describe('starting and stopping a server on this machine', () => {
  it('a primary: start returns once it takes connections, stop once its postmaster is gone', async () => {
    const p = await primary({ stopped: true });
    await p.node.start();
    expect(runningProgramGroups(), 'nothing the start ran outlives it').toEqual([]);
    const started = parsePostmasterPidFile((await pidFileOf(p.node))!);
    expect(started?.status).toBe('ready');
    expect(await p.node.pid()).toBe(started?.pid);
    expect(waitingPgCtl(started!.pid, p.binaries.path('pg_ctl')), 'no pg_ctl is left waiting on the server').toBeUndefined();
    expect(await p.node.queryOne<{ one: number }>('SELECT 1 AS one')).toEqual({ one: 1 });

    await p.node.stop('fast');
    expect(await pidFileOf(p.node)).toBeUndefined();
    expect(await processAlive(started!.pid)).toBe(false);
    expect(await p.node.isRunning()).toBe(false);

    // And again: a start after a stop is a new postmaster, not the old file.
    await p.node.restart();
    expect(await p.node.queryOne<{ one: number }>('SELECT 1 AS one')).toEqual({ one: 1 });
    expect(await p.node.pid()).not.toBe(started?.pid);
  });

  it('start returns as soon as the server takes connections, without waiting for pg_ctl to notice, and ends that pg_ctl', async () => {
    const p = await primary({ stopped: true });
    const node = await withPgCtlThatNeverNotices(p);
    await node.start({ timeoutSec: 30 });
    expect(runningProgramGroups(), 'nothing the start ran outlives it').toEqual([]);
    expect(await node.queryOne<{ one: number }>('SELECT 1 AS one')).toEqual({ one: 1 });
    expect(await node.isRunning()).toBe(true);
    await node.stop('fast');
    expect(await node.isRunning()).toBe(false);
  });

  it('a standby: start returns once it takes read-only connections; stop once it is gone', async () => {
    const p = await primary();
    const standby = await standbyOf(p, 'standby1');
    await standby.start();
    expect(parsePostmasterPidFile((await pidFileOf(standby))!)?.status).toBe('ready');
    expect(await standby.isInRecovery()).toBe(true);
    const pid = (await standby.pid())!;
    await standby.stop('fast');
    expect(await pidFileOf(standby)).toBeUndefined();
    expect(await processAlive(pid)).toBe(false);
  });

  it('a standby with hot_standby off counts as started in standby state, as pg_ctl counts it', async () => {
    const p = await primary();
    const standby = await standbyOf(p, 'standby1', { hot_standby: 'off' });
    await standby.start({ timeoutSec: 30 });
    expect(parsePostmasterPidFile((await pidFileOf(standby))!)?.status).toBe('standby');
    expect(await standby.isRunning()).toBe(true);
    await standby.stop('fast');
    expect(await standby.isRunning()).toBe(false);
  });

  it('a bad setting: the start fails with the log tail and leaves no server', async () => {
    const p = await primary({ stopped: true });
    await setSettings(p, p.dataDir, { shared_buffers: 'plenty' });
    const failure = await rejectionOf(p.node.start({ timeoutSec: 30 }), 'SERVER_START_FAILED');
    expect(failure.message).toMatch(/^primary did not start on port \d+: /);
    expect(failure.detail).toMatch(/invalid value for parameter "shared_buffers": "plenty"/);
    expect(await p.node.isRunning()).toBe(false);
  });

  it('a port another program holds: a postmaster that exits after writing its postmaster.pid is a failed start with the log tail', async () => {
    const port = await freePort();
    const holder: Server = createServer();
    await new Promise<void>((listening) => holder.listen(port, '127.0.0.1', listening));
    cleanups.push(() => new Promise((closed) => holder.close(() => closed())));
    const p = await primary({ stopped: true, port });
    const failure = await rejectionOf(p.node.start({ timeoutSec: 30 }), 'SERVER_START_FAILED');
    expect(failure.detail).toMatch(/could not bind IPv4 address "127\.0\.0\.1"/);
    expect(await p.node.isRunning()).toBe(false);
  });

  it('starting a running server fails as before: the running postmaster is not taken for the one launched', async () => {
    const p = await primary();
    const pid = await p.node.pid();
    const failure = await rejectionOf(p.node.start({ timeoutSec: 30 }), 'SERVER_START_FAILED');
    expect(failure.detail).toMatch(/lock file "postmaster\.pid" already exists/);
    expect(await p.node.pid()).toBe(pid);
  });

  it("a killed server's postmaster.pid is not taken for a started server, and start brings up a new one", async () => {
    const p = await primary();
    const killed = (await p.node.pid())!;
    await p.node.closeConnections();
    process.kill(killed, 'SIGKILL');
    await waitUntilGone(killed);
    const stale = (await pidFileOf(p.node))!;
    expect(parsePostmasterPidFile(stale)).toMatchObject({ pid: killed, status: 'ready' });
    expect(await p.node.isRunning()).toBe(false);

    // The file says "ready" and was written within the last seconds, but its postmaster is dead.
    let looks = 0;
    const files = { machine: localMachine, dataDir: p.dataDir, pidFile: path.join(p.dataDir, 'postmaster.pid') };
    expect(await waitUntilStarted(files, { atMs: Date.now() }, () => ++looks <= 5)).toBeUndefined();
    expect(await pidFileOf(p.node)).toBe(stale);

    await p.node.start({ timeoutSec: 30 });
    const now = (await p.node.pid())!;
    expect(now).not.toBe(killed);
    expect(await p.node.queryOne<{ one: number }>('SELECT 1 AS one')).toEqual({ one: 1 });
  });

  it('a smart stop that an open session holds gives up at the timeout with the smart-mode error; the server keeps running', async () => {
    const p = await primary();
    const pid = await p.node.pid();
    const session = await openSession(p.node.target());
    cleanups.push(() => session.end());
    const failure = await rejectionOf(p.node.stop('smart', 1), 'SERVER_STOP_FAILED');
    expect(failure.message).toMatch(/^primary did not stop within 1 s \(smart mode\): sessions are still open/);
    expect(failure.fix).toMatch(/"hotstandby stop primary --mode fast"/);
    expect(await p.node.pid()).toBe(pid);
    await session.end();
    await pollUntil(async () => ((await p.node.isRunning()) ? undefined : true), { timeoutMs: 30_000, what: 'the smart shutdown to finish' });
  });
});
