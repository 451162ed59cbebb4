// A program the tool runs on another host does not outlive the run that started it: interrupted, timed out or the tool
// killed outright, it is ended on that host with everything it started there (SIGTERM, then SIGKILL), as seen from the
// host itself; when the connection is gone, the error says so (the host ends it once it notices the connection
// closed). Secrets given to it rest in no file there.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isHotstandbyError } from '../packages/core/src/errors/hotstandby-error.js';
import { MachinePool } from '../packages/core/src/hosts/machine-pool.js';
import type { Machine } from '../packages/core/src/hosts/machine.js';
import { stillRunsThere } from '../packages/core/src/hosts/remote-process-group.js';
import type { ServerUser } from '../packages/core/src/postgres/os-user.js';
import { leftoverRewindPassfiles, newRewindPassfile } from '../packages/core/src/cluster/rewind-passfile.js';
import { PgNode } from '../packages/core/src/postgres/pg-node.js';
import { resolveBinaries } from '../packages/core/src/postgres/resolve-binaries.js';
import { collect, describeRun, startCli } from './support/cli.js';
import { createProject } from './support/project.js';
import { createTestNetwork, HOST_DATA_ROOT, networkHostsUnavailable, type TestNetwork } from './support/network-hosts.js';
import { sampleCommandLines } from './support/processes.js';
import { waitFor } from './support/wait.js';

const unavailable = networkHostsUnavailable();
const BIN_DIR = '/usr/lib/postgresql/15/bin';

