// What doctor, status and scripts do for nodes on other hosts: each host looked at there (SSH, PostgreSQL, the
// server account, data directories, ports, clock), a host that cannot be reached named with the ssh to try while
// the other nodes are still reported, and each host's scripts (and systemd units) written on that host.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BUILTIN_PLUGINS } from '../packages/builtin-steps/src/index.js';
import { createTestPrimary, freePort, makeTempDir, removeTempDir, testBinaries } from '@hotstandby/testing';
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { Cluster } from '../packages/core/src/cluster/cluster.js';
import { ClusterRuntime } from '../packages/core/src/cluster/cluster-runtime.js';
import { collectStatus } from '../packages/core/src/cluster/cluster-status.js';
import { connectionEnv } from '../packages/core/src/cluster/connection-env.js';
import { runDoctor } from '../packages/core/src/cluster/doctor.js';
import { configFromObject } from '../packages/core/src/config/resolve-config.js';
import type { ClusterSpec } from '../packages/core/src/config/cluster-spec.js';
import { createTestNetwork, HOST_DATA_ROOT, networkHostsUnavailable, type TestNetwork } from './support/network-hosts.js';

const unavailable = networkHostsUnavailable();

describe.skipIf(unavailable !== undefined)('reports about nodes on other hosts', () => {
  let network: TestNetwork;
  let dir: string;
  let spec: ClusterSpec;
  let portB: number;
  beforeAll(async () => {
    network = await createTestNetwork(['b', 'c']);
    dir = await makeTempDir('hotstandby-hosts-reports-');
    const binaries = await testBinaries();
    const ssh = network.ssh();
    portB = await freePort();
    spec = configFromObject(
      {
        stateDir: path.join(dir, 'state'),
        postgres: { binDir: binaries.binDir },
        superuser: { password: 'super-secret-pw' },
        primary: { name: 'a', port: await freePort(), dataDir: path.join(dir, 'a') },
        standbys: [
          { name: 'b', port: portB, dataDir: `${HOST_DATA_ROOT}/pg/b`, host: network.host('b').address, ssh },
          { name: 'c', port: await freePort(), dataDir: `${HOST_DATA_ROOT}/pg/c`, host: network.host('c').address, ssh, upstream: 'b' },
        ],
        replication: { user: 'repuser', password: 'rep-secret-pw' },
      },
      dir,
    );
  });
  afterAll(async () => {
    network?.host('c').setReachable(true);
    await network?.teardown();
    if (dir) await removeTempDir(dir);
  });

  test('doctor looks at each host there: SSH, PostgreSQL of the major, the account, data directories, ports and clock', async () => {
    const b = network.host('b');
    // Something else holds b's port on b only, and c's data directory there cannot be entered by the server account.
    const holder = await b.ssh(
      `nohup python3 -c "import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('0.0.0.0', ${portB})); s.listen(); time.sleep(600)" >/dev/null 2>&1 & echo $!`,
    );
    const c = network.host('c');
    await c.ssh(`mkdir -p ${HOST_DATA_ROOT}/pg && chmod 700 ${HOST_DATA_ROOT}/pg`);
    try {
      await expect.poll(async () => (await b.ssh(`ss -H -l -t -n 'sport = :${portB}'`)).stdout.trim() !== '').toBe(true);
      const report = await runDoctor(spec);
      expect(report.hosts.map((h) => h.host).sort()).toEqual([`root@${b.address}`, `root@${c.address}`]);
      const onB = report.hosts.find((h) => h.address === b.address)!;
      expect(onB).toMatchObject({ reachable: true, serverUser: 'postgres', postgres: { binDir: '/usr/lib/postgresql/15/bin' } });
      expect(Math.abs(onB.clockSkewSeconds!)).toBeLessThan(1);
      expect(onB.nodes).toEqual([{ name: 'b', dataDir: `${HOST_DATA_ROOT}/pg/b`, dataDirState: 'absent', access: 'creatable', port: portB, portState: 'taken' }]);
      const onC = report.hosts.find((h) => h.address === c.address)!;
      expect(onC.nodes[0]).toMatchObject({ name: 'c', dataDirState: 'absent', access: 'blocked', blockedAt: `${HOST_DATA_ROOT}/pg`, portState: 'free' });
      const line = (check: string) => report.checks.find((x) => x.check === check);
      expect(line(`b on root@${b.address}: port ${portB}`)).toMatchObject({ status: 'fix', host: `root@${b.address}` });
      expect(line(`c on root@${c.address}: data directory`)).toMatchObject({ status: 'fix', detail: expect.stringContaining(`postgres cannot reach ${HOST_DATA_ROOT}/pg`) });
      expect(line(`host root@${c.address}: clock`)?.status).toBe('ok');
      expect(report.ok).toBe(false);
    } finally {
      await b.ssh(`kill ${holder.stdout.trim()}`);
      await c.ssh(`rm -rf ${HOST_DATA_ROOT}/pg`);
    }
  });

  test('doctor names a host that does not answer, with the ssh command to try, and still reports the others', async () => {
    const c = network.host('c');
    c.setReachable(false);
    try {
      const started = Date.now();
      const report = await runDoctor(spec);
      expect(Date.now() - started).toBeLessThan(20_000);
      const onC = report.hosts.find((h) => h.address === c.address)!;
      expect(onC).toMatchObject({ reachable: false, postgres: null, serverUser: null, clockSkewSeconds: null });
      expect(onC.fix).toContain(`ssh -o BatchMode=yes -i ${network.identityFile} root@${c.address} true`);
      const line = report.checks.find((x) => x.check === `host root@${c.address}`)!;
      expect(line).toMatchObject({ status: 'fix', host: `root@${c.address}` });
      expect(line.detail).toMatch(new RegExp(`cannot reach root@${c.address.replace(/\./g, '\\.')} over SSH: .*\\(nodes c live there\\)`));
      expect(report.hosts.find((h) => h.address === network.host('b').address)).toMatchObject({ reachable: true, serverUser: 'postgres' });
      expect(report.ok).toBe(false);
    } finally {
      c.setReachable(true);
    }
  });

  test('doctor with the primary on a host that does not answer says so once, on the line of that host, and still looks at the others', async () => {
    const c = network.host('c');
    const [b, cNode] = spec.standbys;
    const primaryOnC = configFromObject(
      {
        stateDir: path.join(dir, 'state-c'),
        superuser: { password: 'super-secret-pw' },
        primary: {
          name: 'c',
          port: cNode!.port,
          dataDir: cNode!.dataDir,
          host: c.address,
          ssh: { user: 'root', identityFile: network.identityFile, options: cNode!.host!.options },
        },
        standbys: [{ name: 'b', port: b!.port, dataDir: b!.dataDir, host: b!.host!.host, ssh: { user: 'root', identityFile: network.identityFile, options: b!.host!.options } }],
        replication: { user: 'repuser', password: 'rep-secret-pw' },
      },
      dir,
    );
    c.setReachable(false);
    try {
      const report = await runDoctor(primaryOnC);
      const aboutC = report.checks.filter((x) => x.detail.includes(`root@${c.address}`));
      expect(aboutC).toHaveLength(1);
      expect(aboutC[0]).toMatchObject({ check: `host root@${c.address}`, status: 'fix', host: `root@${c.address}` });
      expect(report.hosts.find((h) => h.host === `root@${network.host('b').address}`)).toMatchObject({ reachable: true, serverUser: 'postgres' });
      expect(report.ok).toBe(false);
    } finally {
      c.setReachable(true);
    }
  });

  test('status reports a node whose host does not answer as unreachable by name, and the other nodes as they are', async () => {
    const c = network.host('c');
    c.setReachable(false);
    try {
      const started = Date.now();
      const rt = await ClusterRuntime.open(spec, { purpose: 'inspect' });
      try {
        const status = await collectStatus(rt);
        expect(Date.now() - started).toBeLessThan(15_000);
        const nodeC = status.nodes.find((n) => n.name === 'c')!;
        expect(nodeC).toMatchObject({ host: `root@${c.address}`, hostReachable: false, running: false, pid: null, upstream: 'b' });
        expect(nodeC.state).toMatch(new RegExp(`^unreachable: root@${c.address.replace(/\./g, '\\.')}: `));
        expect(nodeC.warnings[0]).toContain(`ssh -o BatchMode=yes -i ${network.identityFile} root@${c.address} true`);
        expect(status.nodes.find((n) => n.name === 'b')).toMatchObject({
          host: `root@${network.host('b').address}`,
          hostReachable: true,
          url: `postgresql://postgres@${network.host('b').address}:${portB}/postgres`,
        });
        expect(status.nodes.find((n) => n.name === 'a')).toMatchObject({ host: null, hostReachable: true, state: 'not created' });
        // env still works with a host down, and names each node by the address it is reached at.
        const env = connectionEnv(rt);
        expect(env.nodes.map((n) => n.host)).toEqual(['127.0.0.1', network.host('b').address, c.address]);
        expect(env.notes[0]).toContain('only through SSH');
      } finally {
        await rt.close();
      }
    } finally {
      c.setReachable(true);
    }
  });

  test('scripts are written on the host of each node, with a systemd unit per node where systemd runs there, and they work there', async () => {
    const b = network.host('b');
    const c = network.host('c');
    // systemd "runs" on b only: a /run/systemd/system in b's own mount namespace.
    expect((await b.ssh('mount -t tmpfs hotstandby-test-systemd /run/systemd && mkdir /run/systemd/system')).code).toBe(0);
    expect(existsSync('/run/systemd/system')).toBe(false);
    const out = path.join(dir, 'scripts');
    const scriptsDir = `${HOST_DATA_ROOT}/pg/hotstandby-scripts`;
    // The state directory exists once up has run.
    await mkdir(path.join(dir, 'state'), { recursive: true });
    try {
      const files = await new Cluster(spec, { plugins: [] }).scripts(out);
      const there = (host: string, names: string[]) => names.map((n) => `root@${host}:${scriptsDir}/${n}`);
      expect(files).toEqual([
        ...['start-a.sh', 'stop-a.sh', 'start-a.cmd', 'stop-a.cmd', 'start-all.sh', 'stop-all.sh', 'start-all.cmd', 'stop-all.cmd'].map((n) => path.join(out, n)),
        ...there(b.address, ['start-b.sh', 'stop-b.sh', 'start-all.sh', 'stop-all.sh', 'hotstandby-b.service']),
        ...there(c.address, ['start-c.sh', 'stop-c.sh', 'start-all.sh', 'stop-all.sh']),
      ]);
      expect((await readdir(out)).sort()).toEqual(['start-a.cmd', 'start-a.sh', 'start-all.cmd', 'start-all.sh', 'stop-a.cmd', 'stop-a.sh', 'stop-all.cmd', 'stop-all.sh']);
      expect(existsSync(scriptsDir)).toBe(false);
      const unit = (await b.ssh(`cat ${scriptsDir}/hotstandby-b.service`)).stdout;
      expect(unit).toContain('User=postgres');
      expect(unit).toContain(`ExecStart=/usr/lib/postgresql/15/bin/pg_ctl start -D ${HOST_DATA_ROOT}/pg/b -l ${HOST_DATA_ROOT}/pg/b.log -w -t 300`);
      expect((await b.ssh(`stat -c %a ${scriptsDir}/start-b.sh ${scriptsDir}/hotstandby-b.service`)).stdout.split('\n').slice(0, 2)).toEqual(['755', '644']);
      expect((await c.ssh(`ls ${scriptsDir}`)).stdout.split('\n').filter(Boolean).sort()).toEqual(['start-all.sh', 'start-c.sh', 'stop-all.sh', 'stop-c.sh']);
      // Run again: every file is as wanted, nothing is written.
      const again = await new Cluster(spec, { plugins: [] }).describePlan('scripts', { args: [out] });
      expect(again.steps.flatMap((step) => step.actions)).toEqual([]);
      // A directory given for the hosts is used on every host instead.
      const hostDir = `${HOST_DATA_ROOT}/ops scripts`;
      const elsewhere = await new Cluster(spec, { plugins: [] }).scripts(out, { hostDir });
      expect(elsewhere).toContain(`root@${c.address}:${hostDir}/start-c.sh`);
      expect((await b.ssh(`ls '${hostDir}'`)).stdout.split('\n').filter(Boolean).sort()).toEqual([
        'hotstandby-b.service',
        'start-all.sh',
        'start-b.sh',
        'stop-all.sh',
        'stop-b.sh',
      ]);

      // The scripts start and stop b's server on b (run as root there, they switch to the server account).
      const data = `${HOST_DATA_ROOT}/pg/b`;
      const made = await b.ssh(
        `cd / && install -d -o postgres -m 700 ${data} && install -o postgres -m 600 /dev/null ${data}.log && runuser -u postgres -- /usr/lib/postgresql/15/bin/initdb -D ${data} -A trust >/dev/null && echo "port = ${portB}" >> ${data}/postgresql.conf`,
      );
      expect(made).toMatchObject({ code: 0, stderr: '' });
      const started = await b.ssh(`cd / && ${scriptsDir}/start-all.sh && runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl status -D ${data}`);
      expect(started.stdout).toContain('server is running');
      const stopped = await b.ssh(`cd / && ${scriptsDir}/stop-b.sh; runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl status -D ${data}`);
      expect(stopped.stdout).toContain('no server running');
    } finally {
      await b.ssh(`umount /run/systemd; rm -rf ${HOST_DATA_ROOT}/pg '${HOST_DATA_ROOT}/ops scripts'`);
      await c.ssh(`rm -rf ${HOST_DATA_ROOT}/pg '${HOST_DATA_ROOT}/ops scripts'`);
    }
  });

  test('scripts with a host that does not answer fail at once naming it, and write nothing anywhere', async () => {
    const c = network.host('c');
    const out = path.join(dir, 'scripts-unreachable');
    await mkdir(path.join(dir, 'state'), { recursive: true });
    c.setReachable(false);
    try {
      const started = Date.now();
      const error = await new Cluster(spec, { plugins: [] }).scripts(out).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(error).toMatchObject({ code: 'HOST_UNREACHABLE', message: expect.stringContaining(`root@${c.address}`) });
      expect(existsSync(out)).toBe(false);
      expect((await network.host('b').ssh(`ls ${HOST_DATA_ROOT}`)).stdout).not.toContain('pg');
    } finally {
      c.setReachable(true);
    }
  });

  test('verify fails naming a standby whose host does not answer, and still checks the others', async () => {
    const primary = await createTestPrimary();
    const c = network.host('c');
    try {
      const withPrimary = configFromObject(
        {
          stateDir: path.join(primary.dir, 'state'),
          postgres: { binDir: primary.binaries.binDir },
          superuser: { password: primary.superuserPassword },
          primary: { name: 'a', port: primary.port, dataDir: primary.dataDir },
          standbys: spec.standbys.map((s) => ({
            name: s.name,
            port: s.port,
            dataDir: s.dataDir,
            host: s.host!.host,
            ssh: { user: 'root', identityFile: network.identityFile, options: s.host!.options },
            upstream: s.upstream,
          })),
          replication: { user: 'repuser', password: 'rep-secret-pw' },
          steps: { verify: { timeoutSeconds: 5 } },
        },
        primary.dir,
      );
      await mkdir(path.join(primary.dir, 'state'), { recursive: true });
      c.setReachable(false);
      const started = Date.now();
      const error = await new Cluster(withPrimary, { plugins: BUILTIN_PLUGINS })
        .verify({ renderer: 'silent' })
        .catch((e: unknown) => e as { code: string; data: { standbys: { name: string; checks: { name: string; ok: boolean; detail: string }[] }[] } });
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(error).toMatchObject({ code: 'VERIFY_FAILED' });
      const report = (error as { data: { standbys: { name: string; checks: { name: string; ok: boolean; detail: string }[] }[] } }).data;
      expect(report.standbys.find((s) => s.name === 'c')!.checks[0]).toMatchObject({
        name: 'running',
        ok: false,
        detail: expect.stringMatching(new RegExp(`^unreachable: root@${c.address.replace(/\./g, '\\.')}: `)),
      });
      expect(report.standbys.find((s) => s.name === 'b')!.checks[0]).toMatchObject({ name: 'running', ok: false, detail: 'b is not running (start it with hotstandby up)' });
    } finally {
      c.setReachable(true);
      await primary.cleanup();
    }
  });
});
