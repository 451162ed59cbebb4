import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

// One account of the system's user database.
export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

// Where the account database is configured and kept (tests point these elsewhere).
export interface PasswdFiles {
  nsswitch: string;
  passwd: string;
}

const SYSTEM_FILES: PasswdFiles = { nsswitch: '/etc/nsswitch.conf', passwd: '/etc/passwd' };

// An account by name or uid, as the system resolves it. Where nsswitch.conf consults /etc/passwd before any other
// source, an account found there is the system's answer and is read directly (no program to start); otherwise,
// and for accounts not in the file, through `getent passwd`, so accounts from every NSS source (LDAP, sssd, ...)
// are found; from /etc/passwd only where getent is missing.
export function lookupPasswd(key: string | number, getent = 'getent', files: PasswdFiles = SYSTEM_FILES): PasswdEntry | undefined {
  if (passwdFilesFirst(files.nsswitch)) {
    const local = fromPasswdFile(key, files.passwd);
    if (local) return local;
  }
  let output: string;
  try {
    output = execFileSync(getent, ['passwd', String(key)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return fromPasswdFile(key, files.passwd);
    // getent exits 2 for "no such key".
    return undefined;
  }
  const line = output.split('\n').find((l) => l.trim() !== '');
  return line ? parsePasswdLine(line) : undefined;
}

// True when nsswitch.conf's passwd line names "files" as its first source (Debian's and most systems' default).
function passwdFilesFirst(nsswitch: string): boolean {
  let text: string;
  try {
    text = readFileSync(nsswitch, 'utf8');
  } catch {
    return false;
  }
  const line = text.split('\n').find((l) => /^\s*passwd\s*:/.test(l));
  const first = line?.replace(/#.*/, '').split(':')[1]?.trim().split(/\s+/)[0];
  return first === 'files';
}

// A line of passwd(5): name:password:uid:gid:gecos:home:shell.
export function parsePasswdLine(line: string): PasswdEntry | undefined {
  const f = line.split(':');
  if (f.length < 7 || !/^\d+$/.test(f[2]!) || !/^\d+$/.test(f[3]!)) return undefined;
  return { name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5]! };
}

function fromPasswdFile(key: string | number, file: string): PasswdEntry | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const entry = parsePasswdLine(line);
    if (entry && (typeof key === 'number' ? entry.uid === key : entry.name === key)) return entry;
  }
  return undefined;
}
