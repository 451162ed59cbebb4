// The step plugins plan for nodes on other hosts: every file they read for a plan is read on the machine of the node it
// belongs to, every file action names that node, and the network settings follow from where the nodes live (the
// standby's own address in pg_hba.conf, the primary listening at its host, conninfo naming the primary's address).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testBinaries } from '@hotstandby/testing';
import hbaConfig from '../plugins/hba-config/src/index.js';
import recoveryConfig from '../plugins/recovery-config/src/index.js';
import walConfig from '../plugins/wal-config/src/index.js';
import userCreation from '../plugins/user-creation/src/index.js';
import baseBackup from '../plugins/base-backup/src/index.js';
import { resolveConfig } from '../packages/core/src/config/resolve-config.js';
import type { Action } from '../packages/core/src/executor/action.js';
import { MachinePool } from '../packages/core/src/hosts/machine-pool.js';
import type { Machine } from '../packages/core/src/hosts/machine.js';
import type { StepContext } from '../packages/core/src/plugin/step-context.js';
import type { StepPlugin } from '../packages/core/src/plugin/step-plugin.js';
import type { PgBinaries } from '../packages/core/src/postgres/binaries.js';
import { PgNode } from '../packages/core/src/postgres/pg-node.js';
import type { ServerUser } from '../packages/core/src/postgres/os-user.js';
import { versionFacts } from '../packages/core/src/postgres/versions.js';
import { sampleCommandLines } from './support/processes.js';
import { createTestNetwork, HOST_DATA_ROOT, networkHostsUnavailable, type TestNetwork } from './support/network-hosts.js';

const unavailable = networkHostsUnavailable();
const SUPERUSER_PASSWORD = 'super-secret-for-hosts-plugins';
const REPLICATION_PASSWORD = 'repl-secret-for-hosts-plugins';
const PRIMARY_PORT = 54329;
const STANDBY_PORT = 54330;

