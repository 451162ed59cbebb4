import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConfigSource } from '../../src/config/cluster-spec.js';
import { DEFAULT_REPLICATION_PASSWORD_ENV, DEFAULT_SUPERUSER_PASSWORD_ENV, resolveConfig } from '../../src/config/resolve-config.js';
import { hotstandbyErrorFrom } from './support/expect-error.js';

const DIR = path.resolve('/srv/clusters/demo');
const FILE: ConfigSource = { kind: 'file', path: path.join(DIR, 'hotstandby.config.json'), dir: DIR };
const DEFAULT: ConfigSource = { kind: 'default', dir: DIR };
const RECIPE = { primary: { name: 'master', port: 5432 }, standbys: [{ name: 'slave1', port: 5431 }], replication: { user: 'repuser', connectionLimit: 3 }, archive: true };

const invalid = (raw: unknown) => hotstandbyErrorFrom(() => resolveConfig(raw, FILE), 'CONFIG_INVALID');
const conflict = (raw: unknown) => hotstandbyErrorFrom(() => resolveConfig(raw, FILE), 'CONFIG_CONFLICT');

describe('resolveConfig defaults', () => {
  it('fills in the recipe defaults for an empty config', () => {
    const spec = resolveConfig({}, FILE);
    expect(spec.stateDir).toBe(path.join(DIR, '.hotstandby'));
    expect(spec.primary).toMatchObject({ name: 'master', role: 'primary', port: 5432, portFixed: false, dataDir: path.join(DIR, '.hotstandby', 'data', 'master') });
    expect(spec.primary.upstream).toBeUndefined();
    expect(spec.standbys).toEqual([]);
    expect(spec.superuser).toMatchObject({ name: 'postgres', password: { env: DEFAULT_SUPERUSER_PASSWORD_ENV, key: 'superuser.password' } });
    expect(spec.superuser.password.value).toBeUndefined();
    expect(spec.replication).toMatchObject({ user: 'repuser', connectionLimit: 3, password: { env: DEFAULT_REPLICATION_PASSWORD_ENV, key: 'replication.password' } });
    expect(spec.replication.password.value).toBeUndefined();
    expect(spec.archive).toBeUndefined();
    expect(spec.wal).toMatchObject({ keepSizeMb: 1024, logHints: true });
    expect(spec.wal.maxSlotKeepSizeMb).toBeUndefined();
    expect(spec.steps).toEqual({});
    expect(spec.source).toBe(FILE);
  });

  it('treats null like an empty config', () => {
    expect(resolveConfig(null, FILE)).toEqual(resolveConfig({}, FILE));
  });

  it('gives standbys descending default ports, the primary as upstream, and a slot named after them', () => {
    const spec = resolveConfig({ standbys: [{ name: 'slave1' }, { name: 'slave-2' }] }, FILE);
    expect(spec.standbys.map((s) => [s.name, s.port, s.upstream, s.slot, s.role])).toEqual([
      ['slave1', 5431, 'master', 'slave1', 'standby'],
      ['slave-2', 5430, 'master', 'slave_2', 'standby'],
    ]);
    expect(spec.standbys[1]!.dataDir).toBe(path.join(DIR, '.hotstandby', 'data', 'slave-2'));
  });

  it('marks ports from the built-in default config as movable (portFixed false)', () => {
    const spec = resolveConfig(RECIPE, DEFAULT);
    expect(spec.primary.portFixed).toBe(false);
    expect(spec.standbys[0]!.portFixed).toBe(false);
    expect(spec.stateDir).toBe(path.join(DIR, '.hotstandby'));
    expect(spec.primary.dataDir).toBe(path.join(DIR, '.hotstandby', 'data', 'master'));
    expect(spec.standbys[0]!.dataDir).toBe(path.join(DIR, '.hotstandby', 'data', 'slave1'));
    expect(spec.archive).toEqual({ dir: path.join(DIR, '.hotstandby', 'archive') });
  });

  it('marks ports a user wrote in a config file as fixed, and defaulted ones as movable', () => {
    const spec = resolveConfig({ primary: { port: 6000 }, standbys: [{ name: 'a', port: 6001 }, { name: 'b' }] }, FILE);
    expect([spec.primary.portFixed, spec.standbys[0]!.portFixed, spec.standbys[1]!.portFixed]).toEqual([true, true, false]);
  });

  it('reads sizes and passwords', () => {
    const spec = resolveConfig(
      { wal: { keepSize: '512MB', maxSlotKeepSize: '10GB', logHints: false }, replication: { password: 'pw', passwordEnv: 'MY_PW' }, superuser: { name: 'admin' } },
      FILE,
    );
    expect(spec.wal).toMatchObject({ keepSizeMb: 512, maxSlotKeepSizeMb: 10240, logHints: false });
    expect(spec.replication.password).toEqual({ value: 'pw', env: 'MY_PW', envRequired: true, key: 'replication.password' });
    expect(spec.superuser.password).toMatchObject({ env: 'HOTSTANDBY_SUPERUSER_PASSWORD', envRequired: false });
    expect(spec.superuser.name).toBe('admin');
  });
});

