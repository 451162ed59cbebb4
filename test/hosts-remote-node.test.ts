// A PostgreSQL node on another host: its programs run there as the server account, its files are read there, its
// liveness is judged there, and SQL reaches it through the SSH connection while it listens only on that host's
// loopback. Nothing of it exists on this machine.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MachinePool } from '../packages/core/src/hosts/machine-pool.js';
import type { Machine } from '../packages/core/src/hosts/machine.js';
import { resolveBinaries } from '../packages/core/src/postgres/resolve-binaries.js';
import type { PgBinaries } from '../packages/core/src/postgres/binaries.js';
import { inspectDataDir, readPostmasterPort, readSystemIdentifier } from '../packages/core/src/postgres/data-dir.js';
import type { ServerUser } from '../packages/core/src/postgres/os-user.js';
import { readControlFacts } from '../packages/core/src/postgres/pg-control.js';
import { PgNode } from '../packages/core/src/postgres/pg-node.js';
import { createTestNetwork, HOST_DATA_ROOT, networkHostsUnavailable, type TestNetwork } from './support/network-hosts.js';
import { sampleCommandLines } from './support/processes.js';

const unavailable = networkHostsUnavailable();
const BIN_DIR = '/usr/lib/postgresql/15/bin';
const PASSWORD = `pw-${Date.now()}-remote-node`;

