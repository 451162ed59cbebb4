// When replication between hosts is encrypted, and what that changes: ssl settings, the hba connection type, the
// standby's conninfo, which nodes get which files; and the tls config key.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConfigSource } from '../../src/config/cluster-spec.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import {
  replicationHbaType,
  servesTls,
  TLS_SETTING_NAMES,
  tlsConninfoParams,
  tlsEnabled,
  tlsFiles,
  tlsMaterialKind,
  tlsPlanNotes,
  tlsServerNames,
  tlsServerSettings,
} from '../../src/tls/tls-decisions.js';
import { hotstandbyErrorFrom } from './support/expect-error.js';

const DIR = path.resolve('/srv/clusters/demo');
const FILE: ConfigSource = { kind: 'file', path: path.join(DIR, 'hotstandby.config.json'), dir: DIR };

// A primary on host a, standby b on host b, c cascaded from b on host b, d on this machine streaming from the primary.
function cluster(extra: Record<string, unknown> = {}) {
  return resolveConfig(
    {
      primary: { name: 'a', host: '198.18.0.2', dataDir: '/srv/pg/a' },
      standbys: [
        { name: 'b', host: 'db-b.example.com', dataDir: '/srv/pg/b' },
        { name: 'c', host: 'db-b.example.com', dataDir: '/srv/pg/c', upstream: 'b', port: 5440 },
        { name: 'd', dataDir: '/srv/local/d', port: 5441 },
      ],
      ...extra,
    },
    FILE,
  );
}
const sameHost = () => resolveConfig({ standbys: [{ name: 's1' }, { name: 's2', upstream: 's1' }] }, FILE);
const node = (spec: ReturnType<typeof cluster>, name: string) => [spec.primary, ...spec.standbys].find((n) => n.name === name)!;

describe('whether replication is encrypted', () => {
  it('is on by default as soon as a standby streams from another host', () => {
    expect(tlsEnabled(cluster())).toBe(true);
    expect(tlsEnabled(cluster({ tls: 'auto' }))).toBe(true);
  });

  it('is off for a cluster on one machine, and for standbys on one other host streaming from each other', () => {
    expect(tlsEnabled(sameHost())).toBe(false);
    const oneRemoteHost = resolveConfig({ primary: { host: 'db1', dataDir: '/srv/pg/a' }, standbys: [{ name: 'b', host: 'db1', dataDir: '/srv/pg/b' }] }, FILE);
    expect(tlsEnabled(oneRemoteHost)).toBe(false);
    expect(tlsServerSettings(oneRemoteHost, oneRemoteHost.primary)).toEqual({});
  });

  it('is off with tls: false, and the plan then says replication between hosts is unencrypted', () => {
    const spec = cluster({ tls: false });
    expect(tlsEnabled(spec)).toBe(false);
    expect(tlsServerSettings(spec, spec.primary)).toEqual({});
    expect(replicationHbaType(spec, spec.primary, node(spec, 'b'))).toBe('host');
    expect(tlsConninfoParams(spec, node(spec, 'b'), spec.primary)).toEqual({});
    expect(tlsPlanNotes(spec)).toEqual([expect.stringContaining('replication between hosts travels unencrypted')]);
    expect(tlsPlanNotes(sameHost())).toEqual([]);
  });
});

