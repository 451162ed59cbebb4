import { configFromObject, type StepContext } from '@hotstandby/core';
import { describe, expect, it } from 'vitest';
import { identitySettings, primaryConninfo } from '../../src/standby-settings.js';

// What `ip -o route get` answers on the standby's machine (the only question asked of it).
const routeTowardsPrimary = async () => ({ exitCode: 0, stdout: '198.18.0.2 dev hs0 src 198.18.0.1 uid 0\n', stderr: '' });

// Pure logic: a standby and its upstream, each on a machine (remote ones with their configured host); tls as the
// config says it (absent: on as soon as replication crosses hosts).
function ctx(standbyMachine: { remote: boolean; address?: string }, tls?: false, primaryHost?: string): StepContext {
  const spec = configFromObject(
    {
      stateDir: '/home/me/.hotstandby',
      primary: { name: 'master', port: 5432, dataDir: '/srv/pg/master', ...(primaryHost ? { host: primaryHost } : {}) },
      standbys: [{ name: 'slave1', port: 5433, dataDir: '/srv/pg/slave1', ...(standbyMachine.remote ? { host: standbyMachine.address } : {}) }],
      replication: { user: 'repuser' },
      ...(tls === false ? { tls } : {}),
    },
    '/home/me',
  );
  const upstream = { name: 'master', port: 5432, machine: primaryHost ? { label: primaryHost, remote: true, address: primaryHost } : { label: 'this machine', remote: false } };
  return {
    spec,
    facts: { conninfoPassfile: true },
    node: { name: 'slave1', port: 5433, dataDir: '/srv/pg/slave1', machine: { label: 'x', runAllowFailure: routeTowardsPrimary, ...standbyMachine } },
    primary: upstream,
    upstream,
    standbys: [],
    paths: { replicationPassfile: '/home/me/.hotstandby/run/replication.pgpass', socketDir: '/home/me/.hotstandby/run' },
    secrets: { replicationPassword: 'never-shown' },
  } as unknown as StepContext;
}

describe('primaryConninfo', () => {
  it('names loopback and the state directory passfile for a standby on this machine, as before', () => {
    expect(primaryConninfo(ctx({ remote: false }))).toBe('host=127.0.0.1 port=5432 user=repuser passfile=/home/me/.hotstandby/run/replication.pgpass application_name=slave1');
  });

  it("names the upstream's address as the standby reaches it and the passfile beside its data directory on its host", () => {
    const conninfo = primaryConninfo(ctx({ remote: true, address: 'db2' }, false), '198.18.0.2');
    expect(conninfo).toBe('host=198.18.0.2 port=5432 user=repuser passfile=/srv/pg/slave1.pgpass application_name=slave1');
    expect(conninfo).not.toContain('never-shown');
  });

  it('verifies the upstream fully against the CA on the standby host when replication crosses hosts', () => {
    const conninfo = primaryConninfo(ctx({ remote: true, address: 'db2' }), '198.18.0.2');
    expect(conninfo).toBe(
      'host=198.18.0.2 port=5432 user=repuser passfile=/srv/pg/slave1.pgpass application_name=slave1 sslmode=verify-full sslrootcert=/srv/pg/slave1.tls/ca.crt',
    );
  });
});

describe('identitySettings', () => {
  it("gives a standby on another host its own certificate and key, replacing the upstream's the copy names", async () => {
    expect(await identitySettings(ctx({ remote: true, address: 'db2' }))).toMatchObject({
      ssl: 'on',
      ssl_cert_file: '/srv/pg/slave1.tls/server.crt',
      ssl_key_file: '/srv/pg/slave1.tls/server.key',
      ssl_ca_file: '/srv/pg/slave1.tls/ca.crt',
    });
  });

  it("turns ssl off on a standby of this machine that serves no TLS, though its copy of a TLS upstream's settings has it on", async () => {
    const settings = await identitySettings(ctx({ remote: false }, undefined, '198.18.0.2'));
    expect(settings.ssl).toBe('off');
    expect(Object.keys(settings).filter((k) => k.startsWith('ssl_'))).toEqual([]);
  });

  it('sets nothing about TLS on one machine, or with tls false', async () => {
    for (const settings of [await identitySettings(ctx({ remote: false })), await identitySettings(ctx({ remote: true, address: 'db2' }, false))]) {
      expect(Object.keys(settings).filter((k) => k.startsWith('ssl'))).toEqual([]);
    }
  });

  it('listens on loopback alone when the cluster lives on this machine', async () => {
    expect((await identitySettings(ctx({ remote: false }))).listen_addresses).toBe('127.0.0.1');
  });

  it('listens on its host too on another host, so a node elsewhere can stream from it after a switchover', async () => {
    expect((await identitySettings(ctx({ remote: true, address: 'db2' }))).listen_addresses).toBe('127.0.0.1,db2');
  });

  it("listens, on this machine, on the address its route to the primary's host leaves from, and nothing wider", async () => {
    expect((await identitySettings(ctx({ remote: false }, undefined, '198.18.0.2'))).listen_addresses).toBe('127.0.0.1,198.18.0.1');
  });
});
