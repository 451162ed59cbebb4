// The multi-host test network itself: hosts reachable over SSH with no prompt, each with its own address, name and
// private data directory, reachable from each other, cut off on demand, and gone without a trace after teardown.
import { existsSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { waitFor } from './support/wait.js';
import { createTestNetwork, HOST_DATA_ROOT, networkObjectsNamed, networkHostsUnavailable, sshdProcessesUnder, type TestNetwork } from './support/network-hosts.js';

const unavailable = networkHostsUnavailable();

describe.skipIf(unavailable !== undefined)('the multi-host test network', () => {
  let network: TestNetwork;
  beforeAll(async () => {
    network = await createTestNetwork(['a', 'b', 'c']);
  });
  afterAll(async () => {
    await network?.teardown();
  });

  test('each host answers over SSH with its own name and address, without prompting', async () => {
    for (const host of network.hosts) {
      const result = await host.ssh('hostname; ip -4 -o addr show dev eth0');
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(host.name);
      expect(result.stdout).toContain(`${host.address}/24`);
      expect(host.address).toMatch(/^198\.18\.\d+\.\d+$/);
    }
  });

  test('a file written on one host (under its data root or in its /tmp) is invisible to the controller and to the other hosts', async () => {
    const b = network.host('b');
    expect((await b.ssh(`echo only-on-b > ${HOST_DATA_ROOT}/marker`)).code).toBe(0);
    expect(existsSync(`${HOST_DATA_ROOT}/marker`)).toBe(false);
    expect((await network.host('c').ssh(`test -e ${HOST_DATA_ROOT}/marker`)).code).not.toBe(0);
    expect((await b.ssh(`cat ${HOST_DATA_ROOT}/marker`)).stdout.trim()).toBe('only-on-b');
    expect(readdirSync(b.backingDir)).toEqual(['marker']);
    // /tmp too is the host's own: servers' sockets and lock files of two hosts never meet.
    expect((await b.ssh('touch /tmp/only-on-b && ls /tmp')).stdout.trim()).toBe('only-on-b');
    expect(existsSync('/tmp/only-on-b')).toBe(false);
  });

  test('hosts reach each other on the test network, and a host cut off is unreachable until it is back', async () => {
    const a = network.host('a');
    const c = network.host('c');
    const probe = `timeout 3 bash -c 'exec 3<>/dev/tcp/${c.address}/22' && echo open`;
    expect((await a.ssh(probe)).stdout).toContain('open');
    c.setReachable(false);
    try {
      const cut = await c.ssh('true');
      expect(cut.code).not.toBe(0);
      expect(cut.stderr).toMatch(/timed out|No route|unreachable/i);
    } finally {
      c.setReachable(true);
    }
    expect((await c.ssh('true')).code).toBe(0);
  });

  test('lists the processes running on a host besides its sshd, and only that host', async () => {
    const b = network.host('b');
    expect(b.processes()).toEqual([]);
    const started = await b.ssh('setsid sleep 300 </dev/null >/dev/null 2>&1 & echo $!');
    expect(started.code).toBe(0);
    await waitFor(() => b.processes().some((p) => p === 'sleep 300'), { what: 'sleep on b', timeoutMs: 10_000 });
    expect(network.host('c').processes()).toEqual([]);
    // The hosts share this machine's process table: end exactly the one started.
    expect((await b.ssh(`kill ${started.stdout.trim()}`)).code).toBe(0);
  });

  test('teardown removes the namespaces, links, sshd processes and files', async () => {
    const other = await createTestNetwork(['x']);
    try {
      expect(networkObjectsNamed(other.prefix).length).toBeGreaterThanOrEqual(3);
      expect(sshdProcessesUnder(other.root).length).toBeGreaterThan(0);
    } finally {
      await other.teardown();
    }
    expect(sshdProcessesUnder(other.root)).toEqual([]);
    expect(networkObjectsNamed(other.prefix)).toEqual([]);
    expect(existsSync(other.root)).toBe(false);
  });
});

test.runIf(unavailable !== undefined)('multi-host tests are skipped only with a reason', () => {
  expect(unavailable).toMatch(/need/);
});
