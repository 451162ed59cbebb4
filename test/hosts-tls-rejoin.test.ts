// A former primary on another host than the new primary rejoins with pg_rewind, whose connection to the new primary
// (its source server) is encrypted and verified like replication: sslmode=verify-full against the CA on the former
// primary's own host. hotstandby lets the superuser in from the former primary's address alone, over TLS, for the
// rewind only: the new primary's log shows the rewind's connection arrived encrypted through that rule, and its
// pg_hba.conf holds no such rule afterwards.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testBinaries } from '@hotstandby/testing';
import { MachinePool } from '../packages/core/src/hosts/machine-pool.js';
import { PgNode } from '../packages/core/src/postgres/pg-node.js';
import { describeRun } from './support/cli.js';
import { nodeNamed, type StatusJson } from './support/cluster-json.js';
import { createProject } from './support/project.js';
import { createTestNetwork, HOST_DATA_ROOT, networkHostsUnavailable, type TestNetwork } from './support/network-hosts.js';
import { sampleCommandLines } from './support/processes.js';
import { waitFor } from './support/wait.js';

const unavailable = networkHostsUnavailable();
const PASSWORD = 'hosts-tls-rejoin-superuser-secret';
const REPLICATION_PASSWORD = 'hosts-tls-rejoin-replication-secret';

