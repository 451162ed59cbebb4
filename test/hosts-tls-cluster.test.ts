// Replication between hosts is encrypted and verified, end to end through the CLI: up builds a primary on host a, a
// standby on b, one on c cascaded from b and one (d) beside the primary on a. Every connection that crosses hosts
// uses TLS (pg_stat_ssl on its upstream), with a hostssl rule and sslmode=verify-full against the CA on the
// standby's own host; the connection on one host needs none. Keys are 0600 on their own hosts, the CA key stays
// on this machine, no key or password reaches a command line, and down --purge removes the TLS files everywhere.
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testBinaries } from '@hotstandby/testing';
import { MachinePool } from '../packages/core/src/hosts/machine-pool.js';
import { PgNode } from '../packages/core/src/postgres/pg-node.js';
import { describeRun } from './support/cli.js';
import { nodeNamed, type StatusJson } from './support/cluster-json.js';
import { createProject } from './support/project.js';
import { createTestNetwork, HOST_DATA_ROOT, networkHostsUnavailable, type TestNetwork } from './support/network-hosts.js';
import { sampleCommandLines } from './support/processes.js';

const unavailable = networkHostsUnavailable();
const PASSWORD = 'hosts-tls-superuser-secret';
const REPLICATION_PASSWORD = 'hosts-tls-replication-secret';