describe.skipIf(unavailable !== undefined)('step plugins for nodes on other hosts', () => {
  let network: TestNetwork;
  let pool: MachinePool;
  let a: Machine;
  let b: Machine;
  let binaries: PgBinaries;
  let stateDir: string;
  let primary: PgNode;
  let standby: PgNode;
  let serverUser: ServerUser;
  let standbyUser: ServerUser;
  const standbyOptions = () => ({
    name: 'beta',
    role: 'standby' as const,
    port: STANDBY_PORT,
    dataDir: standbyDir,
    binaries,
    osUser: standbyUser,
    logFile: `${standbyDir}.log`,
    superuser: { name: 'postgres', password: SUPERUSER_PASSWORD },
    machine: b,
  });
  // PG_VERSION's text: "15" for 150000.
  const majorLabel = () => String(Math.floor(binaries.major / 10000));
  const primaryDir = `${HOST_DATA_ROOT}/primary`;
  const standbyDir = `${HOST_DATA_ROOT}/standby`;

  beforeAll(async () => {
    network = await createTestNetwork(['a', 'b']);
    pool = new MachinePool();
    const reach = (name: string) => pool.machineOf(network.target(name));
    a = await reach('a');
    b = await reach('b');
    binaries = await testBinaries();
    serverUser = await a.serverUser(undefined);
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'hotstandby-hosts-plugins-'));
    // A real primary on host a, reached from here only through the SSH connection.
    await a.mkdir(primaryDir, { mode: 0o700, uid: serverUser.uid, gid: serverUser.gid });
    await a.writeFileAtomic(`${HOST_DATA_ROOT}/pw`, SUPERUSER_PASSWORD, { mode: 0o600, uid: serverUser.uid, gid: serverUser.gid, exact: true });
    await a.run(binaries.path('initdb'), ['-D', primaryDir, '-U', 'postgres', `--pwfile=${HOST_DATA_ROOT}/pw`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C'], {
      user: serverUser,
      purpose: 'initdb on a',
    });
    await a.remove(`${HOST_DATA_ROOT}/pw`);
    await a.writeFileAtomic(`${primaryDir}.log`, '', { mode: 0o600, uid: serverUser.uid, gid: serverUser.gid, exact: true });
    const conf = `${primaryDir}/postgresql.conf`;
    const own = `port = ${PRIMARY_PORT}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${primaryDir}'\n`;
    await a.writeFileAtomic(conf, `${(await a.readFile(conf))!.toString('utf8')}\n${own}`);
    await a.run(binaries.path('pg_ctl'), ['-D', primaryDir, '-l', `${primaryDir}.log`, '-w', 'start'], { user: serverUser, detached: true, purpose: 'pg_ctl start on a' });
    const spec = clusterSpec();
    primary = new PgNode({
      name: 'alpha',
      role: 'primary',
      port: PRIMARY_PORT,
      dataDir: primaryDir,
      binaries,
      osUser: serverUser,
      logFile: `${primaryDir}.log`,
      superuser: { name: 'postgres', password: SUPERUSER_PASSWORD },
      machine: a,
    });
    standbyUser = await b.serverUser(undefined);
    standby = new PgNode(standbyOptions());
    expect(spec.standbys[0]!.name).toBe('beta');
  }, 120_000);

  afterAll(async () => {
    await a?.runAllowFailure(binaries.path('pg_ctl'), ['-D', primaryDir, '-m', 'immediate', 'stop'], { user: serverUser });
    await pool?.close();
    await network?.teardown();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  // tls: false for the steps that meet this test's primary, which serves no TLS (the TLS cluster test covers it).
  function clusterSpec(tls?: false) {
    return resolveConfig(
      {
        stateDir,
        primary: { name: 'alpha', port: PRIMARY_PORT, dataDir: primaryDir, host: network.host('a').address },
        standbys: [{ name: 'beta', port: STANDBY_PORT, dataDir: standbyDir, host: network.host('b').address }],
        ...(tls === false ? { tls } : {}),
      },
      { kind: 'inline', dir: stateDir },
    );
  }

  // The context core gives a step, for the primary (primary steps) or the standby (standby steps).
  function contextFor(plugin: StepPlugin<any>, node: PgNode, tls?: false): StepContext<any> {
    const spec = clusterSpec(tls);
    const options = plugin.options ? plugin.options.parse({}) : {};
    return {
      step: plugin.name,
      options,
      spec,
      node,
      nodeSpec: node.role === 'primary' ? spec.primary : spec.standbys[0]!,
      primary,
      standbys: [node.role === 'standby' ? node : standby],
      upstream: node.role === 'standby' ? primary : undefined,
      facts: versionFacts(binaries.major),
      serverUser,
      secrets: { superuserPassword: SUPERUSER_PASSWORD, replicationPassword: REPLICATION_PASSWORD },
      paths: {
        stateDir,
        runDir: path.join(stateDir, 'run'),
        socketDir: path.join(stateDir, 'run'),
        logsDir: path.join(stateDir, 'logs'),
        replicationPassfile: path.join(stateDir, 'run', 'replication.pgpass'),
        logFile: (n: string) => path.join(stateDir, 'logs', `${n}.log`),
      },
      state: { node: () => undefined, journal: () => [], roleCreatedByTool: () => false, slotCreatedByTool: () => false, dirCreatedByTool: () => false },
      log: { info: () => undefined, warn: () => undefined, debug: () => undefined },
      signal: new AbortController().signal,
      dryRun: true,
      allowRestart: false,
      isPlanned: () => false,
      run: async () => {
        throw new Error('planning only');
      },
      recordCreated: async () => undefined,
    };
  }

  const fileActions = (actions: readonly Action[]) =>
    actions.filter((x) => ['write-file', 'remove-file', 'mkdir', 'remove-dir', 'move-aside'].includes(x.kind)) as (Action & { path: string; node?: string })[];

  test("hba-config reads the primary's pg_hba.conf on its host and lets the standby replicate from its own address only, over TLS", async () => {
    expect(existsSync(primaryDir)).toBe(false);
    const plan = await hbaConfig.plan(contextFor(hbaConfig, primary));
    const [write] = fileActions(plan.actions);
    expect(write).toMatchObject({ kind: 'write-file', path: `${primaryDir}/pg_hba.conf`, node: 'alpha' });
    const content = (write as { content: string }).content;
    // The standby's address on the test network, as b's routing table says it reaches a: one address, /32.
    const bAddress = network.host('b').address;
    expect(content).toMatch(new RegExp(`^hostssl\\s+replication\\s+"repuser"\\s+${bAddress.replace(/\./g, '\\.')}/32\\s+scram-sha-256$`, 'm'));
    expect(content).toMatch(/^host\s+replication\s+"repuser"\s+127\.0\.0\.1\/32\s+scram-sha-256$/m);
    expect(content).not.toMatch(/replication\s+"repuser"\s+198\.18\.\d+\.0\/(?!32)/);
    // Everything initdb wrote there is kept (it was read on a).
    expect(content).toContain('host    all             all             127.0.0.1/32            scram-sha-256');
  });

  test('wal-config reads the settings on the primary host and makes the primary listen at its host too, with its TLS files there first', async () => {
    const plan = await walConfig.plan(contextFor(walConfig, primary));
    const files = fileActions(plan.actions);
    // Its certificate, key and the CA beside its data directory on a, before the settings that name them.
    expect(files.filter((f) => f.node === 'alpha').map((f) => [f.kind, f.path])).toEqual([
      ['mkdir', `${primaryDir}.tls`],
      ['write-file', `${primaryDir}.tls/ca.crt`],
      ['write-file', `${primaryDir}.tls/server.key`],
      ['write-file', `${primaryDir}.tls/server.crt`],
      ['write-file', `${primaryDir}/postgresql.auto.conf`],
    ]);
    expect(files.find((f) => f.path.endsWith('server.key'))).toMatchObject({ secret: true, mode: 0o600, holds: 'a private key' });
    const write = files.find((f) => f.path === `${primaryDir}/postgresql.auto.conf`);
    expect(write).toMatchObject({ kind: 'write-file', path: `${primaryDir}/postgresql.auto.conf`, node: 'alpha' });
    const content = (write as { content: string }).content;
    // initdb's own header of postgresql.auto.conf on a is kept: the file was read there.
    expect(content).toContain('# Do not edit this file manually!');
    expect(content).toContain(`listen_addresses = '127.0.0.1,${network.host('a').address}'`);
    expect(content).toContain("ssl = 'on'");
    expect(content).toContain(`ssl_cert_file = '${primaryDir}.tls/server.crt'`);
    // listen_addresses is read only at server start.
    expect(plan.actions.find((x) => x.kind === 'node')).toMatchObject({ node: 'alpha', op: 'restart', reasons: expect.arrayContaining(['listen_addresses']) });
  });

  test("recovery-config reads the standby's files on its host, names the primary's address in primary_conninfo and writes only there", async () => {
    // A base backup's leftovers, written on b only.
    const owner = standby.osUser;
    await b.mkdir(standbyDir, { mode: 0o700, uid: owner.uid, gid: owner.gid });
    await b.writeFileAtomic(`${standbyDir}/PG_VERSION`, `${majorLabel()}\n`, { mode: 0o600, uid: owner.uid, gid: owner.gid });
    await b.writeFileAtomic(`${standbyDir}/backup_label`, 'START WAL LOCATION: 0/2000028 (file 000000010000000000000002)\n', { mode: 0o600, uid: owner.uid, gid: owner.gid });
    await b.writeFileAtomic(`${standbyDir}/postgresql.auto.conf`, '# copied from the primary\nwork_mem = 8MB\n', { mode: 0o600, uid: owner.uid, gid: owner.gid });
    const plan = await recoveryConfig.plan(contextFor(recoveryConfig, standby));
    const files = fileActions(plan.actions).filter((f) => f.node !== undefined);
    // Its TLS files first (on b), then its settings and marker.
    expect(files.map((f) => [f.path, f.node])).toEqual([
      [`${standbyDir}.tls`, 'beta'],
      [`${standbyDir}.tls/ca.crt`, 'beta'],
      [`${standbyDir}.tls/server.key`, 'beta'],
      [`${standbyDir}.tls/server.crt`, 'beta'],
      [`${standbyDir}/postgresql.auto.conf`, 'beta'],
      [`${standbyDir}/standby.signal`, 'beta'],
    ]);
    const settings = (files[4] as { content: string }).content;
    expect(settings).toContain('work_mem = 8MB');
    expect(settings).toContain(`host=${network.host('a').address}`);
    expect(settings).toContain(`passfile=${standbyDir}.pgpass`);
    expect(settings).toContain(`sslmode=verify-full sslrootcert=${standbyDir}.tls/ca.crt`);
    expect(settings).toContain(`ssl_key_file = '${standbyDir}.tls/server.key'`);
    expect(settings).not.toContain(REPLICATION_PASSWORD);

    // Once standby.signal is there (on b), the plan no longer creates it.
    await b.writeFileAtomic(`${standbyDir}/standby.signal`, '', { mode: 0o600, uid: owner.uid, gid: owner.gid });
    const again = await recoveryConfig.plan(contextFor(recoveryConfig, standby));
    expect(
      fileActions(again.actions)
        .filter((f) => f.path.startsWith(`${standbyDir}/`))
        .map((f) => f.path),
    ).toEqual([`${standbyDir}/postgresql.auto.conf`]);
  });

  test('user-creation puts a passfile for each node on another host on that host, secret and 0600', async () => {
    const plan = await userCreation.plan(contextFor(userCreation, primary));
    const files = fileActions(plan.actions);
    expect(files.filter((f) => f.node !== undefined).map((f) => [f.kind, f.path, f.node])).toEqual([
      ['write-file', `${primaryDir}.pgpass`, 'alpha'],
      ['write-file', `${standbyDir}.pgpass`, 'beta'],
    ]);
    for (const f of files) expect(f).toMatchObject({ kind: 'write-file', mode: 0o600, secret: true });
  });

  test("base-backup runs pg_basebackup on the standby's host, pulling from the primary's address, with the password in no command line", async () => {
    const copyDir = `${HOST_DATA_ROOT}/standby-copy`;
    const copy = new PgNode({ ...standbyOptions(), dataDir: copyDir, logFile: `${copyDir}.log` });
    const stale = `${HOST_DATA_ROOT}/.standby-copy.hotstandby-partial-0a1b2c`;
    await b.mkdir(stale, { mode: 0o700 });
    const aAddress = network.host('a').address;

    const plan = await baseBackup.plan(contextFor(baseBackup, copy, false));
    expect(plan.actions.find((x) => x.kind === 'remove-dir')).toMatchObject({ path: stale, node: 'beta' });
    expect(plan.actions.find((x) => x.kind === 'sql')).toMatchObject({ node: 'alpha' });
    const task = plan.actions.find((x) => x.kind === 'task') as Extract<Action, { kind: 'task' }>;
    expect(task.summary).toBe(`pg_basebackup from alpha (${aAddress}) into ${copyDir} on ${b.label}`);
    expect(task.details.join('\n')).toContain(`PGPASSFILE=${copyDir}.pgpass`);
    expect(task.details.join('\n')).toContain(`--host ${aAddress} --port ${PRIMARY_PORT}`);
    expect(plan.notes?.join('\n')).toContain("pg_basebackup on beta's machine");

    // Let b replicate from a, as hba-config, user-creation and wal-config make it (the rule hba-config plans).
    const hba = fileActions((await hbaConfig.plan(contextFor(hbaConfig, primary, false))).actions)[0] as { path: string; content: string };
    await a.writeFileAtomic(hba.path, hba.content);
    const conf = `${primaryDir}/postgresql.conf`;
    await a.writeFileAtomic(conf, `${(await a.readFile(conf))!.toString('utf8')}\nlisten_addresses = '127.0.0.1,${aAddress}'\n`);
    await a.run(binaries.path('pg_ctl'), ['-D', primaryDir, '-l', `${primaryDir}.log`, '-w', '-m', 'fast', 'restart'], {
      user: serverUser,
      detached: true,
      purpose: 'pg_ctl restart on a',
    });
    await primary.query(`CREATE ROLE repuser LOGIN REPLICATION PASSWORD '${REPLICATION_PASSWORD}'`);
    await primary.query("SELECT pg_create_physical_replication_slot('beta', true)");
    await b.remove(stale, { recursive: true });

    const sampler = sampleCommandLines([REPLICATION_PASSWORD]);
    try {
      await task.run(new AbortController().signal);
    } finally {
      expect(sampler.stop().hits).toEqual([]);
    }
    expect((await b.readFile(`${copyDir}/PG_VERSION`))?.toString('utf8').trim()).toBe(majorLabel());
    expect(await b.stat(`${copyDir}/backup_label`)).toMatchObject({ kind: 'file' });
    expect(await b.stat(copyDir)).toMatchObject({ kind: 'dir', mode: 0o700, uid: copy.osUser.uid });
    expect((await b.readdir(HOST_DATA_ROOT))?.filter((n) => n.includes('hotstandby-partial'))).toEqual([]);
    expect(existsSync(copyDir)).toBe(false);
    const slot = await primary.queryOne<{ active: boolean; restart_lsn: string | null }>("SELECT active, restart_lsn::text FROM pg_replication_slots WHERE slot_name = 'beta'");
    expect(slot?.restart_lsn).not.toBeNull();
  }, 120_000);

  test("hba-config proves the replication login from the standby's own host once its rule is in place", async () => {
    // The previous test put hba-config's rule on a and made the primary listen at its address.
    const ctx = contextFor(hbaConfig, primary, false);
    const plan = await hbaConfig.plan(ctx);
    expect(plan.actions).toEqual([]);
    const sampler = sampleCommandLines([REPLICATION_PASSWORD]);
    const result = await hbaConfig.apply!(ctx, plan);
    expect(sampler.stop().hits).toEqual([]);
    expect(result).toMatchObject({ summary: 'replication login works' });
  }, 60_000);
});
