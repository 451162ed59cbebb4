import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

// One account of the system's user database.
export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

// An account by name or uid, as the system resolves it: through `getent passwd`, so accounts from every NSS
// source (LDAP, sssd, ...) are found, and from /etc/passwd only where getent is missing.
export function lookupPasswd(key: string | number, getent = 'getent'): PasswdEntry | undefined {
  let output: string;
  try {
    output = execFileSync(getent, ['passwd', String(key)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return fromPasswdFile(key);
    // getent exits 2 for "no such key".
    return undefined;
  }
  const line = output.split('\n').find((l) => l.trim() !== '');
  return line ? parsePasswdLine(line) : undefined;
}

// A line of passwd(5): name:password:uid:gid:gecos:home:shell.
export function parsePasswdLine(line: string): PasswdEntry | undefined {
  const f = line.split(':');
  if (f.length < 7 || !/^\d+$/.test(f[2]!) || !/^\d+$/.test(f[3]!)) return undefined;
  return { name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5]! };
}

function fromPasswdFile(key: string | number): PasswdEntry | undefined {
  let text: string;
  try {
    text = readFileSync('/etc/passwd', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const entry = parsePasswdLine(line);
    if (entry && (typeof key === 'number' ? entry.uid === key : entry.name === key)) return entry;
  }
  return undefined;
}
