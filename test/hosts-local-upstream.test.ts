// A node on this machine serving a standby on another host, end to end through the CLI: a primary here and a
// standby on host b (a network namespace whose route to this machine ends at the bridge address). The primary
// listens on loopback and that one address only, lets the replication role in from b's own address only, and
// serves TLS with a certificate naming that address (verify-full on b). The roles swap both ways by switchover,
// a second standby on b comes and goes with add-standby --host / remove-standby --purge, down --purge leaves
// nothing. An adopted primary here needs --allow-restart for its listen_addresses, and says so before changing
// anything. A standby named by an ssh alias is reached at the address ssh connects to.
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testBinaries } from '@hotstandby/testing';
import { MachinePool } from '../packages/core/src/hosts/machine-pool.js';
import { PgNode } from '../packages/core/src/postgres/pg-node.js';
import { createUsersPrimary, rolesAndSlots } from './support/adopted-primary.js';
import { describeRun } from './support/cli.js';
import { expectUserError, nodeNamed, type StatusJson } from './support/cluster-json.js';
import { hashFiles, listTree } from './support/files.js';
import { withClient } from './support/pg.js';
import { createProject, freePorts, type Project } from './support/project.js';
import { createTestNetwork, HOST_DATA_ROOT, networkHostsUnavailable, type TestNetwork } from './support/network-hosts.js';
import { postmastersUnder, sampleCommandLines } from './support/processes.js';

const unavailable = networkHostsUnavailable();
const PASSWORD = 'hosts-local-upstream-superuser-secret';
const REPLICATION_PASSWORD = 'hosts-local-upstream-replication-secret';