describe('what TLS changes', () => {
  it('turns ssl on for every node on another host, with its files beside (not inside) its data directory', () => {
    const spec = cluster();
    expect(tlsServerSettings(spec, spec.primary)).toEqual({
      ssl: 'on',
      ssl_cert_file: '/srv/pg/a.tls/server.crt',
      ssl_key_file: '/srv/pg/a.tls/server.key',
      ssl_ca_file: '/srv/pg/a.tls/ca.crt',
    });
    // c streams from b on the same host, but serves TLS too: after a switchover it may feed a standby elsewhere.
    expect(tlsServerSettings(spec, node(spec, 'c'))).toMatchObject({ ssl: 'on', ssl_cert_file: '/srv/pg/c.tls/server.crt' });
    expect(tlsServerSettings(spec, node(spec, 'd'))).toEqual({});
    expect(Object.keys(tlsServerSettings(spec, spec.primary))).toEqual([...TLS_SETTING_NAMES]);
    expect(tlsFiles('/srv/pg/a')).toEqual({ dir: '/srv/pg/a.tls', ca: '/srv/pg/a.tls/ca.crt', cert: '/srv/pg/a.tls/server.crt', key: '/srv/pg/a.tls/server.key' });
  });

  it('makes the replication rule hostssl only for a standby on another host than its upstream', () => {
    const spec = cluster();
    expect(replicationHbaType(spec, spec.primary, node(spec, 'b'))).toBe('hostssl');
    expect(replicationHbaType(spec, node(spec, 'b'), node(spec, 'c'))).toBe('host');
    expect(replicationHbaType(sameHost(), sameHost().primary, sameHost().standbys[0]!)).toBe('host');
  });

  it('gives a standby across hosts verify-full against the CA on its own host, and nothing within one host', () => {
    const spec = cluster();
    expect(tlsConninfoParams(spec, node(spec, 'b'), spec.primary)).toEqual({ sslmode: 'verify-full', sslrootcert: '/srv/pg/b.tls/ca.crt' });
    expect(tlsConninfoParams(spec, node(spec, 'd'), spec.primary)).toEqual({ sslmode: 'verify-full', sslrootcert: '/srv/local/d.tls/ca.crt' });
    expect(tlsConninfoParams(spec, node(spec, 'c'), node(spec, 'b'))).toEqual({});
    // A step passes node names.
    expect(tlsConninfoParams(spec, 'b', 'a')).toEqual(tlsConninfoParams(spec, node(spec, 'b'), spec.primary));
    expect(replicationHbaType(spec, 'a', 'b')).toBe('hostssl');
    expect(tlsServerSettings(spec, 'b')).toEqual(tlsServerSettings(spec, node(spec, 'b')));
    expect(() => tlsServerSettings(spec, 'zz')).toThrow(/zz, which is not a node/);
  });

  it('gives a former primary waiting to rejoin (pg_rewind from the new primary) verify-full against the CA on its own host', () => {
    const spec = cluster();
    // After a promotion of b: a is detached, b the primary on another host.
    const { primary: a, standbys } = spec;
    const b = node(spec, 'b');
    const promoted = { ...spec, primary: { ...b, role: 'primary' as const, upstream: undefined }, standbys: standbys.filter((s) => s.name !== 'b'), detached: [a] };
    expect(tlsConninfoParams(promoted, 'a', 'b')).toEqual({ sslmode: 'verify-full', sslrootcert: '/srv/pg/a.tls/ca.crt' });
    // Without TLS, or on one machine, libpq's default stays.
    expect(tlsConninfoParams({ ...promoted, tls: { mode: 'off' } }, 'a', 'b')).toEqual({});
    expect(tlsConninfoParams(spec, 'd', 'd')).toEqual({});
    // The only connection across hosts left is the one the former primary makes: TLS stays on for it.
    const twoHosts = resolveConfig({ primary: { name: 'a', host: 'db-a', dataDir: '/srv/pg/a' }, standbys: [{ name: 'b', host: 'db-b', dataDir: '/srv/pg/b' }] }, FILE);
    const afterPromotion = {
      ...twoHosts,
      primary: { ...twoHosts.standbys[0]!, role: 'primary' as const, upstream: undefined },
      standbys: [],
      detached: [{ ...twoHosts.primary, role: 'standby' as const, upstream: 'b' }],
    };
    expect(tlsEnabled(afterPromotion)).toBe(true);
    expect(tlsConninfoParams(afterPromotion, 'a', 'b')).toEqual({ sslmode: 'verify-full', sslrootcert: '/srv/pg/a.tls/ca.crt' });
  });

  it('gives servers their certificate, a standby on this machine only the CA, and a cluster on one machine nothing', () => {
    const spec = cluster();
    expect(['a', 'b', 'c', 'd'].map((n) => tlsMaterialKind(spec, node(spec, n)))).toEqual(['server', 'server', 'server', 'ca']);
    expect(sameHost().standbys.map((n) => tlsMaterialKind(sameHost(), n))).toEqual(['none', 'none']);
  });

  it('encrypts a standby on another host streaming from a node on this machine, whose certificate names the addresses it is seen at', () => {
    const spec = resolveConfig(
      {
        standbys: [
          { name: 'b', host: 'db-b', dataDir: '/srv/pg/b' },
          { name: 'l', port: 5440 },
        ],
      },
      FILE,
    );
    expect(tlsEnabled(spec)).toBe(true);
    expect(servesTls(spec, 'master')).toBe(true);
    expect(servesTls(spec, 'l')).toBe(false);
    expect(replicationHbaType(spec, 'master', 'b')).toBe('hostssl');
    expect(replicationHbaType(spec, 'master', 'l')).toBe('host');
    expect(tlsConninfoParams(spec, 'b', 'master')).toEqual({ sslmode: 'verify-full', sslrootcert: '/srv/pg/b.tls/ca.crt' });
    expect(tlsPlanNotes(spec)).toEqual([]);
    expect(tlsServerNames(spec.primary, ['198.18.0.1', '198.18.0.1', '198.18.1.1'])).toEqual(['198.18.0.1', '198.18.1.1']);
    expect(tlsServerNames(spec.standbys[0]!)).toEqual(['db-b']);
    expect(() => tlsServerNames(spec.primary)).toThrow(/needs the addresses other hosts reach it at/);
  });
});

