// One SSH connection per host for a whole command: commands and atomic file writes on the other host, secrets only
// on stdin, an unreachable host named with the command to try, and nothing left behind after close. The connection
// lasts as long as its command: forwarded sockets survive idle spells and a lost master, and a killed command
// leaves no ssh process behind.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { testBinaries } from '@hotstandby/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SshConnection } from '../packages/core/src/hosts/ssh-connection.js';
import type { SshTarget } from '../packages/core/src/hosts/ssh-target.js';
import { createTestNetwork, HOST_DATA_ROOT, networkHostsUnavailable, type TestNetwork } from './support/network-hosts.js';
import { listProcesses, sampleCommandLines } from './support/processes.js';
import { waitFor } from './support/wait.js';

const unavailable = networkHostsUnavailable();

describe.skipIf(unavailable !== undefined)('an SSH connection to another host', () => {
  let network: TestNetwork;
  let target: SshTarget;
  beforeAll(async () => {
    network = await createTestNetwork(['db2']);
    target = network.target('db2');
  });
  afterAll(async () => {
    await network?.teardown();
  });

  test('runs commands on the host over one shared connection, and close ends it', async () => {
    const connection = await SshConnection.open(target);
    try {
      const first = await connection.run(['hostname']);
      expect(first.stdout.trim()).toBe('db2');
      const quoted = await connection.run(['printf', '%s|', 'two words', "it's", '$HOME', '`x`']);
      expect(quoted.stdout).toBe("two words|it's|$HOME|`x`|");
      const masters = listProcesses().filter((p) => p.args.join(' ').includes('ControlMaster=yes') && p.args.join(' ').includes(target.host));
      expect(masters.length).toBe(1);
      const failing = await connection.runAllowFailure(['sh', '-c', 'exit 7']);
      expect(failing.exitCode).toBe(7);
    } finally {
      await connection.close();
    }
    const left = listProcesses().filter((p) => p.args.join(' ').includes('ControlMaster=yes') && p.args.join(' ').includes(target.host));
    expect(left).toEqual([]);
    expect(readdirSync(path.join(os.tmpdir(), `hotstandby-ssh-${process.getuid!()}`)).filter((d) => d.startsWith(`${process.pid}-`))).toEqual([]);
  });

  test('closing one of two connections to the host leaves the other working, with its forwarded sockets', async () => {
    const first = await SshConnection.open(target);
    const second = await SshConnection.open(target);
    try {
      const forward = await second.forwardPostgres(5999);
      await first.close();
      expect((await second.run(['hostname'])).stdout.trim()).toBe('db2');
      expect(existsSync(forward.socketDir)).toBe(true);
    } finally {
      await first.close();
      await second.close();
    }
  });

  test('writes a file atomically on the host with its mode and owner; the content is in no command line', async () => {
    const connection = await SshConnection.open(target);
    const secret = `pw-${Date.now()}-only-on-stdin`;
    const file = `${HOST_DATA_ROOT}/conf dir/pgpass`;
    try {
      await connection.run(['mkdir', '-p', `${HOST_DATA_ROOT}/conf dir`]);
      const sampler = sampleCommandLines([secret]);
      await connection.writeFileAtomic(file, `*:*:*:rep:${secret}\n`, { mode: 0o600, owner: 'postgres:postgres' });
      expect(sampler.stop().hits).toEqual([]);
      expect(await connection.readFile(file)).toBe(`*:*:*:rep:${secret}\n`);
      const stat = await connection.run(['stat', '-c', '%a %U %G', file]);
      expect(stat.stdout.trim()).toBe('600 postgres postgres');
      expect((await connection.run(['ls', '-A', `${HOST_DATA_ROOT}/conf dir`])).stdout.trim()).toBe('pgpass');
      expect(existsSync(`${HOST_DATA_ROOT}/conf dir`)).toBe(false);
      expect(await connection.readFile(`${HOST_DATA_ROOT}/missing`)).toBeUndefined();
    } finally {
      await connection.close();
    }
  });

  test('a failed write leaves the old file and no temporary file', async () => {
    const connection = await SshConnection.open(target);
    const file = `${HOST_DATA_ROOT}/keep.conf`;
    try {
      await connection.writeFileAtomic(file, 'old\n', { mode: 0o644 });
      await expect(connection.writeFileAtomic(file, 'new\n', { mode: 0o644, owner: 'no-such-user-here' })).rejects.toThrow(/write .*keep.conf on .* failed/);
      expect(await connection.readFile(file)).toBe('old\n');
      expect((await connection.run(['ls', '-A', HOST_DATA_ROOT])).stdout).not.toMatch(/hotstandby-tmp/);
    } finally {
      await connection.close();
    }
  });

  test('an unreachable host is one HOST_UNREACHABLE error naming it, with the command to try by hand', async () => {
    const db2 = network.host('db2');
    db2.setReachable(false);
    try {
      const error = await SshConnection.open({ ...target, options: [...(target.options ?? []), 'ConnectTimeout=2'] }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'HOST_UNREACHABLE', where: { host: `root@${db2.address}` } });
      expect((error as Error).message).toContain(`cannot reach root@${db2.address} over SSH`);
      expect((error as { fix: string }).fix).toContain(`ssh -o BatchMode=yes -i ${network.identityFile} root@${db2.address} true`);
    } finally {
      db2.setReachable(true);
    }
  });

  test('an unknown host key is refused without a prompt', async () => {
    const error = await SshConnection.open({ ...target, options: ['UserKnownHostsFile=/dev/null', 'StrictHostKeyChecking=yes'] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'HOST_UNREACHABLE' });
    expect((error as Error).message).toMatch(/Host key verification failed/);
  });
});

