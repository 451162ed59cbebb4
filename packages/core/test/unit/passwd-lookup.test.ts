import { chmod, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lookupPasswd } from '../../src/postgres/passwd-lookup.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir('hotstandby-passwd-');
});
afterEach(async () => {
  await removeTempDir(dir);
});

// A stand-in for getent whose database holds one account that /etc/passwd does not (as LDAP or sssd would).
async function getentWithDirectoryUser(): Promise<string> {
  const file = path.join(dir, 'getent');
  await writeFile(file, `#!/bin/sh\n[ "$1" = passwd ] || exit 1\ncase "$2" in ldapuser|5001) echo 'ldapuser:*:5001:5002:LDAP user:/home/ldapuser:/bin/sh' ;; *) exit 2 ;; esac\n`);
  await chmod(file, 0o755);
  return file;
}

describe('looking up an OS account', () => {
  it('finds an account only the system resolver knows (not in /etc/passwd), by name and by uid', async () => {
    expect(readFileSync('/etc/passwd', 'utf8')).not.toMatch(/^ldapuser:/m);
    const getent = await getentWithDirectoryUser();
    const expected = { name: 'ldapuser', uid: 5001, gid: 5002, home: '/home/ldapuser' };
    expect(lookupPasswd('ldapuser', getent)).toEqual(expected);
    expect(lookupPasswd(5001, getent)).toEqual(expected);
    expect(lookupPasswd('nobody-here', getent)).toBeUndefined();
  });

  it('agrees with /etc/passwd for a local account through the real getent', () => {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('root:'))!;
    const home = line.split(':')[5];
    expect(lookupPasswd('root')).toEqual({ name: 'root', uid: 0, gid: 0, home });
    expect(lookupPasswd(0)?.name).toBe('root');
  });

  it('reads /etc/passwd where getent is missing', () => {
    expect(lookupPasswd('root', path.join(dir, 'no-getent'))).toMatchObject({ name: 'root', uid: 0 });
    expect(lookupPasswd('no-such-account-here', path.join(dir, 'no-getent'))).toBeUndefined();
  });
});