describe('the tls config key', () => {
  it('takes "auto", false, or your CA with its key or per-node certificates, paths resolved against the config', () => {
    expect(cluster().tls).toBeUndefined();
    expect(cluster({ tls: 'auto' }).tls).toEqual({ mode: 'auto' });
    expect(cluster({ tls: false }).tls).toEqual({ mode: 'off' });
    expect(cluster({ tls: { ca: 'pki/ca.crt', caKey: 'pki/ca.key' } }).tls).toEqual({ mode: 'auto', ca: path.join(DIR, 'pki/ca.crt'), caKey: path.join(DIR, 'pki/ca.key') });
    const certs = Object.fromEntries(['a', 'b', 'c'].map((n) => [n, { cert: `${n}.crt`, key: `${n}.key` }]));
    expect(cluster({ tls: { ca: '/pki/ca.crt', certs } }).tls?.certs?.b).toEqual({ cert: path.join(DIR, 'b.crt'), key: path.join(DIR, 'b.key') });
  });

  it('refuses true, an unknown key, certificates for a node that does not exist, and a CA without key missing a certificate', () => {
    expect(hotstandbyErrorFrom(() => resolveConfig({ tls: true }, FILE), 'CONFIG_INVALID').message).toMatch(/tls.*must be "auto", false/);
    expect(hotstandbyErrorFrom(() => resolveConfig({ tls: { ca: 'x', cert: 'y' } }, FILE), 'CONFIG_INVALID').message).toMatch(/tls/);
    const unknown = hotstandbyErrorFrom(() => cluster({ tls: { ca: 'ca.crt', caKey: 'ca.key', certs: { zz: { cert: 'a', key: 'b' } } } }), 'CONFIG_CONFLICT');
    expect(unknown.message).toMatch(/tls\.certs names "zz", which is not a node/);
    const missing = hotstandbyErrorFrom(() => cluster({ tls: { ca: 'ca.crt', certs: { a: { cert: 'a', key: 'b' } } } }), 'CONFIG_CONFLICT');
    expect(missing.message).toMatch(/without tls\.caKey.*b, c have none/);
    expect(missing.fix).toMatch(/tls\.certs\.b/);
    // A node on this machine feeding a standby on another host needs one too.
    const local = { standbys: [{ name: 'b', host: 'db-b', dataDir: '/srv/pg/b' }], tls: { ca: 'ca.crt', certs: { b: { cert: 'b', key: 'b' } } } };
    expect(hotstandbyErrorFrom(() => resolveConfig(local, FILE), 'CONFIG_CONFLICT').message).toMatch(/master has none/);
  });
});
