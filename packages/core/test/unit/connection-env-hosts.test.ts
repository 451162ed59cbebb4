import { expect, test } from 'vitest';
import type { ClusterRuntime } from '../../src/cluster/cluster-runtime.js';
import { connectionEnv } from '../../src/cluster/connection-env.js';
import { HotstandbyError } from '../../src/errors/hotstandby-error.js';
import { UnreachableMachine } from '../../src/hosts/unreachable-machine.js';
import type { PgBinaries } from '../../src/postgres/binaries.js';
import { PgNode } from '../../src/postgres/pg-node.js';

const binaries = { binDir: '/nowhere', major: 150000, version: '15.0', has: () => true, path: (p: string) => `/nowhere/${p}` } as unknown as PgBinaries;
const osUser = { name: 'postgres', uid: 1, gid: 1, isInvoker: false } as never;
// A remote machine that is never used: env only reads where the node lives.
const on = (address: string) => new UnreachableMachine(`root@${address}`, address, new HotstandbyError('HOST_UNREACHABLE', 'not used'));
const node = (name: string, port: number, machine?: UnreachableMachine) =>
  new PgNode({
    name,
    role: name === 'main' ? 'primary' : 'standby',
    port,
    dataDir: `/d/${name}`,
    binaries,
    osUser,
    logFile: `/d/${name}.log`,
    superuser: { name: 'postgres' },
    machine,
  });
const runtime = (primary: PgNode, standbys: PgNode[]) =>
  ({
    primary,
    standbys,
    spec: { superuser: { name: 'postgres' }, standbys: standbys.map((s) => ({ name: s.name })) },
    layout: { userPassfile: '/p/pgpass' },
  }) as unknown as ClusterRuntime;

test('a node on another host is named by its address there in every URL, and the output says the superuser gets in only through SSH', () => {
  const env = connectionEnv(runtime(node('main', 5432), [node('b', 5433, on('198.18.0.2')), node('c', 5434, on('2001:db8::3'))]));
  expect(env.nodes.map((n) => [n.name, n.host, n.url])).toEqual([
    ['main', '127.0.0.1', 'postgresql://postgres@127.0.0.1:5432/postgres'],
    ['b', '198.18.0.2', 'postgresql://postgres@198.18.0.2:5433/postgres'],
    ['c', '2001:db8::3', 'postgresql://postgres@[2001:db8::3]:5434/postgres'],
  ]);
  expect(env.readWriteUrl).toBe('postgresql://postgres@127.0.0.1:5432,198.18.0.2:5433,[2001:db8::3]:5434/postgres?target_session_attrs=read-write');
  expect(env.notes).toHaveLength(1);
  expect(env.notes[0]).toMatch(/^b \(root@198\.18\.0\.2\), c \(root@2001:db8::3\) live on another host: hotstandby reaches them only through SSH/);
  expect(env.notes[0]).toContain('pg_hba.conf has no rule from hotstandby letting postgres in from other machines');
});

test('a cluster on this machine gets the URLs it always had and no note', () => {
  const env = connectionEnv(runtime(node('main', 5432), [node('s1', 5433)]));
  expect(env.nodes.map((n) => n.url)).toEqual(['postgresql://postgres@127.0.0.1:5432/postgres', 'postgresql://postgres@127.0.0.1:5433/postgres']);
  expect(env.notes).toEqual([]);
});