describe.skipIf(unavailable !== undefined)('a program stopped while it runs on another host', () => {
  let network: TestNetwork;
  let pool: MachinePool;
  let db2: Machine;
  let user: ServerUser;
  beforeAll(async () => {
    network = await createTestNetwork(['db2']);
    pool = new MachinePool();
    db2 = await pool.machineOf(network.target('db2'));
    user = await db2.serverUser(undefined);
  }, 60_000);
  afterAll(async () => {
    await pool?.close();
    await network?.teardown();
  });

  // The command lines on db2 (seen in its own namespace) that contain the text.
  const onHost = (text: string) =>
    network
      .host('db2')
      .processes()
      .filter((line) => line.includes(text));

  test('interrupted, it ends there with what it started, SIGKILL for what ignores SIGTERM; its output is its own', async () => {
    const plain = await db2.run('sh', ['-c', 'echo out; echo err >&2'], { user });
    expect(plain.stdout).toBe('out');
    expect(plain.stderr).toBe('err');

    const stop = new AbortController();
    const running = db2.run('sh', ['-c', 'trap "" TERM; sleep 3011 & sleep 3012; wait'], { user, signal: stop.signal, purpose: 'the stubborn program' });
    running.catch(() => undefined);
    await waitFor(() => onHost('sleep 3011').length > 0 && onHost('sleep 3012').length > 0, { what: 'both sleeps to run on db2' });
    stop.abort();
    const error = await running.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isHotstandbyError(error) && error.code, String(error)).toBe('ABORTED');
    expect((error as Error).message).toBe('the stubborn program was interrupted');
    expect(onHost('sleep 301')).toEqual([]);
  });

  test('already stopped before it starts, it never runs there', async () => {
    const stopped = new AbortController();
    stopped.abort();
    const marker = `${HOST_DATA_ROOT}/never-ran`;
    await expect(db2.run('touch', [marker], { signal: stopped.signal, purpose: 'the late program' })).rejects.toThrow(/^the late program was interrupted$/);
    expect(await db2.stat(marker)).toBeUndefined();
  });

  test('timed out, it ends there', async () => {
    const error = await db2.run('sh', ['-c', 'sleep 3021 & sleep 3022'], { user, timeoutMs: 1500, purpose: 'the slow program' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isHotstandbyError(error) && error.code, String(error)).toBe('TIMEOUT');
    expect(onHost('sleep 302')).toEqual([]);
  });

  test('when the connection is gone as well, the error says so and names the group; the host ends it once it notices', async () => {
    const own = new MachinePool();
    const machine = await own.machineOf(network.target('db2'));
    const running = machine.run('sleep', ['3031'], { user, purpose: 'the orphan' });
    running.catch(() => undefined);
    await waitFor(() => onHost('sleep 3031').length > 0, { what: 'the sleep to run on db2' });
    await own.close();
    const error = await running.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isHotstandbyError(error) && error.code, String(error)).toBe('HOST_UNREACHABLE');
    const said = /the connection to (\S+) is gone: the host ends it \(process group (\d+)\) once it notices the connection closed, until then it keeps running there/.exec(
      (error as Error).message,
    );
    expect(said, (error as Error).message).not.toBeNull();
    expect(said![1]).toBe(`root@${network.host('db2').address}`);
    expect(stillRunsThere(error), 'callers can tell that it may still run there').toBe(true);
    expect((error as { data?: unknown }).data).toEqual({ stillRunning: { host: `root@${network.host('db2').address}`, processGroup: Number(said![2]) } });
    expect((error as { fix?: string }).fix).toBe(`if it still runs, end it on root@${network.host('db2').address}: kill -TERM -${said![2]}`);
    // The connection was closed, not cut: the host sees that and ends the program itself.
    await waitFor(() => onHost('sleep 3031').length === 0, { what: 'the host to end the sleep', timeoutMs: 20_000 });
  });

  test.skipIf(!existsSync(`${BIN_DIR}/initdb`))(
    'an interrupted initdb ends there and its password rests in no file and no command line',
    async () => {
      const password = `pw-${Date.now()}-initdb-stopped`;
      const node = new PgNode({
        name: 'n1',
        role: 'primary',
        port: 5432,
        dataDir: `${HOST_DATA_ROOT}/n1/data`,
        binaries: await resolveBinaries({ binDir: BIN_DIR }),
        osUser: user,
        logFile: `${HOST_DATA_ROOT}/n1/log`,
        superuser: { name: 'postgres', password },
        machine: db2,
      });
      await db2.mkdir(node.dataDir, { mode: 0o700, uid: user.uid, gid: user.gid });
      const sampler = sampleCommandLines([password]);
      const stop = new AbortController();
      const running = node.initdb({ password, signal: stop.signal });
      running.catch(() => undefined);
      await waitFor(() => onHost(`${node.dataDir}`).length > 0, { what: 'initdb to run on db2', intervalMs: 5 });
      stop.abort();
      const error = await running.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(sampler.stop().hits).toEqual([]);
      expect(isHotstandbyError(error) && error.code, String(error)).toBe('ABORTED');
      expect(onHost('initdb')).toEqual([]);
      expect(onHost('postgres')).toEqual([]);
      expect((await network.host('db2').ssh(`find ${HOST_DATA_ROOT} -name '*.pw' -o -name '*.pgpass'`)).stdout.trim()).toBe('');
      expect((await network.host('db2').ssh(`grep -rl -- ${password} ${HOST_DATA_ROOT} /tmp || true`)).stdout.trim()).toBe('');

      // Run to the end, the password it was given is the superuser's.
      await db2.remove(node.dataDir, { recursive: true });
      await db2.mkdir(node.dataDir, { mode: 0o700, uid: user.uid, gid: user.gid });
      await node.initdb({ password, extraArgs: ['--no-sync'] });
      const shadow = await db2.run(`${BIN_DIR}/postgres`, ['--single', '-D', node.dataDir, 'postgres'], {
        user,
        input: "SELECT rolpassword LIKE 'SCRAM-SHA-256$%' AS scram FROM pg_authid WHERE rolname = 'postgres';\n",
      });
      expect(shadow.stdout).toMatch(/scram = "t"/);
    },
    120_000,
  );

  test("pg_rewind passfiles a killed rejoin left beside a node's data directory there are found; only hotstandby's own", async () => {
    const node = new PgNode({
      name: 'n2',
      role: 'primary',
      port: 5432,
      dataDir: `${HOST_DATA_ROOT}/n2/data`,
      binaries: await resolveBinaries({ binDir: BIN_DIR }),
      osUser: user,
      logFile: `${HOST_DATA_ROOT}/n2/log`,
      superuser: { name: 'postgres' },
      machine: db2,
    });
    const dir = `${HOST_DATA_ROOT}/n2`;
    await db2.mkdir(node.dataDir, { mode: 0o700, uid: user.uid, gid: user.gid });
    const ours = { mode: 0o600, uid: user.uid, gid: user.gid, exact: true };
    await db2.writeFileAtomic(`${dir}/.hotstandby-rewind-0123456789ab.pgpass`, 'x\n', ours);
    await db2.writeFileAtomic(`${dir}/.rewind-00112233aabb.pgpass`, 'x\n', ours);
    await db2.writeFileAtomic(`${dir}/.hotstandby-rewind-ffffffffffff.pgpass`, 'x\n', { ...ours, uid: 0, gid: 0 });
    await db2.writeFileAtomic(`${dir}/.hotstandby-rewind-eeeeeeeeeeee.pgpass`, 'x\n', { ...ours, mode: 0o644 });
    await db2.writeFileAtomic(`${dir}/.hotstandby-rewind-mine.pgpass`, 'x\n', ours);
    expect(newRewindPassfile(node, '/not/used/there')).toMatch(new RegExp(`^${dir}/\\.hotstandby-rewind-[0-9a-f]{12}\\.pgpass$`));
    expect((await leftoverRewindPassfiles(node, '/not/used/there')).sort()).toEqual([`${dir}/.hotstandby-rewind-0123456789ab.pgpass`, `${dir}/.rewind-00112233aabb.pgpass`]);
  });
});

