import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assignPorts, knownPorts } from '../../src/cluster/assign-ports.js';
import type { ClusterSpec } from '../../src/config/cluster-spec.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { isPortFree } from '../../src/postgres/ports.js';
import { emptyState, type ClusterState } from '../../src/state/cluster-state.js';
import { hotstandbyErrorFromAsync } from './support/expect-error.js';

const DIR = path.resolve('/srv/demo');
const listeners: net.Server[] = [];

afterEach(async () => {
  await Promise.all(listeners.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

// Occupy a port on 127.0.0.1 with a real listener, as another program would.
async function occupy(port = 0): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1' }, () => resolve());
  });
  listeners.push(server);
  return (server.address() as AddressInfo).port;
}

// A port nothing listens on right now (the kernel's choice, released at once).
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1' }, () => resolve()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// An occupied port whose next port up is free.
async function occupiedWithFreeNext(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await occupy();
    if (port < 65535 && (await isPortFree(port + 1))) return port;
  }
  throw new Error('could not find an occupied port with a free neighbour');
}

function spec(kind: 'file' | 'default', primaryPort: number, standbyPort: number): ClusterSpec {
  return resolveConfig(
    { primary: { port: primaryPort }, standbys: [{ name: 'slave1', port: standbyPort }] },
    { kind, path: kind === 'file' ? path.join(DIR, 'hotstandby.config.json') : undefined, dir: DIR },
  );
}

const none = new Set<string>();
const noActual = new Map<string, number>();

describe('assignPorts', () => {
  it('keeps free ports as they are, with no notices', async () => {
    const [p, s] = [await freePort(), await freePort()];
    const result = await assignPorts(spec('file', p, s), emptyState(), none, noActual);
    expect([...result.ports]).toEqual([
      ['master', p],
      ['slave1', s],
    ]);
    expect(result.notices).toEqual([]);
  });

  it('refuses a fixed primary port that another process listens on, with PORT_IN_USE naming the key', async () => {
    const taken = await occupy();
    const cluster = spec('file', taken, await freePort());
    const error = await hotstandbyErrorFromAsync(() => assignPorts(cluster, emptyState(), none, noActual), 'PORT_IN_USE');
    expect(error.message).toContain(`port ${taken}`);
    expect(error.message).toContain('master');
    expect(error.where).toEqual({ key: 'primary.port', file: path.join(DIR, 'hotstandby.config.json') });
    expect(error.fix).toContain('primary.port');
  });

  it('refuses a fixed standby port in use, naming standbys[0].port', async () => {
    const taken = await occupy();
    const cluster = spec('file', await freePort(), taken);
    const error = await hotstandbyErrorFromAsync(() => assignPorts(cluster, emptyState(), none, noActual), 'PORT_IN_USE');
    expect(error.where.key).toBe('standbys[0].port');
    expect(error.message).toContain('slave1');
  });

  it('moves a default (non-fixed) port that is in use to a free one and says so', async () => {
    const taken = await occupy();
    let standby = await freePort();
    while (standby === taken + 1) standby = await freePort();
    const cluster = spec('default', taken, standby);
    expect(cluster.primary.portFixed).toBe(false);
    const result = await assignPorts(cluster, emptyState(), none, noActual);
    const moved = result.ports.get('master')!;
    expect(moved).toBeGreaterThan(taken);
    expect(moved).not.toBe(result.ports.get('slave1'));
    expect(await isPortFree(moved)).toBe(true);
    expect(result.notices).toEqual([`port ${taken} is in use, so master will listen on ${moved} (remembered in ${cluster.stateDir})`]);
  });

  it('does not refuse a fixed port because a moved default port took it first', async () => {
    // master's default port is taken by another program; slave1 is fixed on the next port, which is free.
    const taken = await occupiedWithFreeNext();
    const cluster = spec('file', taken, taken + 1);
    cluster.primary.portFixed = false;
    const result = await assignPorts(cluster, emptyState(), none, noActual);
    expect(result.ports.get('slave1')).toBe(taken + 1);
    expect(result.ports.get('master')).not.toBe(taken);
    expect(result.ports.get('master')).not.toBe(taken + 1);
  });

  it('accepts a busy port when the node itself is the one running on it', async () => {
    const taken = await occupy();
    const result = await assignPorts(spec('file', taken, await freePort()), emptyState(), new Set(['master']), new Map([['master', taken]]));
    expect(result.ports.get('master')).toBe(taken);
    expect(result.notices).toEqual([]);
  });

  it('refuses to move a node whose data directory already runs on a known port', async () => {
    const taken = await occupy();
    const cluster = spec('default', await freePort(), await freePort());
    await hotstandbyErrorFromAsync(() => assignPorts(cluster, emptyState(), none, new Map([['master', taken]])), 'PORT_IN_USE');
  });
});

describe('knownPorts', () => {
  const state = (): ClusterState => {
    const s = emptyState();
    s.nodes.master = {
      name: 'master',
      role: 'primary',
      port: 6543,
      dataDir: '/d',
      createdDataDir: true,
      initializedByTool: true,
      adopted: false,
      osUser: { name: 'p', uid: 1, gid: 1 },
    };
    return s;
  };

  it('uses a remembered port for a movable node and the configured port for a fixed one', () => {
    expect(knownPorts(spec('default', 5432, 5431), state()).get('master')).toBe(6543);
    expect(knownPorts(spec('file', 5432, 5431), state()).get('master')).toBe(5432);
    expect(knownPorts(spec('default', 5432, 5431), state()).get('slave1')).toBe(5431);
  });

  it('prefers the port a node actually runs on', () => {
    expect(knownPorts(spec('file', 5432, 5431), state(), new Map([['master', 7000]])).get('master')).toBe(7000);
  });
});
