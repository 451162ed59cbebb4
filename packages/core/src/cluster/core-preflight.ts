import { existsSync, statSync } from 'node:fs';
import { access, constants, readFile } from 'node:fs/promises';
import path from 'node:path';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import { inspectDataDir } from '../postgres/data-dir.js';
import { findUnreachablePath } from '../postgres/os-user.js';
import { majorLabel } from '../postgres/versions.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { checkNoDanglingLinks } from './dangling-links.js';
import { checkShellSafePaths } from './shell-safe-paths.js';
import { serverUserCannotReach } from '../errors/error-factories.js';

// Checks core makes before `up` changes anything: no path pg_ctl cannot pass through the shell, every path
// reachable by the server's OS user and writable where the tool must create things, and no standby data
// directory that belongs to something else.
export async function corePreflight(rt: ClusterRuntime): Promise<void> {
  checkShellSafePaths(rt);
  await checkNoDanglingLinks(rt);
  const user = rt.serverUser;
  // First, so that an archive the server's user cannot write gets that fix, not "let it through: chmod o+x".
  await checkArchiveWritable(rt);
  const paths: [string, string][] = [
    [rt.layout.root, 'the state directory'],
    [rt.binaries.binDir, 'the PostgreSQL binaries'],
    ...rt.nodes.map((n): [string, string] => [n.dataDir, `the data directory of ${n.name}`]),
    ...(rt.spec.archive ? [[rt.spec.archive.dir, 'the WAL archive'] as [string, string]] : []),
  ];
  for (const [target, what] of paths) {
    const blocked = await findUnreachablePath(target, user, false);
    if (blocked) {
      throw serverUserCannotReach(user.name, blocked, what, target);
    }
    await checkInvokerCanCreate(target, what);
  }
  const archiveDir = rt.spec.archive?.dir;
  if (archiveDir && existsSync(archiveDir) && !statSync(archiveDir).isDirectory()) {
    throw new HotstandbyError('CONFIG_INVALID', `archive.dir (${archiveDir}) is a file, not a directory: archive_command could never copy WAL into it`, {
      where: { key: 'archive.dir', file: rt.spec.source.path },
      fix: 'point archive.dir at a directory, or at a path that does not exist yet (hotstandby creates it)',
    });
  }
  await checkPortsBindable(rt);
  const primarySystemId = rt.primaryInfo.systemIdentifier;
  for (const standby of rt.standbys) {
    const info = await inspectDataDir(standby.dataDir, standby.machine);
    const key = `standbys[${rt.standbys.indexOf(standby)}].dataDir`;
    if (info.kind === 'not-a-directory' || info.kind === 'not-a-cluster') {
      throw new HotstandbyError(
        'DATA_DIR_CONFLICT',
        `the data directory of ${standby.name} (${standby.dataDir}) ${info.kind === 'not-a-directory' ? 'is a file' : 'is not empty and holds no PostgreSQL cluster'}`,
        {
          where: { node: standby.name, key },
          fix: `point ${key} at an empty directory or a path that does not exist yet; hotstandby never deletes what it did not create`,
        },
      );
    }
    if (info.kind === 'cluster' && info.major !== undefined && info.major !== rt.binaries.major) {
      throw new HotstandbyError(
        'UNSUPPORTED_VERSION',
        `the data directory of ${standby.name} (${standby.dataDir}) is PostgreSQL ${majorLabel(info.major)}, but the primary runs PostgreSQL ${rt.binaries.version}`,
        {
          where: { node: standby.name, key },
          fix: 'primary and standbys must share one major: move that directory away and let hotstandby take a new base backup',
        },
      );
    }
    if (info.kind === 'cluster' && primarySystemId && info.systemIdentifier && info.systemIdentifier !== primarySystemId) {
      throw new HotstandbyError(
        'DATA_DIR_CONFLICT',
        `the data directory of ${standby.name} (${standby.dataDir}) holds a different cluster (system identifier ${info.systemIdentifier}, the primary's is ${primarySystemId})`,
        {
          where: { node: standby.name, key },
          fix: `move it away or point ${key} elsewhere; a standby must be a base backup of its primary`,
        },
      );
    }
  }
}

// An existing archive directory the server's user cannot write into: archive_command would fail for every WAL
// segment (and WAL pile up on the primary) while everything else looks fine.
async function checkArchiveWritable(rt: ClusterRuntime): Promise<void> {
  const dir = rt.spec.archive?.dir;
  if (!dir || !existsSync(dir) || !statSync(dir).isDirectory()) return;
  const blocked = await findUnreachablePath(dir, rt.serverUser, true);
  if (blocked !== path.resolve(dir)) return;
  throw new HotstandbyError(
    'PATH_UNREACHABLE',
    `the OS user "${rt.serverUser.name}" that runs PostgreSQL cannot write into the WAL archive ${dir}: archive_command would fail for every WAL segment`,
    {
      where: { key: 'archive.dir', file: rt.spec.source.path },
      fix: `give it to that user (chown ${rt.serverUser.name} ${dir}), or point archive.dir at a directory it can write (or one that does not exist yet: hotstandby creates it)`,
    },
  );
}

// PostgreSQL never runs as root, so it cannot listen on a privileged port (below 1024 on Linux, unless the
// system lowered net.ipv4.ip_unprivileged_port_start). Refused before initdb rather than failing at the start.
async function checkPortsBindable(rt: ClusterRuntime): Promise<void> {
  const first = await unprivilegedPortStart();
  for (const node of rt.nodes) {
    if (node.port >= first || (node === rt.primary && rt.primaryAdopted)) continue;
    const key = node === rt.primary ? 'primary.port' : `standbys[${rt.standbys.indexOf(node)}].port`;
    throw new HotstandbyError(
      'CONFIG_INVALID',
      `${key} is ${node.port}, a privileged port: PostgreSQL runs as "${rt.serverUser.name}", not root, and cannot listen on ports below ${first}`,
      {
        where: { key, node: node.name, file: rt.spec.source.path },
        fix: `choose a port from ${first} to 65535 (PostgreSQL's usual ones are 5432 and up)`,
      },
    );
  }
}

async function unprivilegedPortStart(): Promise<number> {
  if (process.platform !== 'linux') return process.platform === 'win32' ? 0 : 1024;
  const text = await readFile('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').catch(() => '1024');
  const value = Number(text.trim());
  return Number.isInteger(value) ? value : 1024;
}

async function checkInvokerCanCreate(target: string, what: string): Promise<void> {
  let dir = path.resolve(target);
  for (;;) {
    try {
      await access(dir, constants.F_OK);
      break;
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) return;
      dir = parent;
    }
  }
  if (dir === path.resolve(target)) return;
  try {
    await access(dir, constants.W_OK | constants.X_OK);
  } catch {
    throw new HotstandbyError('PATH_UNREACHABLE', `cannot create ${what} ${target}: ${dir} is not writable for you`, {
      fix: `choose another location or make ${dir} writable`,
    });
  }
}