const SUPERUSER_PASSWORD = `su-${Date.now()}-interrupted-up`;
const REPLICATION_PASSWORD = `repl-${Date.now()}-interrupted-up`;

describe.skipIf(unavailable !== undefined)('up stopped by SIGTERM while pg_basebackup runs on the standby host', () => {
  let network: TestNetwork;
  beforeAll(async () => {
    network = await createTestNetwork(['a', 'b']);
  }, 60_000);
  afterAll(async () => {
    await network?.teardown();
  });

  // Start up for a primary on a and a standby on b (under pg/<tag> on each, at the port), with the base backup
  // throttled to pg_basebackup's minimum rate, and wait until pg_basebackup runs on b: certainly still copying.
  const upInBackupOnB = async (tag: string, port: number) => {
    const project = await createProject(`hotstandby-e2e-hosts-sigterm-${tag}-`);
    const config = {
      primary: { name: 'a', port, host: network.host('a').address, ssh: network.ssh(), dataDir: `${HOST_DATA_ROOT}/${tag}/a` },
      standbys: [{ name: 'b', port, host: network.host('b').address, ssh: network.ssh(), dataDir: `${HOST_DATA_ROOT}/${tag}/b` }],
      superuser: { password: SUPERUSER_PASSWORD },
      replication: { password: REPLICATION_PASSWORD },
    };
    await project.writeConfig('hotstandby.config.json', { ...config, steps: { 'base-backup': { method: 'pg_basebackup', maxRate: '32k' } } });
    const backupOnB = () =>
      network
        .host('b')
        .processes()
        .filter((line) => line.includes('pg_basebackup') && line.includes(`${HOST_DATA_ROOT}/${tag}/`));
    const sampler = sampleCommandLines([SUPERUSER_PASSWORD, REPLICATION_PASSWORD]);
    const child = startCli(['up', '--plain'], { cwd: project.dir, timeoutMs: 300_000 });
    const finished = collect('hotstandby up --plain', child);
    await waitFor(() => backupOnB().some((line) => line.startsWith('/')) || child.exitCode !== null, { what: 'pg_basebackup to run on b', timeoutMs: 240_000 });
    expect(child.exitCode, 'up is still in the base backup').toBeNull();
    return { project, config, child, finished, backupOnB, sampler };
  };

  test('leaves no pg_basebackup on that host, no walsender or slot on the primary, no partial copy; the next up builds it', async () => {
    const { project, config, child, finished, backupOnB, sampler } = await upInBackupOnB('pg', 5432);
    child.kill('SIGTERM');
    const stopped = await finished;
    expect(sampler.stop().hits, 'no password in any command line during the run').toEqual([]);

    const context = describeRun(stopped);
    expect(stopped.code, context).toBe(143);
    expect(stopped.stderr, context).toContain('pg_basebackup for b was interrupted; the partial copy was removed');
    expect(backupOnB(), 'nothing of pg_basebackup runs on b').toEqual([]);
    // A walsender ends when it sees its client's connection closed, a moment after the client is gone.
    const walsendersOnA = () =>
      network
        .host('a')
        .processes()
        .filter((line) => line.includes('walsender'));
    await waitFor(() => walsendersOnA().length === 0, { what: 'no walsender to serve it on a', timeoutMs: 15_000 }).catch(() => undefined);
    expect(walsendersOnA(), 'no walsender serves it on a').toEqual([]);
    expect((await network.host('a').ssh(`ls -A ${HOST_DATA_ROOT}/pg/a/pg_replslot`)).stdout.trim(), 'no slot is left on the primary').toBe('');
    expect(
      (await network.host('b').ssh(`ls -A ${HOST_DATA_ROOT}/pg`)).stdout.split('\n').filter((f) => f.includes('partial')),
      'no partial copy on b',
    ).toEqual([]);

    await project.writeConfig('hotstandby.config.json', config);
    const resumed = await project.run(['up', '--plain'], { timeoutMs: 300_000 });
    expect(resumed.code, describeRun(resumed)).toBe(0);
    const verify = await project.run(['verify'], { timeoutMs: 120_000 });
    expect(verify.code, describeRun(verify)).toBe(0);
    expect((await project.run(['down', '--purge'], { timeoutMs: 120_000 })).code).toBe(0);
  }, 600_000);

  test('a second SIGTERM quits at once, and still nothing of pg_basebackup runs on that host; the next up builds it', async () => {
    const { project, config, child, finished, backupOnB } = await upInBackupOnB('quit', 5433);
    // The second signal once the first is taken (two sent at once may arrive as one).
    let said = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      said += chunk.toString();
    });
    child.kill('SIGTERM');
    await waitFor(() => said.includes('terminated: stopping after cleaning up') || child.exitCode !== null, { what: 'up to take the first SIGTERM', intervalMs: 1 });
    child.kill('SIGTERM');
    const stopped = await finished;

    const context = describeRun(stopped);
    expect(stopped.code, context).toBe(143);
    expect(backupOnB(), `nothing of pg_basebackup runs on b\n${context}`).toEqual([]);

    await project.writeConfig('hotstandby.config.json', config);
    const resumed = await project.run(['up', '--plain'], { timeoutMs: 300_000 });
    expect(resumed.code, describeRun(resumed)).toBe(0);
    const verify = await project.run(['verify'], { timeoutMs: 120_000 });
    expect(verify.code, describeRun(verify)).toBe(0);
  }, 600_000);

  test('killed outright (SIGKILL), its pg_basebackup on that host is ended there all the same; the next up builds it', async () => {
    const { project, config, child, finished, backupOnB } = await upInBackupOnB('killed', 5434);
    child.kill('SIGKILL');
    const killed = await finished;
    expect(killed.stderr, describeRun(killed)).toContain('killed by SIGKILL');
    // Nothing of the tool is left to ask: the host ends it when the tool's end of the connection closes.
    await waitFor(() => backupOnB().length === 0, { what: 'pg_basebackup to end on b', timeoutMs: 30_000 });

    await project.writeConfig('hotstandby.config.json', config);
    const resumed = await project.run(['up', '--plain'], { timeoutMs: 300_000 });
    expect(resumed.code, describeRun(resumed)).toBe(0);
  }, 600_000);
});

