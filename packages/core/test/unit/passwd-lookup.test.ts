import { chmod, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
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

  it('answers from /etc/passwd without starting getent when nsswitch.conf consults files first', async () => {
    const marker = path.join(dir, 'getent-ran');
    const getent = path.join(dir, 'getent');
    await writeFile(getent, `#!/bin/sh\ntouch '${marker}'\necho 'dbuser:*:7001:7001::/elsewhere:/bin/sh'\n`);
    await chmod(getent, 0o755);
    const files = { nsswitch: path.join(dir, 'nsswitch.conf'), passwd: path.join(dir, 'passwd') };
    await writeFile(files.nsswitch, '# local accounts first\npasswd:         files systemd\ngroup: files\n');
    await writeFile(files.passwd, 'root:x:0:0:root:/root:/bin/sh\ndbuser:x:6001:6002:DB:/var/lib/db:/bin/sh\n');
    expect(lookupPasswd('dbuser', getent, files)).toEqual({ name: 'dbuser', uid: 6001, gid: 6002, home: '/var/lib/db' });
    expect(lookupPasswd(6001, getent, files)?.name).toBe('dbuser');
    expect(existsSync(marker)).toBe(false);
    // An account the file does not hold is still asked of the system resolver.
    expect(lookupPasswd('ldapuser', await getentWithDirectoryUser(), files)?.uid).toBe(5001);
  });

  it('asks getent first when nsswitch.conf puts another source before files', async () => {
    const files = { nsswitch: path.join(dir, 'nsswitch.conf'), passwd: path.join(dir, 'passwd') };
    await writeFile(files.nsswitch, 'passwd: ldap files\n');
    await writeFile(files.passwd, 'ldapuser:x:6001:6002:shadowed:/home/local:/bin/sh\n');
    expect(lookupPasswd('ldapuser', await getentWithDirectoryUser(), files)?.uid).toBe(5001);
  });
});
