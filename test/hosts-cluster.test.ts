// A cluster across hosts, end to end through the CLI: a primary on host a, a standby on b and one on c cascaded
// from b, every host a network namespace with its own sshd, address, /tmp and private data directory. Nothing of
// the cluster exists on the controller but the state directory.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
import { nodeNamed, type StatusJson } from './support/cluster-json.js';
import { createProject, type Project } from './support/project.js';
import { createTestNetwork, HOST_DATA_ROOT, networkHostsUnavailable, type TestNetwork } from './support/network-hosts.js';
import { sampleCommandLines } from './support/processes.js';
import { waitFor } from './support/wait.js';

const unavailable = networkHostsUnavailable();
const PASSWORD = 'hosts-e2e-superuser-secret';
const REPLICATION_PASSWORD = 'hosts-e2e-replication-secret';

describe.skipIf(unavailable !== undefined)('a cluster whose nodes live on other hosts', () => {
  let network: TestNetwork;
  beforeAll(async () => {
    network = await createTestNetwork(['a', 'b', 'c']);
  }, 60_000);
  afterAll(async () => {
    await network?.teardown();
  });

  const ssh = () => network.ssh();
  const config = () => ({
    primary: { name: 'a', port: 5432, host: network.host('a').address, ssh: ssh(), dataDir: `${HOST_DATA_ROOT}/pg/a` },
    standbys: [
      { name: 'b', port: 5432, host: network.host('b').address, ssh: ssh(), dataDir: `${HOST_DATA_ROOT}/pg/b` },
      { name: 'c', port: 5432, host: network.host('c').address, ssh: ssh(), dataDir: `${HOST_DATA_ROOT}/pg/c`, upstream: 'b' },
    ],
    superuser: { password: PASSWORD },
    replication: { password: REPLICATION_PASSWORD },
  });
  const run = async (project: Project, args: string[], timeoutMs = 180_000) => {
    const result = await project.run(args, { timeoutMs });
    return result;
  };
  const status = async (project: Project): Promise<StatusJson> => {
    const result = await run(project, ['status', '--json']);
    return JSON.parse(result.stdout) as StatusJson;
  };

  test('up builds it over SSH; verify, a killed standby, a switchover and a host cut off all work across hosts; down --purge leaves nothing', async () => {
    const project = await createProject();
    await project.writeConfig('hotstandby.config.json', config());
    const sampler = sampleCommandLines([PASSWORD, REPLICATION_PASSWORD]);
    const up = await run(project, ['up'], 300_000);
    expect(up.code, describeRun(up)).toBe(0);
    const verify = await run(project, ['verify']);
    expect(verify.code, describeRun(verify)).toBe(0);
    expect(sampler.stop().hits).toEqual([]);

    const text = await run(project, ['status']);
    const at = (name: string) => `root@${network.host(name).address}`.replace(/\./g, '\\.');
    expect(text.stdout, describeRun(text)).toMatch(new RegExp(`^a\\s+${at('a')}\\s+primary\\s+5432\\s+running\\s`, 'm'));
    // c streams from b (cascaded), which listens on the same port number on another host.
    expect(text.stdout, describeRun(text)).toMatch(new RegExp(`^c\\s+${at('c')}\\s+standby\\s+5432\\s+streaming\\s+yes\\s+b\\s`, 'm'));
    const tree = await run(project, ['status', '--tree']);
    expect(tree.stdout, describeRun(tree)).toMatch(new RegExp(`└── c\\s+standby\\s+:5432\\s+streaming\\s+lag .* on ${at('c')}$`, 'm'));
    const s = await status(project);
    expect(nodeNamed(s, 'a').role).toBe('primary');
    for (const name of ['b', 'c']) expect(nodeNamed(s, name).state, JSON.stringify(s)).toBe('streaming');
    // Each node's files are on its own host only.
    for (const name of ['a', 'b', 'c']) {
      const host = network.host(name);
      expect((await host.ssh(`test -f ${HOST_DATA_ROOT}/pg/${name}/PG_VERSION && echo yes`)).stdout.trim()).toBe('yes');
      expect(existsSync(`${HOST_DATA_ROOT}/pg/${name}`)).toBe(false);
    }
    // The replication rule names each standby's own address, never a subnet.
    const hba = (await network.host('a').ssh(`cat ${HOST_DATA_ROOT}/pg/a/pg_hba.conf`)).stdout;
    expect(hba).toContain(`${network.host('b').address}/32`);
    expect(hba).not.toMatch(/\/24/);

    // A standby killed on its host is seen as down and comes back with start.
    const cPid = (await network.host('c').ssh(`head -1 ${HOST_DATA_ROOT}/pg/c/postmaster.pid`)).stdout.trim();
    expect((await network.host('c').ssh(`kill -KILL ${cPid}`)).code).toBe(0);
    await waitFor(async () => nodeNamed(await status(project), 'c').state !== 'streaming', { what: 'c to be seen down', timeoutMs: 30_000 });
    const start = await run(project, ['start', 'c']);
    expect(start.code, describeRun(start)).toBe(0);
    await waitFor(async () => nodeNamed(await status(project), 'c').state === 'streaming', { what: 'c to stream again', timeoutMs: 60_000 });

    // Switchover to b: a is stopped on its host, b promoted on its own, a rejoins as b's standby; c follows b.
    const switchover = await run(project, ['switchover', 'b'], 300_000);
    expect(switchover.code, describeRun(switchover)).toBe(0);
    const after = await status(project);
    expect(nodeNamed(after, 'b').role, JSON.stringify(after)).toBe('primary');
    for (const name of ['a', 'c']) expect(nodeNamed(after, name).state, JSON.stringify(after)).toBe('streaming');
    const verifyAfter = await run(project, ['verify']);
    expect(verifyAfter.code, describeRun(verifyAfter)).toBe(0);

    // A standby added on a host later, and removed with its data directory there.
    const sshFlags = ['--ssh-user', 'root', '--identity-file', network.identityFile, '--ssh-option', `UserKnownHostsFile=${network.knownHostsFile}`];
    const add = await run(project, ['add-standby', 'd', '--host', network.host('c').address, ...sshFlags, '--data-dir', `${HOST_DATA_ROOT}/pg/d`], 300_000);
    expect(add.code, describeRun(add)).toBe(0);
    const withD = await status(project);
    expect(nodeNamed(withD, 'd').state, JSON.stringify(withD)).toBe('streaming');
    expect(nodeNamed(withD, 'd').port).toBe(5433);
    const remove = await run(project, ['remove-standby', 'd', '--purge']);
    expect(remove.code, describeRun(remove)).toBe(0);
    const leftOnC = (await network.host('c').ssh(`ls -A ${HOST_DATA_ROOT}/pg`)).stdout.split('\n').filter(Boolean);
    expect(leftOnC.filter((f) => f === 'd' || f.startsWith('d.'))).toEqual([]);

    // A host cut off the network is reported by name; what needs it fails fast, the rest still works.
    network.host('c').setReachable(false);
    try {
      const cut = await status(project);
      expect(nodeNamed(cut, 'c').state, JSON.stringify(cut)).toMatch(new RegExp(`^unreachable: .*${network.host('c').address.replace(/\./g, '\\.')}`));
      expect(nodeNamed(cut, 'b').role).toBe('primary');
      expect(nodeNamed(cut, 'a').state).toBe('streaming');
      const verifyCut = await run(project, ['verify']);
      expect(verifyCut.code, describeRun(verifyCut)).not.toBe(0);
      expect(verifyCut.stdout + verifyCut.stderr, describeRun(verifyCut)).toMatch(/\bc\b.*unreachable/);
      const stopC = await run(project, ['stop', 'c']);
      expect(stopC.code, describeRun(stopC)).not.toBe(0);
      expect(stopC.stderr, describeRun(stopC)).toMatch(/cannot reach .* over SSH/);
      expect(stopC.durationMs).toBeLessThan(30_000);
    } finally {
      network.host('c').setReachable(true);
    }

    const down = await run(project, ['down', '--purge']);
    expect(down.code, describeRun(down)).toBe(0);
    for (const name of ['a', 'b', 'c']) {
      const left = await network.host(name).ssh(`ls -A ${HOST_DATA_ROOT}`);
      expect(left.stdout.trim(), `${name} after down --purge`).toBe('');
    }
    // Nothing is kept here either: no file on a host waits for down --restore.
    expect(existsSync(project.path('.hotstandby')), down.stdout).toBe(false);
    // No server (or anything else the tool started) is left running on any host.
    for (const name of ['a', 'b', 'c']) expect(network.host(name).processes(), `processes on ${name}`).toEqual([]);
  }, 600_000);
});

test.runIf(unavailable !== undefined)('the multi-host cluster test is skipped only with a reason', () => {
  expect(unavailable).toMatch(/need/);
});
