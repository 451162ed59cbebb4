import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DRIVER_FORMATS, driverSettings, type ConnectionEnv } from '@hotstandby/core';

const here = path.dirname(fileURLToPath(import.meta.url));

// A primary, two standbys and a delayed standby, as env describes them.
const node = (name: string, role: string, port: number, readPool = true) => ({
  name,
  role,
  url: `postgresql://app%20user@127.0.0.1:${port}/shop`,
  host: '127.0.0.1',
  port,
  readPool,
});
const env: ConnectionEnv = {
  passfile: '/project/.hotstandby/pgpass',
  user: 'app user',
  database: 'shop',
  nodes: [node('main', 'primary', 5432), node('s1', 'standby', 5433), node('s2', 'standby', 5434), node('late', 'standby', 5435, false)],
  readWriteUrl: '',
  readOnlyUrl: '',
  readOnlyBalancedUrl: '',
  preferStandbyUrl: '',
  excludedFromReads: [{ name: 'late', applyDelay: '5min', reason: 'applies WAL 5min after commit (applyDelay)' }],
  notes: [],
};

// The settings `env --format F` prints for the drivers the e2e tests cannot connect with (Prisma, Drizzle,
// Kysely, JDBC) and the others, pinned: the delayed standby is never a read replica, the multi-host read lists end
// with the primary, and a password appears only when given. UPDATE_GOLDEN=1 rewrites the files; review the diff.
describe('driver settings per format (golden files)', () => {
  for (const format of DRIVER_FORMATS) {
    for (const password of [undefined, 'p@ss:word']) {
      it(`${format}${password ? ' with the password shown' : ''}`, () => {
        const file = path.join(here, 'expected', 'drivers', `${format}${password ? '.with-password' : ''}.json`);
        const actual = JSON.stringify(driverSettings(env, format, password), null, 2) + '\n';
        if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
          mkdirSync(path.dirname(file), { recursive: true });
          writeFileSync(file, actual);
        }
        expect(actual).toBe(readFileSync(file, 'utf8'));
        if (!password) expect(actual).not.toMatch(/password/i);
      });
    }
  }
});

// A node on another host is named by its address there; an IPv6 address goes in brackets in URLs only.
describe('driver settings with a node on an IPv6 host', () => {
  const v6: ConnectionEnv = { ...env, nodes: [node('main', 'primary', 5432), { ...node('s1', 'standby', 5433), host: '2001:db8::2' }], excludedFromReads: [] };
  it('brackets the address in URLs and leaves it bare where a driver takes a host', () => {
    expect(driverSettings(v6, 'prisma').replicas).toEqual(['postgresql://app%20user@[2001:db8::2]:5433/shop']);
    expect(driverSettings(v6, 'jdbc').JDBC_READ_ONLY_URL).toBe('jdbc:postgresql://[2001:db8::2]:5433,127.0.0.1:5432/shop?targetServerType=secondary');
    expect(driverSettings(v6, 'node-postgres').replicas[0]).toMatchObject({ host: '2001:db8::2', port: 5433 });
  });
});
