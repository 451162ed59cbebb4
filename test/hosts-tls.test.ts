// TLS for replication between hosts, with real hosts and a real PostgreSQL 15: the tool's CA and a server certificate
// made with openssl here are put beside the data directory on the server's host (key 0600, owned by postgres), the
// server runs with ssl on and a hostssl rule, and a client on another host connects with verify-full against the CA on
// its own host; a certificate for another name fails verify-full; the CA key never reaches a host or a command line.
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeTempDir, removeTempDir, testBinaries } from '@hotstandby/testing';
import type { ClusterSpec, NodeSpec } from '../packages/core/src/config/cluster-spec.js';
import { resolveConfig } from '../packages/core/src/config/resolve-config.js';
import type { Action, WriteFileAction } from '../packages/core/src/executor/action.js';
import { Executor } from '../packages/core/src/executor/executor.js';
import { MachinePool } from '../packages/core/src/hosts/machine-pool.js';
import type { Machine } from '../packages/core/src/hosts/machine.js';
import { resolveServerUser, type ServerUser } from '../packages/core/src/postgres/os-user.js';
import { PgNode } from '../packages/core/src/postgres/pg-node.js';
import { buildConninfo } from '../packages/core/src/postgres/quoting.js';
import { stateLayout } from '../packages/core/src/state/state-layout.js';
import { StateStore } from '../packages/core/src/state/state-store.js';
import { issueServerCertificate } from '../packages/core/src/tls/openssl-certificates.js';
import { replicationHbaType, tlsConninfoParams, tlsFiles, tlsServerSettings } from '../packages/core/src/tls/tls-decisions.js';
import { authorityFiles, ensureTlsMaterial } from '../packages/core/src/tls/tls-material-plan.js';
import { createTestNetwork, HOST_DATA_ROOT, networkHostsUnavailable, type TestNetwork } from './support/network-hosts.js';
import { sampleCommandLines } from './support/processes.js';

const unavailable = networkHostsUnavailable();
const BIN = '/usr/lib/postgresql/15/bin';
const PORT = 5432;