describe.skipIf(unavailable !== undefined)('a former primary rejoining across hosts over TLS', () => {
  let network: TestNetwork;
  const pool = new MachinePool();
  beforeAll(async () => {
    network = await createTestNetwork(['a', 'b']);
  }, 60_000);
  afterAll(async () => {
    await pool.close();
    await network?.teardown();
  });

  const ssh = () => network.ssh();
  const dataDir = (name: string) => `${HOST_DATA_ROOT}/pg/${name}`;
  const onHost = async (hostName: string, command: string) => {
    const result = await network.host(hostName).ssh(command);
    expect(result.code, `${command} on ${hostName}: ${result.stderr}`).toBe(0);
    return result.stdout;
  };

  test("pg_rewind's connection to the new primary on another host is verified TLS", async () => {
    const project = await createProject();
    await project.writeConfig('hotstandby.config.json', {
      primary: { name: 'a', port: 5432, host: network.host('a').address, ssh: ssh(), dataDir: dataDir('a') },
      standbys: [{ name: 'b', port: 5432, host: network.host('b').address, ssh: ssh(), dataDir: dataDir('b') }],
      superuser: { password: PASSWORD },
      replication: { password: REPLICATION_PASSWORD },
    });
    const sampler = sampleCommandLines([PASSWORD, REPLICATION_PASSWORD, 'PRIVATE KEY']);
    const up = await project.run(['up'], { timeoutMs: 300_000 });
    expect(up.code, describeRun(up)).toBe(0);
    // Every node of a cluster across hosts listens on its host address from the start: promote restarts nothing.
    const promote = await project.run(['promote', 'b', '--force', '--plain'], { timeoutMs: 180_000 });
    expect(promote.code, describeRun(promote)).toBe(0);

    // a started by hand on its host as a second primary: its shutdown will lie past b's fork, so rejoin rewinds it.
    const bin = (await testBinaries()).binDir;
    await onHost('a', `cd / && runuser -u postgres -- ${bin}/pg_ctl -D ${dataDir('a')} -l /tmp/a-by-hand.log -w -t 60 start >/dev/null`);

    // b logs every connection; its pg_hba.conf lets the superuser in from nowhere but loopback.
    const aAddress = network.host('a').address;
    const hba = `${dataDir('b')}/pg_hba.conf`;
    const hbaBefore = await onHost('b', `cat ${hba}`);
    expect(hbaBefore).not.toContain(aAddress);
    const blockBegins = hbaBefore.split('\n').findIndex((line) => line.startsWith('# BEGIN hotstandby'));
    expect(blockBegins).toBeGreaterThanOrEqual(0);
    const machine = await pool.machineOf(network.target('b'));
    const b = new PgNode({
      name: 'b',
      role: 'primary',
      port: 5432,
      dataDir: dataDir('b'),
      binaries: await testBinaries(),
      osUser: await machine.serverUser(undefined),
      logFile: `${dataDir('b')}.log`,
      superuser: { name: 'postgres', password: PASSWORD },
      machine,
    });
    await b.query('ALTER SYSTEM SET log_connections = on');
    await b.query('SELECT pg_reload_conf()');
    // New connections log once the server has read the change (an open session keeps its own setting).
    await waitFor(async () => /parameter "log_connections" changed to "on"/.test((await network.host('b').ssh(`cat ${dataDir('b')}.log`)).stdout), {
      what: 'b to reload with log_connections on',
    });

    // The plan shows pg_rewind's source server verified against the CA on a's own host, and around pg_rewind the
    // temporary rule for the superuser from a's address on b's host: added, then removed.
    const caOnA = `${dataDir('a')}.tls/ca.crt`.replace(/[.]/g, '\\.');
    const plan = await project.run(['rejoin', 'a', '--dry-run', '--plain'], { timeoutMs: 180_000 });
    expect(plan.code, describeRun(plan)).toBe(0);
    const rewindAt = plan.stdout.search(/pg_rewind --target-pgdata/);
    expect(plan.stdout, describeRun(plan)).toMatch(new RegExp(`pg_rewind --target-pgdata \\S+ --source-server '[^']*sslmode=verify-full sslrootcert=${caOnA}[ ']`));
    const rule = `hostssl\\s+"postgres"\\s+"postgres"\\s+${aAddress.replace(/[.]/g, '\\.')}/32\\s+scram-sha-256`;
    const edit = `edit ${hba.replace(/[.]/g, '\\.')} on \\S*${network.host('b').address.replace(/[.]/g, '\\.')}`;
    const adds = new RegExp(`${edit}\\n(?:[^\\n]*\\n)*?\\s*\\+${rule}\\n`);
    const removes = new RegExp(`${edit}\\n(?:[^\\n]*\\n)*?\\s*-${rule}\\n`);
    expect(plan.stdout.slice(0, rewindAt)).toMatch(adds);
    expect(plan.stdout.slice(rewindAt)).toMatch(removes);
    expect(await onHost('b', `cat ${hba}`)).toBe(hbaBefore);

    const rejoin = await project.run(['rejoin', 'a', '--plain'], { timeoutMs: 300_000 });
    expect(rejoin.code, describeRun(rejoin)).toBe(0);
    expect(rejoin.stdout, describeRun(rejoin)).toMatch(/a rejoined by pg_rewind: /);
    expect(rejoin.stdout + rejoin.stderr, describeRun(rejoin)).not.toMatch(/pg_rewind of a from b failed/);
    const log = await onHost('b', `cat ${dataDir('b')}.log`);
    // pg_rewind's connection came in through the tool's rule (first in its block), encrypted.
    expect(log).toMatch(new RegExp(`pg_hba\\.conf:${blockBegins + 2}\\)\\n[^\\n]*connection authorized: user=postgres database=postgres SSL enabled`));
    expect(log).not.toMatch(/no pg_hba\.conf entry for host .*user "postgres"/);
    // The rule is gone again: b's pg_hba.conf is what it was, but for the replication rule of its new standby a
    // (the pipeline's hba-config adds it after the rewind).
    const hbaAfter = await onHost('b', `cat ${hba}`);
    const superuserFromA = new RegExp(`"postgres"\\s+${aAddress.replace(/[.]/g, '\\.')}/`);
    expect(hbaAfter).not.toMatch(superuserFromA);
    const replicationOfA = new RegExp(`^hostssl\\s+replication\\s+"repuser"\\s+${aAddress.replace(/[.]/g, '\\.')}/32\\s`);
    const added = hbaAfter.split('\n').filter((line) => !hbaBefore.split('\n').includes(line));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatch(replicationOfA);
    expect(hbaAfter.split('\n').filter((line) => !replicationOfA.test(line))).toEqual(hbaBefore.split('\n'));
    expect(sampler.stop().hits).toEqual([]);

    await waitFor(async () => nodeNamed(JSON.parse((await project.run(['status', '--json'])).stdout) as StatusJson, 'a').state === 'streaming', {
      what: 'a to stream from b',
      timeoutMs: 60_000,
    });
    await b.closeConnections();
    const down = await project.run(['down', '--purge'], { timeoutMs: 180_000 });
    expect(down.code, describeRun(down)).toBe(0);
  }, 600_000);
});

test.runIf(unavailable !== undefined)('the TLS rejoin test is skipped only with a reason', () => {
  expect(unavailable).toMatch(/need/);
});
