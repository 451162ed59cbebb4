// A node's `host` that is an alias known only to the ssh client's config (Host db-b / HostName <address>): hotstandby
// connects with the alias, and gives the other hosts the address ssh resolves it to (pg_hba, primary_conninfo,
// listen_addresses, TLS names), since the alias itself resolves nowhere.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
import { createProject } from './support/project.js';
import { createTestNetwork, HOST_DATA_ROOT, networkHostsUnavailable, type TestNetwork } from './support/network-hosts.js';

const unavailable = networkHostsUnavailable();

describe.skipIf(unavailable !== undefined)('nodes whose host is an ssh alias', () => {
  let network: TestNetwork;
  // Environment of the CLI: an `ssh` first on PATH that reads the test's ssh config file (ssh takes ~/.ssh/config
  // from the account's home directory, not from HOME, so a config of its own comes in with -F).
  let env: Record<string, string>;
  beforeAll(async () => {
    network = await createTestNetwork(['a', 'b']);
    const dir = path.join(network.root, 'ssh-alias');
    await mkdir(path.join(dir, 'bin'), { recursive: true });
    const config = path.join(dir, 'ssh_config');
    await writeFile(config, ['a', 'b'].map((name) => `Host db-${name}\n  HostName ${network.host(name).address}\n`).join(''), { mode: 0o644 });
    const wrapper = path.join(dir, 'bin', 'ssh');
    await writeFile(wrapper, `#!/bin/sh\nexec /usr/bin/ssh -F ${config} "$@"\n`);
    await chmod(wrapper, 0o755);
    env = { PATH: `${path.join(dir, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}` };
  }, 60_000);
  afterAll(async () => {
    await network?.teardown();
  });

  test('up and verify work, and pg_hba and primary_conninfo name the real addresses', async () => {
    const a = network.host('a').address;
    const b = network.host('b').address;
    // The aliases resolve on no host: only ssh knows them.
    expect((await network.host('a').ssh('getent ahosts db-b')).code).not.toBe(0);
    const project = await createProject();
    await project.writeConfig('hotstandby.config.json', {
      primary: { name: 'p', port: 5432, host: 'db-a', ssh: network.ssh(), dataDir: `${HOST_DATA_ROOT}/pg/p` },
      standbys: [{ name: 's', port: 5432, host: 'db-b', ssh: network.ssh(), dataDir: `${HOST_DATA_ROOT}/pg/s` }],
      superuser: { password: 'alias-superuser-secret' },
      replication: { password: 'alias-replication-secret' },
    });
    const up = await project.run(['up'], { env, timeoutMs: 300_000 });
    expect(up.code, describeRun(up)).toBe(0);
    const verify = await project.run(['verify'], { env });
    expect(verify.code, describeRun(verify)).toBe(0);
    const status = await project.run(['status'], { env });
    expect(status.stdout, describeRun(status)).toMatch(/^s\s+root@db-b\s+standby\s+5432\s+streaming\s/m);

    const hba = (await network.host('a').ssh(`cat ${HOST_DATA_ROOT}/pg/p/pg_hba.conf`)).stdout;
    expect(hba).toContain(`${b}/32`);
    expect(hba).not.toContain('db-b');
    const auto = (await network.host('b').ssh(`cat ${HOST_DATA_ROOT}/pg/s/postgresql.auto.conf`)).stdout;
    expect(auto).toMatch(new RegExp(`^primary_conninfo = '.*\\bhost=${a.replace(/\./g, '\\.')}\\b`, 'm'));
    expect(auto).not.toContain('db-a');

    const down = await project.run(['down', '--purge'], { env });
    expect(down.code, describeRun(down)).toBe(0);
    for (const name of ['a', 'b']) expect((await network.host(name).ssh(`ls -A ${HOST_DATA_ROOT}`)).stdout.trim(), name).toBe('');
  }, 600_000);
});

test.runIf(unavailable !== undefined)('the ssh alias test is skipped only with a reason', () => {
  expect(unavailable).toMatch(/need/);
});