describe('resolveConfig paths', () => {
  it("resolves relative paths against the config file's directory, not the process cwd", () => {
    const spec = resolveConfig(
      {
        stateDir: 'state',
        postgres: { binDir: '../pg/bin' },
        primary: { dataDir: 'pgdata/primary' },
        standbys: [{ name: 's1', dataDir: './pgdata/s1' }],
        archive: { dir: 'wal-archive' },
      },
      FILE,
    );
    expect(spec.stateDir).toBe(path.join(DIR, 'state'));
    expect(spec.postgres.binDir).toBe(path.resolve(DIR, '../pg/bin'));
    expect(spec.primary.dataDir).toBe(path.join(DIR, 'pgdata/primary'));
    expect(spec.standbys[0]!.dataDir).toBe(path.join(DIR, 'pgdata/s1'));
    expect(spec.archive).toEqual({ dir: path.join(DIR, 'wal-archive') });
  });

  it('keeps absolute paths and puts default data directories under a custom state dir', () => {
    const spec = resolveConfig({ stateDir: '/var/lib/hs', primary: { dataDir: '/data/p' } }, FILE);
    expect(spec.primary.dataDir).toBe('/data/p');
    expect(resolveConfig({ stateDir: '/var/lib/hs', standbys: [{ name: 's1' }] }, FILE).standbys[0]!.dataDir).toBe('/var/lib/hs/data/s1');
  });

  it('uses the archive under the state dir for archive: true or {}, and none for false', () => {
    expect(resolveConfig({ archive: true }, FILE).archive).toEqual({ dir: path.join(DIR, '.hotstandby', 'archive') });
    expect(resolveConfig({ archive: {} }, FILE).archive).toEqual({ dir: path.join(DIR, '.hotstandby', 'archive') });
    expect(resolveConfig({ archive: false }, FILE).archive).toBeUndefined();
  });
});

describe('resolveConfig schema errors', () => {
  it('names an unknown key by its path, suggests the close spelling and lists the known keys', () => {
    const error = invalid({ primary: { prot: 5432 } });
    expect(error.message).toContain(FILE.path);
    expect(error.message).toContain('primary.prot');
    expect(error.message).toContain('did you mean "port"?');
    expect(error.message).toContain('known keys here: name, port, dataDir');
    expect(error.where).toEqual({ file: FILE.path, key: 'primary.prot' });
  });

  it('names unknown keys inside list items and inside union values', () => {
    expect(invalid({ standbys: [{ name: 's1' }, { name: 's2', slto: 'x' }] }).where.key).toBe('standbys[1].slto');
    const archive = invalid({ archive: { dri: '/a' } });
    expect(archive.where.key).toBe('archive.dri');
    expect(archive.message).toContain('did you mean "dir"?');
  });

  it('does not suggest a far-fetched spelling', () => {
    const error = invalid({ completelyDifferent: 1 });
    expect(error.message).toContain('completelyDifferent: unknown key;');
    expect(error.message).not.toContain('did you mean');
  });

  it('says what was wrong with a value of the wrong type, and what it got', () => {
    const error = invalid({ primary: { port: '5432' } });
    expect(error.where.key).toBe('primary.port');
    expect(error.message).toContain('primary.port: must be a whole number from 1 to 65535, got "5432"');
    expect(invalid({ standbys: { name: 's1' } }).message).toContain('standbys: must be a list of standbys, got an object');
    expect(invalid({ wal: { logHints: 'yes' } }).where.key).toBe('wal.logHints');
  });

  it.each([0, 65536, 70000, -1, 5432.5])('refuses port %d', (port) => {
    const error = invalid({ standbys: [{ name: 's1', port }] });
    expect(error.where.key).toBe('standbys[0].port');
    expect(error.message).toMatch(/from 1 to 65535/);
    expect(error.message).toContain(`got ${port}`);
  });

  it('refuses node names that cannot be slot or file names', () => {
    expect(invalid({ primary: { name: 'Master' } }).where.key).toBe('primary.name');
    expect(invalid({ standbys: [{ name: '1st' }] }).where.key).toBe('standbys[0].name');
    expect(invalid({ standbys: [{ name: 'x', slot: 'Bad-Slot' }] }).where.key).toBe('standbys[0].slot');
  });

  it('refuses a password with a line break, without echoing the password', () => {
    const error = invalid({ replication: { password: 'hunter2\nsecond-line' } });
    expect(error.where.key).toBe('replication.password');
    expect(error.message).toContain('line break');
    expect(`${error.message}\n${error.detail ?? ''}`).not.toContain('hunter2');
  });

  it('refuses a password of the wrong type, without echoing it', () => {
    const error = invalid({ superuser: { password: 31415926 } });
    expect(error.where.key).toBe('superuser.password');
    expect(error.message).not.toContain('31415926');
  });

  it('explains a bad size with an example of a good one', () => {
    const error = invalid({ wal: { keepSize: 'lots' } });
    expect(error.where.key).toBe('wal.keepSize');
    expect(error.message).toContain('"1GB"');
  });

  it('refuses a config that is not an object', () => {
    expect(invalid([1, 2]).message).toContain('(top level)');
  });

  it('names the built-in default config when there is no file', () => {
    const error = hotstandbyErrorFrom(() => resolveConfig({ oops: 1 }, DEFAULT), 'CONFIG_INVALID');
    expect(error.message).toContain('the built-in default config');
  });
});

