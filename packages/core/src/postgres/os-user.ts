import { stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import { onWindows } from '../util/platform.js';
import { lookupPasswd } from './passwd-lookup.js';

// The operating-system account PostgreSQL programs run as (never root).
export interface ServerUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  // True when hotstandby itself runs as this user, so no switch of user is needed.
  isInvoker: boolean;
}

// The default OS user for servers when hotstandby is invoked as root.
export const DEFAULT_SERVER_OS_USER = 'postgres';

// True when this process runs as root.
export function runningAsRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

// The OS user that will run PostgreSQL: the invoker when not root, otherwise the configured (default postgres) account.
export function resolveServerUser(configured?: string): ServerUser {
  if (!runningAsRoot()) {
    const me = os.userInfo();
    if (configured && configured !== me.username) {
      throw new HotstandbyError('OS_USER', `postgres.osUser is "${configured}", but hotstandby runs as "${me.username}" and can only switch users as root`, {
        where: { key: 'postgres.osUser' },
        fix: onWindows()
          ? 'remove postgres.osUser: on Windows the servers run as you'
          : `remove postgres.osUser, or run hotstandby as root (it then runs the servers as ${configured})`,
      });
    }
    return invokerUser();
  }
  const name = configured ?? DEFAULT_SERVER_OS_USER;
  const entry = lookupPasswd(name);
  if (!entry) {
    throw new HotstandbyError('OS_USER', `the OS user "${name}" that must run PostgreSQL does not exist`, {
      where: { key: 'postgres.osUser' },
      fix: `create it (useradd --system --home-dir /var/lib/postgresql --shell /bin/sh ${name}) or set postgres.osUser to an existing non-root user`,
    });
  }
  if (entry.uid === 0) {
    throw new HotstandbyError('OS_USER', `the OS user "${name}" is root, and PostgreSQL refuses to run as root`, {
      where: { key: 'postgres.osUser' },
      fix: 'set postgres.osUser to an unprivileged account such as postgres',
    });
  }
  return { ...entry, isInvoker: false };
}

function invokerUser(): ServerUser {
  const me = os.userInfo();
  return { name: me.username, uid: me.uid, gid: me.gid, home: me.homedir, isInvoker: true };
}

// The OS user owning an existing path (for an adopted data directory, the account that must run its server).
// On Windows there is no owner to switch to (Node reports uid 0 for every file): the invoker runs every server.
export async function ownerOfPath(target: string): Promise<ServerUser> {
  if (onWindows()) return invokerUser();
  const st = await stat(target);
  const entry = lookupPasswd(st.uid);
  const invokerUid = typeof process.getuid === 'function' ? process.getuid() : -1;
  if (!entry) return { name: String(st.uid), uid: st.uid, gid: st.gid, home: '/', isInvoker: st.uid === invokerUid };
  return { ...entry, isInvoker: entry.uid === invokerUid };
}

// The first existing directory on the way to the target that the user cannot enter, or the target if it cannot write it.
// Checks the mode bits as the server will see them (its own uid and primary gid; root's spawn drops other groups).
// On Windows access is governed by ACLs, not mode bits (Node reports none that mean anything), so nothing is refused.
export async function findUnreachablePath(target: string, user: ServerUser, needWrite: boolean): Promise<string | undefined> {
  if (user.uid === 0 || onWindows()) return undefined;
  const absolute = path.resolve(target);
  const parts = absolute.split(path.sep).filter(Boolean);
  const chain = ['/', ...parts.map((_, i) => '/' + parts.slice(0, i + 1).join('/'))];
  let lastExisting: string | undefined;
  for (const dir of chain) {
    let st;
    try {
      st = await stat(dir);
    } catch {
      break;
    }
    lastExisting = dir;
    if (!st.isDirectory()) break;
    if (!hasPermission(st, user, 0o1)) return dir;
  }
  if (needWrite && lastExisting) {
    const st = await stat(lastExisting);
    if (st.isDirectory() && !hasPermission(st, user, 0o2)) return lastExisting;
  }
  return undefined;
}

function hasPermission(st: { mode: number; uid: number; gid: number }, user: ServerUser, bit: number): boolean {
  if (st.uid === user.uid) return (st.mode & (bit << 6)) !== 0;
  if (st.gid === user.gid) return (st.mode & (bit << 3)) !== 0;
  return (st.mode & bit) !== 0;
}
