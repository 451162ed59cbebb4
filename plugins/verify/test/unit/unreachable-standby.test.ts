import { HotstandbyError, PgNode, UnreachableMachine, versionFacts, type PgBinaries } from '@hotstandby/core';
import { expect, test } from 'vitest';
import { checkStandby } from '../../src/check-standby.js';

const binaries = {
  binDir: '/nowhere',
  major: 150000,
  version: '15.0',
  source: 'config',
  reason: 'test',
  has: () => true,
  path: (p: string) => `/nowhere/${p}`,
} as unknown as PgBinaries;
const user = { name: 'postgres', uid: 1, gid: 1, isInvoker: false, home: '/' } as never;
const hostDown = new HotstandbyError('HOST_UNREACHABLE', 'cannot reach root@db3 over SSH: ssh: connect to host db3 port 22: Connection timed out', {
  where: { host: 'root@db3' },
  fix: 'make "ssh -o BatchMode=yes root@db3 true" work without a prompt',
});
const node = (name: string, machine?: UnreachableMachine) =>
  new PgNode({
    name,
    role: name === 'a' ? 'primary' : 'standby',
    port: 5432,
    dataDir: `/data/${name}`,
    binaries,
    osUser: user,
    logFile: `/data/${name}.log`,
    superuser: { name: 'postgres' },
    machine,
  });
const options = { database: 'postgres', timeoutMs: 60_000, facts: versionFacts(150000 as never), signal: new AbortController().signal };
const marker = { table: 't', token: 'x', lsn: '0/0' };

test('a standby whose host does not answer fails the running check at once, naming the host and the ssh to try', async () => {
  const standby = node('c', new UnreachableMachine('root@db3', 'db3', hostDown));
  const report = await checkStandby(standby, node('a'), node('a'), marker, options);
  expect(report.ok).toBe(false);
  expect(report.checks).toEqual([
    {
      name: 'running',
      ok: false,
      detail: 'unreachable: root@db3: ssh: connect to host db3 port 22: Connection timed out (fix: make "ssh -o BatchMode=yes root@db3 true" work without a prompt)',
    },
  ]);
});