describe.skipIf(unavailable !== undefined)('replication between hosts over TLS', () => {
  let network: TestNetwork;
  const pool = new MachinePool();
  beforeAll(async () => {
    network = await createTestNetwork(['a', 'b', 'c']);
  }, 60_000);
  afterAll(async () => {
    await pool.close();
    await network?.teardown();
  });

  const ssh = () => network.ssh();
  const dataDir = (name: string) => `${HOST_DATA_ROOT}/pg/${name}`;
  const config = () => ({
    primary: { name: 'a', port: 5432, host: network.host('a').address, ssh: ssh(), dataDir: dataDir('a') },
    standbys: [
      { name: 'b', port: 5432, host: network.host('b').address, ssh: ssh(), dataDir: dataDir('b') },
      { name: 'c', port: 5432, host: network.host('c').address, ssh: ssh(), dataDir: dataDir('c'), upstream: 'b' },
      { name: 'd', port: 5433, host: network.host('a').address, ssh: ssh(), dataDir: dataDir('d') },
    ],
    superuser: { password: PASSWORD },
    replication: { password: REPLICATION_PASSWORD },
  });
  // A node's server reached the way the tool reaches it: SQL through the SSH connection to its host.
  const serverOn = async (name: string, hostName: string, port: number, through: MachinePool = pool): Promise<PgNode> => {
    const machine = await through.machineOf(network.target(hostName));
    return new PgNode({
      name,
      role: 'primary',
      port,
      dataDir: dataDir(name),
      binaries: await testBinaries(),
      osUser: await machine.serverUser(undefined),
      logFile: `${dataDir(name)}.log`,
      superuser: { name: 'postgres', password: PASSWORD },
      machine,
    });
  };
  // Which of an upstream's standbys stream over TLS, by application_name.
  const sslByStandby = async (upstream: PgNode): Promise<Record<string, boolean>> => {
    const rows = await upstream.query<{ application_name: string; ssl: boolean }>(
      'SELECT r.application_name, s.ssl FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid) ORDER BY 1',
    );
    return Object.fromEntries(rows.map((r) => [r.application_name, r.ssl]));
  };
  const hostFile = async (hostName: string, file: string) => (await network.host(hostName).ssh(`cat ${file}`)).stdout;
  // The postgres processes in a host's own network namespace (the process table is shared by every host, and by
  // the hosts of other tests running at the same time).
  const postgresOn = async (hostName: string) =>
    (
      await network
        .host(hostName)
        .ssh('me=$(readlink /proc/self/ns/net); for p in $(pgrep -x postgres); do [ "$(readlink /proc/$p/ns/net 2>/dev/null)" = "$me" ] && echo $p; done; true')
    ).stdout.trim();
  // A step's failure names the step (a query through SSH fails without saying which).
  const step = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw new Error(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  };

  test('up encrypts and verifies every replication connection between hosts, requires none on a single host, and down --purge removes the TLS files', async () => {
    const project = await createProject();
    await project.writeConfig('hotstandby.config.json', config());
    // Neither a password nor a private key may appear in any command line on any host (they share this process table).
    const sampler = sampleCommandLines([PASSWORD, REPLICATION_PASSWORD, 'PRIVATE KEY']);
    const up = await project.run(['up'], { timeoutMs: 300_000 });
    expect(up.code, describeRun(up)).toBe(0);
    const verify = await project.run(['verify'], { timeoutMs: 180_000 });
    expect(verify.code, describeRun(verify)).toBe(0);
    expect(sampler.stop().hits).toEqual([]);
    const status = JSON.parse((await project.run(['status', '--json'])).stdout) as StatusJson;
    for (const name of ['b', 'c', 'd']) expect(nodeNamed(status, name).state, JSON.stringify(status)).toBe('streaming');

    // The servers say so: b streams from a over TLS, c from b over TLS. d, on a's own host, connects over loopback
    // with a plain host rule and no sslmode (libpq's default, prefer, may still encrypt it: nothing requires it).
    const a = await serverOn('a', 'a', 5432);
    const b = await serverOn('b', 'b', 5432);
    expect(await sslByStandby(a)).toMatchObject({ b: true, d: expect.any(Boolean) });
    expect(await sslByStandby(b)).toEqual({ c: true });

    // What makes them so: hostssl for each standby's own address, verify-full against the CA on the standby's host.
    const hba = await hostFile('a', `${dataDir('a')}/pg_hba.conf`);
    expect(hba).toMatch(new RegExp(`^hostssl\\s+replication\\s+"repuser"\\s+${network.host('b').address.replace(/\./g, '\\.')}/32\\s`, 'm'));
    expect(hba).toMatch(/^host\s+replication\s+"repuser"\s+127\.0\.0\.1\/32\s/m);
    for (const [name, hostName] of [
      ['b', 'b'],
      ['c', 'c'],
    ] as const) {
      const settings = await hostFile(hostName, `${dataDir(name)}/postgresql.auto.conf`);
      expect(settings, name).toMatch(new RegExp(`primary_conninfo = '[^']*sslmode=verify-full sslrootcert=${dataDir(name)}\\.tls/ca\\.crt`));
      // Its own certificate and key, not the ones of the upstream its base backup copied the settings from.
      expect(settings, name).toContain(`ssl_cert_file = '${dataDir(name)}.tls/server.crt'`);
    }
    expect(await hostFile('a', `${dataDir('d')}/postgresql.auto.conf`)).not.toMatch(/primary_conninfo = '[^']*sslmode/);

    // Each server's key is 0600 and its server account's, on its own host only; the CA key never leaves this machine.
    for (const [name, hostName] of [
      ['a', 'a'],
      ['b', 'b'],
      ['c', 'c'],
      ['d', 'a'],
    ] as const) {
      const listing = await network.host(hostName).ssh(`cd ${dataDir(name)}.tls && ls && stat -c '%a %U' server.key`);
      expect(listing.stdout.trim().split('\n'), name).toEqual(['ca.crt', 'server.crt', 'server.key', '600 postgres']);
      expect(existsSync(`${dataDir(name)}.tls`)).toBe(false);
    }
    const caKey = path.join(project.dir, '.hotstandby', 'tls', 'ca.key');
    expect((await stat(caKey)).mode & 0o777).toBe(0o600);

    // A second up finds everything in place: no new certificate, nothing restarted.
    const again = await project.run(['up', '--dry-run'], { timeoutMs: 180_000 });
    expect(again.code, describeRun(again)).toBe(0);
    expect(again.stdout, describeRun(again)).not.toMatch(/TLS key|certificate for|cluster CA/);

    const down = await project.run(['down', '--purge'], { timeoutMs: 180_000 });
    expect(down.code, describeRun(down)).toBe(0);
    for (const hostName of ['a', 'b', 'c']) {
      const left = await network.host(hostName).ssh(`ls -A ${HOST_DATA_ROOT}`);
      expect(left.stdout.trim(), `${hostName} after down --purge`).toBe('');
    }
    expect(existsSync(path.join(project.dir, '.hotstandby', 'tls'))).toBe(false);
    for (const hostName of ['a', 'b', 'c']) expect(await postgresOn(hostName), `postgres left on ${hostName}`).toBe('');
  }, 600_000);

  test('an adopted primary keeps the TLS files its settings name through down --purge; down --restore gives it its own settings back and a last purge removes them', async () => {
    // The user's own server on a, running before hotstandby adopts it (made through a connection of its own, closed
    // before the CLI runs).
    const setup = new MachinePool();
    try {
      const user = await serverOn('a', 'a', 5432, setup);
      await user.machine.mkdir(user.dataDir, { mode: 0o700, uid: user.osUser.uid, gid: user.osUser.gid });
      await user.initdb({ password: PASSWORD });
      const conf = `${user.dataDir}/postgresql.conf`;
      const own = "port = 5432\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '/tmp'\n";
      await user.machine.writeFileAtomic(conf, `${(await user.machine.readFile(conf))!.toString('utf8')}\n${own}`);
      await user.start();
    } finally {
      await setup.close();
    }
    const project = await createProject();
    await project.writeConfig('hotstandby.config.json', { ...config(), standbys: [config().standbys[0]] });
    const up = await project.run(['up', '--allow-restart'], { timeoutMs: 300_000 });
    expect(up.code, describeRun(up)).toBe(0);
    const after = new MachinePool();
    try {
      expect(await step('pg_stat_ssl on a after up', async () => sslByStandby(await serverOn('a', 'a', 5432, after)))).toEqual({ b: true });
    } finally {
      await after.close();
    }
    const tlsDir = `${dataDir('a')}.tls`;
    const onA = (command: string) => network.host('a').ssh(command);

    // Purge without restore: the primary keeps running with the tool's settings, so its TLS files stay.
    const purge = await project.run(['down', '--purge'], { timeoutMs: 180_000 });
    expect(purge.code, describeRun(purge)).toBe(0);
    expect(purge.stdout, describeRun(purge)).toContain(`kept ${tlsDir}`);
    expect((await onA(`ls ${tlsDir}`)).stdout.trim().split('\n')).toEqual(['ca.crt', 'server.crt', 'server.key']);
    expect(await hostFile('a', `${dataDir('a')}/postgresql.auto.conf`)).toContain(`ssl_key_file = '${tlsDir}/server.key'`);

    // Restore: its own settings back (ssl off as before); the TLS files are the tool's and go with the last purge.
    const restore = await project.run(['down', '--restore'], { timeoutMs: 180_000 });
    expect(restore.code, describeRun(restore)).toBe(0);
    expect(await hostFile('a', `${dataDir('a')}/postgresql.auto.conf`)).not.toMatch(/^ssl/m);
    const last = await project.run(['down', '--purge'], { timeoutMs: 180_000 });
    expect(last.code, describeRun(last)).toBe(0);
    expect((await onA(`test -e ${tlsDir} && echo left || echo gone`)).stdout.trim()).toBe('gone');
    expect((await onA(`test -f ${dataDir('a')}/PG_VERSION && echo kept`)).stdout.trim()).toBe('kept');
    await onA(`runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D ${dataDir('a')} -m immediate -w stop`);
    expect(await postgresOn('a')).toBe('');
  }, 600_000);
});

test.runIf(unavailable !== undefined)('the TLS cluster test is skipped only with a reason', () => {
  expect(unavailable).toMatch(/need/);
});