describe.skipIf(unavailable !== undefined)('SQL to a server on another host', () => {
  let network: TestNetwork;
  beforeAll(async () => {
    network = await createTestNetwork(['db3']);
  });
  afterAll(async () => {
    await network?.teardown();
  });

  const dataDir = `${HOST_DATA_ROOT}/pg`;
  let bin: string;
  let target: SshTarget;
  beforeAll(async () => {
    const db3 = network.host('db3');
    bin = (await testBinaries()).binDir;
    const setup = [
      `install -d -o postgres -g postgres -m 700 ${dataDir}`,
      `runuser -u postgres -- ${bin}/initdb -D ${dataDir} -U su --auth=trust -N >/dev/null`,
      `runuser -u postgres -- ${bin}/pg_ctl -D ${dataDir} -l ${dataDir}/log -o "-c listen_addresses=127.0.0.1 -p 5433 -c unix_socket_directories=''" -w start >/dev/null`,
    ].join(' && ');
    const started = await db3.ssh(setup);
    expect(started.code, started.stderr).toBe(0);
    target = { host: db3.address, user: 'root', identityFile: network.identityFile, options: [`UserKnownHostsFile=${network.knownHostsFile}`] };
  }, 60_000);
  afterAll(async () => {
    await network?.host('db3').ssh(`runuser -u postgres -- ${bin}/pg_ctl -D ${dataDir} -m immediate -w stop`);
  });

  // The server's data directory, asked through a forwarded socket.
  const dataDirThrough = async (forward: { socketDir: string; port: number }): Promise<string> => {
    const client = new pg.Client({ host: forward.socketDir, port: forward.port, user: 'su', database: 'postgres', connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
      return (await client.query<{ dir: string }>("SELECT current_setting('data_directory') AS dir")).rows[0]!.dir;
    } finally {
      await client.end();
    }
  };
  // The ssh processes (master and sessions) of the connection whose control directory this is.
  const sshOf = (controlDir: string) => listProcesses().filter((p) => p.args[0] === 'ssh' && p.args.some((a) => a.startsWith(`ControlPath=${controlDir}/`)));
  const masterOf = (controlDir: string) => sshOf(controlDir).filter((p) => p.args.includes('ControlMaster=yes'));

  test('reaches a server that listens only on that host loopback, through the connection', async () => {
    const connection = await SshConnection.open(target);
    try {
      const { socketDir, port } = await connection.forwardPostgres(5433);
      const client = new pg.Client({ host: socketDir, port, user: 'su', database: 'postgres' });
      await client.connect();
      try {
        const row = (await client.query<{ dir: string; addr: string }>("SELECT current_setting('data_directory') AS dir, host(inet_server_addr()) AS addr")).rows[0]!;
        expect(row).toEqual({ dir: dataDir, addr: '127.0.0.1' });
      } finally {
        await client.end();
      }
      expect(await connection.forwardPostgres(5433)).toEqual({ socketDir, port });
    } finally {
      await connection.close();
    }
  });

  test('a forwarded socket still reaches the server after the connection stayed idle longer than the master persists', async () => {
    // 3 s, not less: the master must still be there when the connection's holding session reaches it, which on a
    // loaded machine can take over a second after ssh -f returns.
    const connection = await SshConnection.open(target, { controlPersistSeconds: 3 });
    try {
      const forward = await connection.forwardPostgres(5433);
      expect(await dataDirThrough(forward)).toBe(dataDir);
      const [master] = masterOf(path.dirname(forward.socketDir));
      expect(master).toBeDefined();
      // The idle spell is the point of this test, so it is a wait on time: over twice the master's persist time,
      // with no session, command or client on the connection meanwhile (a master left to ControlPersist is gone by then).
      await new Promise((resolve) => setTimeout(resolve, 7000));
      expect(await dataDirThrough(forward)).toBe(dataDir);
      expect(masterOf(path.dirname(forward.socketDir)).map((p) => p.pid)).toEqual([master!.pid]);
    } finally {
      await connection.close();
    }
  });

  test('a master that ended is started again on next use, with its forwarded sockets at the same paths', async () => {
    const connection = await SshConnection.open(target);
    try {
      const forward = await connection.forwardPostgres(5433);
      const controlDir = path.dirname(forward.socketDir);
      const [master] = masterOf(controlDir);
      expect(master).toBeDefined();
      process.kill(master!.pid, 'SIGKILL');
      // The session holding the master open ends with it: that is how the connection learns it is gone.
      await waitFor(() => sshOf(controlDir).length === 0, { what: 'the master and its holding session to end' });
      expect(await connection.forwardPostgres(5433)).toEqual(forward);
      expect(await dataDirThrough(forward)).toBe(dataDir);
      expect((await connection.run(['hostname'])).stdout.trim()).toBe('db3');
      const again = masterOf(controlDir);
      expect(again.length).toBe(1);
      expect(again[0]!.pid).not.toBe(master!.pid);
    } finally {
      await connection.close();
    }
  });

  test('a process killed while holding a connection leaves no ssh process once the persist time is over', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'support', 'hold-ssh-connection.ts'), JSON.stringify(target), '5433', '3'], {
      cwd: path.join(import.meta.dirname, '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const controlDir = await waitFor(
        () => {
          if (child.exitCode !== null) throw new Error(`the child exited ${child.exitCode}: ${stderr}`);
          return stdout.endsWith('\n') ? stdout.trim() : undefined;
        },
        { what: "the child's connection", timeoutMs: 60_000 },
      ).catch((error: Error) => {
        throw new Error(`${error.message} (stderr: ${stderr})`);
      });
      expect(masterOf(controlDir).length).toBe(1);
      expect(sshOf(controlDir).length).toBeGreaterThan(1);
      child.kill('SIGKILL');
      await exited;
      // Its holding session ends with the process's pipe, and the master one persist time (3 s) later.
      await waitFor(() => sshOf(controlDir).length === 0, { what: 'every ssh process of the killed connection to end', timeoutMs: 15_000 });
    } finally {
      child.kill('SIGKILL');
    }
  });
});