describe.skipIf(unavailable !== undefined)('up stopped by SIGTERM while initdb runs on the primary host', () => {
  let network: TestNetwork;
  beforeAll(async () => {
    network = await createTestNetwork(['a']);
  }, 60_000);
  afterAll(async () => {
    await network?.teardown();
  });

  test('leaves nothing of initdb running there and no password in a file there; the next up builds the primary', async () => {
    const project = await createProject('hotstandby-e2e-hosts-initdb-sigterm-');
    const dataDir = `${HOST_DATA_ROOT}/pg/a`;
    await project.writeConfig('hotstandby.config.json', {
      primary: { name: 'a', port: 5432, host: network.host('a').address, ssh: network.ssh(), dataDir },
      standbys: [],
      superuser: { password: SUPERUSER_PASSWORD },
      replication: { password: REPLICATION_PASSWORD },
    });
    const onA = (text: string) =>
      network
        .host('a')
        .processes()
        .filter((line) => line.includes(text));
    const sampler = sampleCommandLines([SUPERUSER_PASSWORD, REPLICATION_PASSWORD]);
    const child = startCli(['up', '--plain'], { cwd: project.dir, timeoutMs: 300_000 });
    const finished = collect('hotstandby up --plain', child);
    await waitFor(() => onA('initdb').some((line) => line.startsWith('/')) || child.exitCode !== null, { what: 'initdb to run on a', timeoutMs: 240_000, intervalMs: 5 });
    expect(child.exitCode, 'up is still in initdb').toBeNull();
    child.kill('SIGTERM');
    const stopped = await finished;
    expect(sampler.stop().hits, 'no password in any command line during the run').toEqual([]);

    const context = describeRun(stopped);
    expect(stopped.code, context).toBe(143);
    expect(onA('initdb'), `nothing of initdb runs on a\n${context}`).toEqual([]);
    expect(onA('postgres'), `no server was left running on a\n${context}`).toEqual([]);
    const secretFiles = await network.host('a').ssh(`grep -rl -- '${SUPERUSER_PASSWORD}' ${HOST_DATA_ROOT} /tmp /var/lib/postgresql 2>/dev/null || true`);
    expect(secretFiles.stdout.trim(), 'no file on a holds the superuser password').toBe('');

    const resumed = await project.run(['up', '--plain'], { timeoutMs: 300_000 });
    expect(resumed.code, describeRun(resumed)).toBe(0);
  }, 600_000);
});