describe('resolveConfig conflicts', () => {
  it('refuses a node name used twice, naming both keys', () => {
    const error = conflict({ standbys: [{ name: 'master' }] });
    expect(error.message).toContain('"master"');
    expect(error.message).toContain('primary.name');
    expect(error.message).toContain('standbys[0].name');
    expect(error.where).toEqual({ file: FILE.path, key: 'standbys[0].name' });
  });

  it('refuses a port used twice, naming both nodes', () => {
    const error = conflict({
      primary: { port: 6000 },
      standbys: [
        { name: 'a', port: 6001 },
        { name: 'b', port: 6000 },
      ],
    });
    expect(error.message).toContain('port 6000 is used by both master (primary.port) and b (standbys[1].port)');
    expect(error.where.key).toBe('standbys[1].port');
  });

  it('refuses a defaulted standby port that collides with a configured one', () => {
    expect(conflict({ primary: { port: 5431 }, standbys: [{ name: 'a' }] }).where.key).toBe('standbys[0].port');
  });

  it('refuses two standbys whose default slot names collide', () => {
    const error = conflict({ standbys: [{ name: 'slave-1' }, { name: 'slave_1' }] });
    expect(error.message).toContain('"slave_1"');
    expect(error.where.key).toBe('standbys[1].slot');
    expect(error.fix).toContain('slave_1');
  });

  it('refuses two standbys with the same explicit slot', () => {
    expect(
      conflict({
        standbys: [
          { name: 'a', slot: 's' },
          { name: 'b', slot: 's' },
        ],
      }).where.key,
    ).toBe('standbys[1].slot');
  });

  it('refuses identical data directories', () => {
    const error = conflict({ primary: { dataDir: 'pg' }, standbys: [{ name: 's1', dataDir: './pg/' }] });
    expect(error.message).toContain('the same data directory');
    expect(error.where.key).toBe('standbys[0].dataDir');
  });

  it("refuses a standby data directory inside the primary's", () => {
    const error = conflict({ primary: { dataDir: 'pg/primary' }, standbys: [{ name: 's1', dataDir: 'pg/primary/s1' }] });
    expect(error.message).toContain(`the data directory of s1 (${path.join(DIR, 'pg/primary/s1')}) is inside the data directory of master`);
    expect(error.where.key).toBe('standbys[0].dataDir');
  });

  it("refuses a standby data directory inside another standby's", () => {
    const error = conflict({
      standbys: [
        { name: 's1', dataDir: '/data/s1' },
        { name: 's2', dataDir: '/data/s1/nested/s2' },
      ],
    });
    expect(error.where.key).toBe('standbys[1].dataDir');
  });

  it("refuses the primary data directory inside a standby's", () => {
    expect(conflict({ primary: { dataDir: '/data/s1/p' }, standbys: [{ name: 's1', dataDir: '/data/s1' }] }).where.key).toBe('primary.dataDir');
  });

  it('accepts sibling data directories that share a name prefix', () => {
    const spec = resolveConfig({ primary: { dataDir: '/data/pg' }, standbys: [{ name: 's1', dataDir: '/data/pg2' }] }, FILE);
    expect(spec.standbys[0]!.dataDir).toBe('/data/pg2');
  });

  it('refuses a state directory inside (or equal to) a data directory', () => {
    const inside = conflict({ stateDir: 'pg/state', primary: { dataDir: 'pg' } });
    expect(inside.where.key).toBe('stateDir');
    expect(inside.message).toContain('inside the data directory of master');
    expect(conflict({ stateDir: '/data/s1', primary: { dataDir: '/data/p' }, standbys: [{ name: 's1', dataDir: '/data/s1' }] }).where.key).toBe('stateDir');
  });

  it('refuses an archive directory inside a data directory', () => {
    expect(conflict({ primary: { dataDir: '/data/p' }, archive: { dir: '/data/p/archive' } }).where.key).toBe('archive.dir');
  });

  it('refuses a replication user longer than 63 bytes, counting bytes not characters', () => {
    const error = conflict({ replication: { user: 'r'.repeat(64) } });
    expect(error.message).toContain('64 bytes');
    expect(error.where.key).toBe('replication.user');
    expect(conflict({ replication: { user: 'é'.repeat(32) } }).message).toContain('64 bytes');
    expect(resolveConfig({ replication: { user: 'r'.repeat(63) } }, FILE).replication.user).toHaveLength(63);
  });

  it('refuses a replication user with the reserved pg_ prefix', () => {
    const error = conflict({ replication: { user: 'pg_replicator' } });
    expect(error.message).toContain('pg_');
    expect(error.where.key).toBe('replication.user');
  });

  it('refuses a replication user that is the superuser', () => {
    expect(conflict({ replication: { user: 'postgres' } }).where.key).toBe('replication.user');
    expect(conflict({ superuser: { name: 'admin' }, replication: { user: 'admin' } }).message).toContain('superuser "admin"');
  });

  it('refuses a replication user with a control character', () => {
    expect(conflict({ replication: { user: 'rep\tuser' } }).message).toContain('control character');
  });
});