describe.skipIf(unavailable !== undefined)('TLS for replication between hosts', () => {
  let network: TestNetwork;
  let pool: MachinePool;
  let db1: Machine;
  let db2: Machine;
  let user1: ServerUser;
  let user2: ServerUser;
  let dir: string;
  let spec: ClusterSpec;
  let primary: NodeSpec;
  let standby: NodeSpec;
  let executor: Executor;
  let started = false;

  beforeAll(async () => {
    network = await createTestNetwork(['db1', 'db2']);
    pool = new MachinePool();
    const reach = (name: string) => pool.machineOf(network.target(name));
    [db1, db2] = await Promise.all([reach('db1'), reach('db2')]);
    [user1, user2] = await Promise.all([db1.serverUser(undefined), db2.serverUser(undefined)]);
    dir = await makeTempDir('hotstandby-hosts-tls-');
    spec = resolveConfig(
      {
        stateDir: path.join(dir, 'state'),
        primary: { name: 'a', host: network.host('db1').address, dataDir: `${HOST_DATA_ROOT}/a`, port: PORT },
        standbys: [{ name: 'b', host: network.host('db2').address, dataDir: `${HOST_DATA_ROOT}/b`, port: PORT + 1 }],
      },
      { kind: 'inline', dir },
    );
    primary = spec.primary;
    standby = spec.standbys[0]!;
    const binaries = await testBinaries();
    const common = { binaries, superuser: { name: 'postgres' } };
    const nodes: Record<string, PgNode> = {
      a: new PgNode({ ...common, name: 'a', role: 'primary', port: PORT, dataDir: primary.dataDir, osUser: user1, logFile: `${primary.dataDir}.log`, machine: db1 }),
      b: new PgNode({ ...common, name: 'b', role: 'standby', port: PORT + 1, dataDir: standby.dataDir, osUser: user2, logFile: `${standby.dataDir}.log`, machine: db2 }),
    };
    const layout = stateLayout(spec.stateDir);
    await mkdir(layout.root, { recursive: true });
    executor = new Executor({ node: (name) => nodes[name]!, serverUser: await resolveServerUser(undefined), state: new StateStore(layout.stateFile), layout });
  });
  afterAll(async () => {
    if (started) await db1?.runAllowFailure(`${BIN}/pg_ctl`, ['-D', primary.dataDir, '-m', 'immediate', 'stop'], { user: user1 });
    await pool?.close();
    await network?.teardown();
    if (dir) await removeTempDir(dir);
  });

  // psql on db2 as postgres, connecting to the primary on db1 at its address with these extra parameters.
  const connectFromDb2 = (params: Record<string, string>) =>
    db2.runAllowFailure(
      `${BIN}/psql`,
      [
        buildConninfo({ host: primary.host!.host, port: PORT, user: 'postgres', dbname: 'postgres', connect_timeout: 10, ...params }),
        '-Atc',
        'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
      ],
      { user: user2 },
    );
  const reloadPrimary = () => db1.run(`${BIN}/pg_ctl`, ['-D', primary.dataDir, 'reload'], { user: user1 });

  test('puts a CA and a certificate per server beside each data directory, keys 0600 owned by postgres, the CA key only here', async () => {
    const sampler = sampleCommandLines(['PRIVATE KEY', 'MIGHAgEAMBMGByqGSM49']);
    const forA = await ensureTlsMaterial(spec, primary, db1);
    const forB = await ensureTlsMaterial(spec, standby, db2);
    const ca = authorityFiles(spec.stateDir);
    // The CA is made once for the run and kept here; each node's files go to its host, the key as a secret.
    const caKey = forA.find((a): a is WriteFileAction => a.kind === 'write-file' && a.path === ca.key)!;
    expect(caKey).toMatchObject({ secret: true, mode: 0o600, owner: 'invoker' });
    expect(caKey).not.toHaveProperty('node');
    const caCertOf = (actions: Action[]) => actions.find((a): a is WriteFileAction => a.kind === 'write-file' && a.path === ca.cert)!.content;
    expect(caCertOf(forB)).toBe(caCertOf(forA));
    const keyA = forA.find((a): a is WriteFileAction => a.kind === 'write-file' && a.path === tlsFiles(primary.dataDir).key)!;
    expect(keyA).toMatchObject({ node: 'a', secret: true, mode: 0o600, owner: 'server' });
    expect((await executor.describe(keyA)).join('\n')).not.toContain('PRIVATE KEY');

    await executor.applyAll([...forA, ...forB]);
    expect(sampler.stop().hits).toEqual([]);
    expect((await stat(ca.key)).mode & 0o777).toBe(0o600);
    for (const [machine, node, user] of [
      [db1, primary, user1],
      [db2, standby, user2],
    ] as const) {
      const files = tlsFiles(node.dataDir);
      expect(await machine.stat(files.dir)).toMatchObject({ kind: 'dir', mode: 0o700, uid: user.uid });
      expect(await machine.stat(files.key)).toMatchObject({ kind: 'file', mode: 0o600, uid: user.uid, gid: user.gid });
      expect(await machine.stat(files.cert)).toMatchObject({ kind: 'file', uid: user.uid });
      // Nothing on the host holds the CA's key.
      const found = (await machine.run('find', [HOST_DATA_ROOT, '-type', 'f'])).stdout.trim().split('\n');
      expect(found.sort()).toEqual([files.ca, files.cert, files.key].sort());
      for (const file of found) expect((await machine.readFile(file))!.toString('utf8')).not.toBe(caKey.content);
      expect((await machine.readFile(files.key))!.toString('utf8')).not.toContain(caKey.content.split('\n')[1]);
    }
    // The files there fit: a second plan changes nothing.
    expect(await ensureTlsMaterial(spec, primary, db1)).toEqual([]);
    expect(await ensureTlsMaterial(spec, standby, db2)).toEqual([]);
  });

  test('a server on one host with ssl on and a hostssl rule takes verify-full connections from another host, and only encrypted ones', async () => {
    const user = user1;
    await db1.mkdir(primary.dataDir, { mode: 0o700, uid: user.uid, gid: user.gid });
    await db1.run(`${BIN}/initdb`, ['-D', primary.dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync'], { user, purpose: 'initdb on db1' });
    const type = replicationHbaType(spec, primary, standby);
    expect(type).toBe('hostssl');
    await db1.writeFileAtomic(`${primary.dataDir}/pg_hba.conf`, `local all all trust\n${type} all postgres ${network.host('db2').address}/32 trust\n`);
    const settings: Record<string, string> = {
      port: String(PORT),
      listen_addresses: `127.0.0.1,${primary.host!.host}`,
      unix_socket_directories: '/tmp',
      ...tlsServerSettings(spec, primary),
    };
    expect(settings.ssl).toBe('on');
    await db1.writeFileAtomic(
      `${primary.dataDir}/postgresql.auto.conf`,
      Object.entries(settings)
        .map(([k, v]) => `${k} = '${v}'\n`)
        .join(''),
    );
    await db1.writeFileAtomic(`${primary.dataDir}.log`, '', { mode: 0o600, uid: user.uid, gid: user.gid });
    const start = await db1.runAllowFailure(`${BIN}/pg_ctl`, ['-D', primary.dataDir, '-l', `${primary.dataDir}.log`, '-w', 'start'], { user, detached: true });
    expect(start.exitCode, (await db1.readFile(`${primary.dataDir}.log`))?.toString('utf8')).toBe(0);
    started = true;

    const params = tlsConninfoParams(spec, standby, primary);
    expect(params).toEqual({ sslmode: 'verify-full', sslrootcert: tlsFiles(standby.dataDir).ca });
    const verified = await connectFromDb2(params);
    expect(verified.exitCode, verified.stderr).toBe(0);
    expect(verified.stdout.trim()).toBe('t');
    const plain = await connectFromDb2({ sslmode: 'disable' });
    expect(plain.exitCode).not.toBe(0);
    expect(plain.stderr).toMatch(/no pg_hba\.conf entry .*no encryption/);
  });

  test('a certificate for another name fails verify-full, and the next plan puts a fitting one back', async () => {
    const files = tlsFiles(primary.dataDir);
    const ca = authorityFiles(spec.stateDir);
    const wrong = await issueServerCertificate({ cert: (await db1.readFile(files.ca))!.toString('utf8'), keyFile: ca.key }, ['other.example.com']);
    await db1.writeFileAtomic(files.key, wrong.key);
    await db1.writeFileAtomic(files.cert, wrong.cert);
    await reloadPrimary();
    const params = tlsConninfoParams(spec, standby, primary);
    const refused = await connectFromDb2(params);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toMatch(/server certificate for "other\.example\.com".* does not match host name/);

    const repair = await ensureTlsMaterial(spec, primary, db1);
    expect(repair.map((a) => (a.kind === 'write-file' ? a.path : a.kind))).toEqual([files.key, files.cert]);
    await executor.applyAll(repair);
    expect(await db1.stat(files.key)).toMatchObject({ mode: 0o600, uid: user1.uid });
    await reloadPrimary();
    const verified = await connectFromDb2(params);
    expect(verified.exitCode, verified.stderr).toBe(0);
    expect(verified.stdout.trim()).toBe('t');
  });
});