describe.skipIf(unavailable !== undefined || !existsSync(`${BIN_DIR}/postgres`))('a PostgreSQL node on another host', () => {
  let network: TestNetwork;
  let pool: MachinePool;
  let b: Machine;
  let user: ServerUser;
  let binaries: PgBinaries;
  const nodes: PgNode[] = [];

  // A node on b whose data directory and log live under b's own directory.
  const nodeOnB = (name: string, port: number, role: 'primary' | 'standby' = 'primary', machine: Machine = b): PgNode => {
    const node = new PgNode({
      name,
      role,
      port,
      dataDir: `${HOST_DATA_ROOT}/${name}`,
      binaries,
      osUser: user,
      logFile: `${HOST_DATA_ROOT}/${name}.log`,
      superuser: { name: 'postgres', password: PASSWORD },
      machine,
    });
    nodes.push(node);
    return node;
  };

  // Settings appended to the node's postgresql.auto.conf on b (later lines win).
  const configure = async (node: PgNode, settings: Record<string, string>): Promise<void> => {
    const file = node.dataPath('postgresql.auto.conf');
    const before = (await b.readFile(file))?.toString('utf8') ?? '';
    const lines = Object.entries(settings).map(([k, v]) => `${k} = '${v}'\n`);
    await b.writeFileAtomic(file, before + lines.join(''));
  };

  // A fresh cluster on b listening only on b's loopback at the port.
  const createdNode = async (name: string, port: number): Promise<PgNode> => {
    const node = nodeOnB(name, port);
    await b.mkdir(node.dataDir, { mode: 0o700, uid: user.uid, gid: user.gid });
    await node.initdb({ password: PASSWORD, extraArgs: ['--no-sync'] });
    await configure(node, { port: String(port), listen_addresses: '127.0.0.1', unix_socket_directories: node.dataDir, fsync: 'off' });
    return node;
  };

  const sshB = async (command: string): Promise<string> => {
    const result = await network.host('b').ssh(command);
    if (result.code !== 0) throw new Error(`${command} on b failed: ${result.stderr}`);
    return result.stdout.trim();
  };

  const hostB = () => network.target('b');

  beforeAll(async () => {
    network = await createTestNetwork(['b']);
    pool = new MachinePool();
    b = await pool.machineOf(hostB());
    user = await b.serverUser(undefined);
    binaries = await resolveBinaries({ binDir: BIN_DIR });
  }, 120_000);
  afterAll(async () => {
    for (const node of nodes) await node.stop('immediate').catch(() => undefined);
    await pool?.close();
    await network?.teardown();
  });

  test('initdb, start, SQL through the forwarded socket, reload and stop all happen on the node host', async () => {
    const sampler = sampleCommandLines([PASSWORD]);
    const node = await createdNode('main', 5432);
    expect(sampler.stop().hits).toEqual([]);
    expect((await b.readdir(HOST_DATA_ROOT))?.filter((e) => e.includes('initdb'))).toEqual([]);
    expect(await node.exists()).toBe(true);
    expect(existsSync(node.dataDir)).toBe(false);

    await node.start();
    expect(await node.isRunning()).toBe(true);
    const pid = Number(await sshB(`head -1 ${node.dataDir}/postmaster.pid`));
    expect(await node.pid()).toBe(pid);
    const row = await node.queryOne<{ dir: string; listen: string; addr: string }>(
      "SELECT current_setting('data_directory') AS dir, current_setting('listen_addresses') AS listen, inet_server_addr()::text AS addr",
    );
    expect(row).toEqual({ dir: node.dataDir, listen: '127.0.0.1', addr: '127.0.0.1/32' });
    expect(await node.settingPath('hba_file')).toBe(`${node.dataDir}/pg_hba.conf`);

    await node.query("ALTER SYSTEM SET work_mem = '7MB'");
    await node.reload();
    expect(await node.queryOne('SHOW work_mem')).toEqual({ work_mem: '7MB' });
    // The server log is on b beside the data directory (whose parent the server account cannot write), made by the
    // tool, private and owned by the server account.
    expect(await b.stat(HOST_DATA_ROOT)).toMatchObject({ uid: 0, mode: 0o755 });
    expect(await b.stat(node.logFile)).toMatchObject({ kind: 'file', uid: user.uid, mode: 0o600 });
    expect(await node.logSize()).toBeGreaterThan(0);
    // Its programs start in / as they do here, not in the login's home the server account cannot enter.
    const initdbSays = await b.run(binaries.path('initdb'), ['--version'], { user });
    expect(initdbSays.stderr).not.toMatch(/could not change directory/);
    expect((await b.run('pwd', [], { user })).stdout.trim()).toBe('/');
    expect(existsSync(node.logFile)).toBe(false);

    await node.stop();
    expect(await node.isRunning()).toBe(false);
    expect(await sshB(`pgrep -u postgres -f 'postgres -D ${node.dataDir}' || true`)).toBe('');
  }, 180_000);

  test('the data directory and pg_control of the node are read on its host', async () => {
    const node = nodes.find((n) => n.name === 'main')!;
    await node.start();
    const id = (await node.queryOne<{ id: string }>('SELECT system_identifier::text AS id FROM pg_control_system()'))!.id;
    expect(await readPostmasterPort(node.dataDir, b)).toBe(5432);
    await node.stop();
    expect(await inspectDataDir(node.dataDir, b)).toEqual({ kind: 'cluster', major: 150000, systemIdentifier: id, standbyMarker: false });
    expect(await readSystemIdentifier(node.dataDir, b)).toBe(id);
    expect(await readPostmasterPort(node.dataDir, b)).toBeUndefined();
    expect((await readControlFacts(node.dataDir, b)).state).toBe('shut down');
    expect(await inspectDataDir(`${HOST_DATA_ROOT}/none`, b)).toEqual({ kind: 'absent' });
    expect(await inspectDataDir(node.dataDir)).toEqual({ kind: 'absent' });
  }, 120_000);

  test("a node reaches only its own server on its host: another data directory's server on its port is refused, a stopped one is named with its host", async () => {
    const node = nodes.find((n) => n.name === 'main')!;
    await node.start();
    const impostor = nodeOnB('impostor', 5432);
    await expect(impostor.query('SELECT 1')).rejects.toMatchObject({ code: 'FOREIGN_INSTANCE', message: expect.stringContaining(`serves ${node.dataDir}`) });
    await node.stop();
    const stopped = nodeOnB('stopped', 5439);
    await expect(stopped.query('SELECT 1')).rejects.toMatchObject({
      code: 'CONNECTION_FAILED',
      message: expect.stringMatching(/cannot connect to stopped at 127\.0\.0\.1:5439 on root@198\.18\.[0-9.]+: /),
    });
  }, 120_000);

  test('a server killed on its host is seen as not running, and its stale postmaster.pid does not stop a start', async () => {
    const node = nodes.find((n) => n.name === 'main')!;
    await node.start();
    const pid = (await node.pid())!;
    await node.closeConnections();
    await sshB(`kill -9 ${pid}`);
    await expect.poll(() => node.isRunning(), { timeout: 10_000 }).toBe(false);
    expect(await b.stat(node.dataPath('postmaster.pid'))).toBeDefined();
    expect((await readControlFacts(node.dataDir, b)).state).toBe('in production');
    await node.start();
    expect(await node.queryOne('SELECT 1 AS one')).toEqual({ one: 1 });
    await node.stop();

    // A lock file naming a live process of b that is not a postmaster of this directory is stale too.
    const other = Number(await sshB('nohup sleep 300 >/dev/null 2>&1 </dev/null & echo $!'));
    try {
      await b.writeFileAtomic(node.dataPath('postmaster.pid'), `${other}\n${node.dataDir}\n`, { mode: 0o600, uid: user.uid, gid: user.gid });
      expect(await node.isRunning()).toBe(false);
      await node.start();
      expect(await node.pid()).not.toBe(other);
      expect(await node.isRunning()).toBe(true);
    } finally {
      await sshB(`kill ${other}`);
    }
    await node.stop();
  }, 180_000);

  test('a failed start on the host reports the tail of the server log there', async () => {
    const node = await createdNode('broken', 5434);
    await configure(node, { shared_buffers: 'plenty' });
    const failure = await node.start({ timeoutSec: 20 }).catch((error: unknown) => error);
    expect(existsSync(node.logFile)).toBe(false);
    expect(failure).toMatchObject({ code: 'SERVER_START_FAILED', detail: expect.stringMatching(/invalid value for parameter "shared_buffers": "plenty"/) });
    expect((failure as Error).message).toMatch(/broken did not start on port 5434: FATAL: configuration file .*postgresql\.auto\.conf" contains errors/);
    expect(await node.logTail(5)).toMatch(/shared_buffers/);
    expect(await node.isRunning()).toBe(false);
  }, 120_000);

  test('a standby cloned with pg_basebackup on the host streams from its primary there and is promoted', async () => {
    const primary = nodes.find((n) => n.name === 'main')!;
    await primary.start();
    await primary.query('CREATE TABLE IF NOT EXISTS t (v int)');
    const standby = nodeOnB('copy', 5433, 'standby');
    await b.mkdir(standby.dataDir, { mode: 0o700, uid: user.uid, gid: user.gid });
    const sampler = sampleCommandLines([PASSWORD]);
    await b.run(binaries.path('pg_basebackup'), ['-h', '127.0.0.1', '-p', '5432', '-U', 'postgres', '-D', standby.dataDir, '-R', '-X', 'stream', '--no-sync'], {
      user,
      env: { PGPASSWORD: PASSWORD },
      purpose: 'pg_basebackup for copy',
    });
    expect(sampler.stop().hits).toEqual([]);
    expect(await inspectDataDir(standby.dataDir, b)).toMatchObject({ kind: 'cluster', standbyMarker: true });
    await configure(standby, { port: '5433' });
    await standby.start();
    expect(await standby.isInRecovery()).toBe(true);

    await primary.query('INSERT INTO t VALUES (42)');
    await standby.waitForReplay((await primary.lsn())!, 30_000);
    expect(await standby.queryOne('SELECT v FROM t')).toEqual({ v: 42 });
    await standby.promote();
    expect(await standby.isInRecovery()).toBe(false);
    await standby.query('INSERT INTO t VALUES (43)');
    await standby.stop();
    await primary.stop();
    expect(existsSync(standby.dataDir)).toBe(false);
    expect(existsSync(standby.logFile)).toBe(false);
  }, 240_000);

  test('a host that does not answer is an error, never taken for a missing data directory or a stopped server', async () => {
    // Last: closing a second connection to the same host also ends the pool's (they share the control socket).
    for (const node of nodes) expect(await node.isRunning()).toBe(false);
    const lost = new MachinePool();
    const machine = await lost.machineOf(hostB());
    await lost.close();
    const node = nodeOnB('main', 5432, 'primary', machine);
    await expect(node.exists()).rejects.toThrow(/SSH connection to .* is already closed/);
    await expect(node.isRunning()).rejects.toThrow(/already closed/);
    await expect(inspectDataDir(node.dataDir, machine)).rejects.toThrow(/already closed/);
    await expect(readSystemIdentifier(node.dataDir, machine)).rejects.toThrow(/already closed/);
  });
});