describe.skipIf(unavailable !== undefined)('a node on this machine serving a standby on another host', () => {
  let network: TestNetwork;
  beforeAll(async () => {
    network = await createTestNetwork(['b']);
  }, 60_000);
  afterAll(async () => {
    await network?.teardown();
  });

  const ssh = () => network.ssh();
  const remoteDir = (name: string) => `${HOST_DATA_ROOT}/pg/${name}`;
  const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const status = async (project: Project): Promise<StatusJson> => JSON.parse((await project.run(['status', '--json'])).stdout) as StatusJson;
  // SQL on a server of host b, the way the tool reaches it: through the SSH connection to its loopback.
  const onB = async <T>(port: number, fn: (node: PgNode) => Promise<T>): Promise<T> => {
    const pool = new MachinePool();
    try {
      const machine = await pool.machineOf({ host: network.host('b').address, ...ssh() });
      const node = new PgNode({
        name: 'r',
        role: 'primary',
        port,
        dataDir: remoteDir('r'),
        binaries: await testBinaries(),
        osUser: await machine.serverUser(undefined),
        logFile: `${remoteDir('r')}.log`,
        superuser: { name: 'postgres', password: PASSWORD },
        machine,
      });
      try {
        return await fn(node);
      } finally {
        await node.closeConnections();
      }
    } finally {
      await pool.close();
    }
  };
  // Which of a server's standbys stream over TLS, by application_name.
  const SSL_BY_STANDBY = 'SELECT r.application_name, s.ssl FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid) ORDER BY 1';
  const sslOf = (rows: { application_name: string; ssl: boolean }[]) => Object.fromEntries(rows.map((r) => [r.application_name, r.ssl]));
  // The replication role's lines in a pg_hba.conf.
  const replicationRules = (hba: string) => hba.split('\n').filter((l) => /^\s*host\w*\s+replication\s+"?repuser"?\s/.test(l));

  test('up, verify, switchover both ways, add-standby --host and remove-standby --purge work with the primary on this machine, over TLS, and down --purge leaves nothing', async () => {
    const project = await createProject();
    const [port] = await freePorts(1);
    const controller = network.controllerAddress;
    const b = network.host('b');
    await project.writeConfig('hotstandby.config.json', {
      primary: { name: 'p', port },
      standbys: [{ name: 'r', port: 5432, host: b.address, ssh: ssh(), dataDir: remoteDir('r') }],
      superuser: { password: PASSWORD },
      replication: { password: REPLICATION_PASSWORD },
    });
    const sampler = sampleCommandLines([PASSWORD, REPLICATION_PASSWORD, 'PRIVATE KEY']);
    const up = await project.run(['up'], { timeoutMs: 300_000 });
    expect(up.code, describeRun(up)).toBe(0);
    const verify = await project.run(['verify'], { timeoutMs: 180_000 });
    expect(verify.code, describeRun(verify)).toBe(0);
    expect(sampler.stop().hits).toEqual([]);
    const first = await status(project);
    expect(nodeNamed(first, 'r').state, JSON.stringify(first)).toBe('streaming');
    const pDir = nodeNamed(first, 'p').dataDir;

    // p listens on loopback and the address b reaches this machine at, nothing wider; r streams over TLS.
    await withClient(port!, PASSWORD, async (client) => {
      expect((await client.query('SHOW listen_addresses')).rows[0].listen_addresses).toBe(`127.0.0.1,${controller}`);
      expect(sslOf((await client.query(SSL_BY_STANDBY)).rows)).toEqual({ r: true });
    });
    // Its pg_hba lets the replication role in from b's own address (hostssl) and loopback only: single addresses.
    const rules = replicationRules(readFileSync(`${pDir}/pg_hba.conf`, 'utf8'));
    expect(
      rules.some((l) => new RegExp(`^hostssl\\s+replication\\s+"repuser"\\s+${escaped(b.address)}/32\\s`).test(l)),
      rules.join('\n'),
    ).toBe(true);
    for (const rule of rules) expect(rule.split(/\s+/)[3], rule).toMatch(/\/32$/);
    // Its certificate names that address; r verifies it fully, connecting to that address.
    expect(new X509Certificate(readFileSync(`${pDir}.tls/server.crt`)).subjectAltName).toContain(`IP Address:${controller}`);
    const rSettings = (await b.ssh(`cat ${remoteDir('r')}/postgresql.auto.conf`)).stdout;
    expect(rSettings).toMatch(new RegExp(`primary_conninfo = 'host=${escaped(controller)} port=${port} [^']*sslmode=verify-full`));

    // Switchover to r: p follows it from this machine, over TLS to b; then back again.
    const toR = await project.run(['switchover', 'r'], { timeoutMs: 300_000 });
    expect(toR.code, describeRun(toR)).toBe(0);
    const swapped = await status(project);
    expect(nodeNamed(swapped, 'r').role, JSON.stringify(swapped)).toBe('primary');
    expect(nodeNamed(swapped, 'p').state, JSON.stringify(swapped)).toBe('streaming');
    expect(await onB(5432, async (r) => sslOf(await r.query(SSL_BY_STANDBY)))).toEqual({ p: true });
    const verifySwapped = await project.run(['verify'], { timeoutMs: 180_000 });
    expect(verifySwapped.code, describeRun(verifySwapped)).toBe(0);

    const back = await project.run(['switchover', 'p'], { timeoutMs: 300_000 });
    expect(back.code, describeRun(back)).toBe(0);
    const restored = await status(project);
    expect(nodeNamed(restored, 'p').role, JSON.stringify(restored)).toBe('primary');
    expect(nodeNamed(restored, 'r').state, JSON.stringify(restored)).toBe('streaming');
    await withClient(port!, PASSWORD, async (client) => {
      expect((await client.query('SHOW listen_addresses')).rows[0].listen_addresses).toBe(`127.0.0.1,${controller}`);
      expect(sslOf((await client.query(SSL_BY_STANDBY)).rows)).toEqual({ r: true });
    });

    // A second standby on b, streaming from p here, added and removed with its data directory there.
    const flags = ['--ssh-user', 'root', '--identity-file', network.identityFile, '--ssh-option', `UserKnownHostsFile=${network.knownHostsFile}`];
    const add = await project.run(['add-standby', 's', '--host', b.address, ...flags, '--data-dir', remoteDir('s')], { timeoutMs: 300_000 });
    expect(add.code, describeRun(add)).toBe(0);
    const withS = await status(project);
    expect(nodeNamed(withS, 's').state, JSON.stringify(withS)).toBe('streaming');
    await withClient(port!, PASSWORD, async (client) => expect(sslOf((await client.query(SSL_BY_STANDBY)).rows)).toEqual({ r: true, s: true }));
    const remove = await project.run(['remove-standby', 's', '--purge'], { timeoutMs: 180_000 });
    expect(remove.code, describeRun(remove)).toBe(0);
    expect((await b.ssh(`ls -A ${HOST_DATA_ROOT}/pg`)).stdout.split('\n').filter((f) => f === 's' || f.startsWith('s.'))).toEqual([]);

    const down = await project.run(['down', '--purge'], { timeoutMs: 180_000 });
    expect(down.code, describeRun(down)).toBe(0);
    expect((await b.ssh(`ls -A ${HOST_DATA_ROOT}`)).stdout.trim(), 'b after down --purge').toBe('');
    expect(b.processes(), 'processes on b').toEqual([]);
    expect(postmastersUnder(project.dir)).toEqual([]);
    expect(existsSync(project.path('.hotstandby')), down.stdout).toBe(false);
  }, 900_000);

  test('add-standby --host to a primary here that listens on loopback only restarts it only with --allow-restart, and is refused with nothing recorded without', async () => {
    const project = await createProject();
    const [port] = await freePorts(1);
    const b = network.host('b');
    await project.writeConfig('hotstandby.config.json', { primary: { name: 'p', port }, standbys: [], superuser: { password: PASSWORD } });
    const up = await project.run(['up'], { timeoutMs: 180_000 });
    expect(up.code, describeRun(up)).toBe(0);
    const started = await withClient(port!, PASSWORD, async (c) => (await c.query('SELECT pg_postmaster_start_time()::text AS t')).rows[0].t as string);

    const flags = ['--ssh-user', 'root', '--identity-file', network.identityFile, '--ssh-option', `UserKnownHostsFile=${network.knownHostsFile}`];
    const add = ['add-standby', 'r', '--host', b.address, ...flags, '--data-dir', remoteDir('r')];
    const refused = await project.run(add, { timeoutMs: 180_000 });
    expectUserError(refused, ['listen_addresses', '--allow-restart']);
    expect((await status(project)).nodes.map((n) => n.name)).toEqual(['p']);
    expect((await b.ssh(`ls -A ${HOST_DATA_ROOT}`)).stdout.trim()).toBe('');
    await withClient(port!, PASSWORD, async (c) => {
      expect((await c.query('SHOW listen_addresses')).rows[0].listen_addresses).toBe('127.0.0.1');
      expect((await c.query('SELECT pg_postmaster_start_time()::text AS t')).rows[0].t, 'not restarted').toBe(started);
    });

    const allowed = await project.run([...add, '--allow-restart'], { timeoutMs: 300_000 });
    expect(allowed.code, describeRun(allowed)).toBe(0);
    expect(nodeNamed(await status(project), 'r').state).toBe('streaming');
    await withClient(port!, PASSWORD, async (c) => {
      expect((await c.query('SHOW listen_addresses')).rows[0].listen_addresses).toBe(`127.0.0.1,${network.controllerAddress}`);
      expect(sslOf((await c.query(SSL_BY_STANDBY)).rows)).toEqual({ r: true });
    });
    const down = await project.run(['down', '--purge'], { timeoutMs: 180_000 });
    expect(down.code, describeRun(down)).toBe(0);
    expect((await b.ssh(`ls -A ${HOST_DATA_ROOT}`)).stdout.trim()).toBe('');
    expect(b.processes()).toEqual([]);
  }, 600_000);

  test('a standby named by an ssh alias (a HostName only its ssh settings know) streams from a primary here, reached at the address ssh connects to', async () => {
    const project = await createProject();
    const [port] = await freePorts(1);
    const b = network.host('b');
    // ssh reaches b through the alias; nothing else on this machine knows the name, and ssh -G gives its address.
    const alias = 'hs-local-upstream-alias.invalid';
    await project.writeConfig('hotstandby.config.json', {
      primary: { name: 'p', port },
      standbys: [
        {
          name: 'r',
          port: 5432,
          host: alias,
          ssh: { ...ssh(), options: [...ssh().options, `HostName=${b.address}`, `HostKeyAlias=${b.address}`] },
          dataDir: remoteDir('r'),
        },
      ],
      superuser: { password: PASSWORD },
      replication: { password: REPLICATION_PASSWORD },
    });
    const up = await project.run(['up'], { timeoutMs: 300_000 });
    expect(up.code, describeRun(up)).toBe(0);
    expect(nodeNamed(await status(project), 'r').state).toBe('streaming');
    const pDir = nodeNamed(await status(project), 'p').dataDir;
    // The rule names b's real address, never the alias; r's primary_conninfo names the address b reaches p at.
    const rules = replicationRules(readFileSync(`${pDir}/pg_hba.conf`, 'utf8'));
    expect(rules.some((l) => l.includes(`${b.address}/32`)) && !rules.some((l) => l.includes(alias)), rules.join('\n')).toBe(true);
    const rSettings = (await b.ssh(`cat ${remoteDir('r')}/postgresql.auto.conf`)).stdout;
    expect(rSettings).toMatch(new RegExp(`primary_conninfo = 'host=${escaped(network.controllerAddress)} port=${port} `));
    const down = await project.run(['down', '--purge'], { timeoutMs: 180_000 });
    expect(down.code, describeRun(down)).toBe(0);
    expect((await b.ssh(`ls -A ${HOST_DATA_ROOT}`)).stdout.trim()).toBe('');
    expect(postmastersUnder(project.dir)).toEqual([]);
  }, 400_000);

  test('an adopted primary on this machine gets its listen_addresses only with --allow-restart, refused first with nothing changed', async () => {
    const users = await createUsersPrimary();
    const { primary } = users;
    const project = await createProject();
    const b = network.host('b');
    await project.writeConfig('hotstandby.config.json', {
      primary: { name: 'mine', dataDir: primary.dataDir },
      standbys: [{ name: 'r', port: 5432, host: b.address, ssh: ssh(), dataDir: remoteDir('r') }],
      superuser: { password: primary.superuserPassword },
      replication: { password: REPLICATION_PASSWORD },
    });

    const refused = await project.run(['up'], { timeoutMs: 180_000 });
    expectUserError(refused, ['listen_addresses', '--allow-restart']);
    expect(hashFiles(users.configFiles)).toEqual(users.hashes);
    expect(await rolesAndSlots(primary)).toEqual({ roles: [], slots: [] });
    expect((await b.ssh(`ls -A ${HOST_DATA_ROOT}`)).stdout.trim()).toBe('');

    const up = await project.run(['up', '--allow-restart'], { timeoutMs: 300_000 });
    expect(up.code, describeRun(up)).toBe(0);
    await withClient(primary.port, primary.superuserPassword, async (client) => {
      expect((await client.query('SHOW listen_addresses')).rows[0].listen_addresses).toBe(`127.0.0.1,${network.controllerAddress}`);
      expect(sslOf((await client.query(SSL_BY_STANDBY)).rows)).toEqual({ r: true });
    });
    const verify = await project.run(['verify'], { timeoutMs: 180_000 });
    expect(verify.code, describeRun(verify)).toBe(0);

    // Its own files back, its server as before; nothing of the cluster left on b or here.
    const down = await project.run(['down', '--purge', '--restore'], { timeoutMs: 180_000 });
    expect(down.code, describeRun(down)).toBe(0);
    expect(hashFiles(users.configFiles)).toEqual(users.hashes);
    expect(await rolesAndSlots(primary)).toEqual({ roles: [], slots: [] });
    expect((await b.ssh(`ls -A ${HOST_DATA_ROOT}`)).stdout.trim()).toBe('');
    expect(b.processes()).toEqual([]);
    expect(listTree(project.dir)).toEqual(['hotstandby.config.json']);
  }, 600_000);
});

test.runIf(unavailable !== undefined)('the local-upstream test is skipped only with a reason', () => {
  expect(unavailable).toMatch(/need/);
});