describe('resolveConfig plugins entries', () => {
  it.each([
    [['x', 5], 'plugins[0]: the second item must be an object of options, such as { "level": 2 }, not number'],
    [['x', [1]], 'plugins[0]: the second item must be an object of options, such as { "level": 2 }, not a list'],
    [['x'], 'plugins[0]: as a list, must be ["package-or-path", { options }]: two items, not 1'],
    [[5, {}], "plugins[0]: the first item must be the plugin's path or package name"],
    [{ a: 1 }, 'plugins[0]: must be a path ("./steps/my-step.ts"), a package name, or ["package-or-path", { options }], got an object'],
  ])('says what is wrong with %j', (entry, message) => {
    expect(invalid({ plugins: [entry] }).message).toContain(message);
  });
});

describe('resolveConfig nodes on other hosts', () => {
  const remote = (extra: Record<string, unknown> = {}) => ({
    primary: {
      name: 'a',
      host: 'db1.example.com',
      dataDir: '/srv/pg/a',
      ssh: { user: 'root', port: 2222, identityFile: 'keys/id_ed25519', options: ['StrictHostKeyChecking=yes'] },
    },
    standbys: [
      { name: 'b', host: 'db2.example.com', dataDir: '/srv/pg/a' },
      { name: 'c', dataDir: 'data/c' },
    ],
    ...extra,
  });

  it('keeps each node host and ssh settings, the key file resolved against the config directory; local nodes have none', () => {
    const spec = resolveConfig(remote(), FILE);
    expect(spec.primary.host).toEqual({
      host: 'db1.example.com',
      user: 'root',
      port: 2222,
      identityFile: path.join(DIR, 'keys/id_ed25519'),
      options: ['StrictHostKeyChecking=yes'],
    });
    expect(spec.standbys[0]!.host).toEqual({ host: 'db2.example.com' });
    expect(spec.standbys[1]!.host).toBeUndefined();
  });

  it('lets nodes on different hosts use the same data directory path', () => {
    expect(resolveConfig(remote(), FILE).standbys[0]!.dataDir).toBe('/srv/pg/a');
  });

  it('refuses a node on another host without an absolute data directory, saying where to set it', () => {
    const missing = conflict({ primary: { host: 'db1' } });
    expect(missing.message).toMatch(/primary lives on db1, so its dataDir must be an absolute path on that host/);
    expect(missing.where.key).toBe('primary.dataDir');
    expect(conflict({ standbys: [{ name: 'b', host: 'db2', dataDir: 'rel/b' }] }).message).toMatch(
      /standbys\[0\] lives on db2, so its dataDir must be an absolute path on that host \(it is "rel\/b"\)/,
    );
  });

  it('refuses ssh settings on a node without a host, and a WAL archive with nodes on other hosts', () => {
    expect(conflict({ standbys: [{ name: 'b', ssh: { user: 'root' } }] }).where.key).toBe('standbys[0].ssh');
    expect(conflict(remote({ archive: true })).message).toMatch(/archive is set, but some nodes live on other hosts/);
  });

  it('refuses a host that is not a host name', () => {
    expect(invalid({ primary: { host: 'db1; rm -rf /', dataDir: '/x' } }).message).toMatch(/primary\.host/);
  });
});
