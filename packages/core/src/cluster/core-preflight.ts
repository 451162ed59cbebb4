import { existsSync, statSync } from 'node:fs';
import { access, constants, readFile } from 'node:fs/promises';
import path from 'node:path';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import { inspectDataDir } from '../postgres/data-dir.js';
import { findUnreachablePath } from '../postgres/os-user.js';
import { majorLabel } from '../postgres/versions.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import type { Machine } from '../hosts/machine.js';
import { hostSeenFrom } from '../hosts/node-address.js';
import type { PgNode } from '../postgres/pg-node.js';
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
  const localNodes = rt.nodes.filter((n) => !n.machine.remote);
  const paths: [string, string][] = [
    [rt.layout.root, 'the state directory'],
    ...(localNodes.length > 0 ? [[rt.binaries.binDir, 'the PostgreSQL binaries'] as [string, string]] : []),
    ...localNodes.map((n): [string, string] => [n.dataDir, `the data directory of ${n.name}`]),
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
  await checkLocalUpstreamsReachable(rt);
  for (const node of rt.nodes.filter((n) => n.machine.remote)) await checkRemoteDataDir(node);
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
  for (const node of rt.nodes) {
    const first = await unprivilegedPortStart(node.machine);
    if (node.port >= first || (node === rt.primary && rt.primaryAdopted)) continue;
    const key = node === rt.primary ? 'primary.port' : `standbys[${rt.standbys.indexOf(node)}].port`;
    throw new HotstandbyError(
      'CONFIG_INVALID',
      `${key} is ${node.port}, a privileged port: PostgreSQL runs as "${node.osUser.name}", not root, and cannot listen on ports below ${first}${node.machine.remote ? ` on ${node.machine.label}` : ''}`,
      {
        where: { key, node: node.name, file: rt.spec.source.path },
        fix: `choose a port from ${first} to 65535 (PostgreSQL's usual ones are 5432 and up)`,
      },
    );
  }
}

async function unprivilegedPortStart(machine: Machine): Promise<number> {
  if (!machine.remote && process.platform !== 'linux') return process.platform === 'win32' ? 0 : 1024;
  const file = '/proc/sys/net/ipv4/ip_unprivileged_port_start';
  const text = machine.remote ? ((await machine.readFile(file))?.toString('utf8') ?? '1024') : await readFile(file, 'utf8').catch(() => '1024');
  const value = Number(text.trim());
  return Number.isInteger(value) ? value : 1024;
}

// A standby on another host that streams from a node on this machine reaches it at the address this machine's
// route to that host leaves from (hostSeenFrom), which its listen_addresses, certificate and pg_hba rule name. Only
// that route can tell it: without one (or without iproute2's `ip`, which only Linux has) the standby could never
// connect, so that is refused here, before anything changes.
async function checkLocalUpstreamsReachable(rt: ClusterRuntime): Promise<void> {
  for (const standby of rt.standbys) {
    const spec = rt.spec.standbys.find((s) => s.name === standby.name);
    const upstream = rt.nodes.find((n) => n.name === (spec?.upstream ?? rt.primary.name));
    if (!standby.machine.remote || !upstream || upstream.machine.remote) continue;
    const index = rt.configSpec.standbys.findIndex((s) => s.name === standby.name);
    const where = { node: standby.name, ...(index >= 0 ? { key: `standbys[${index}].host`, file: rt.spec.source.path } : {}) };
    const what = `${standby.name} on ${standby.machine.label} streams from ${upstream.name} on this machine`;
    const elsewhere = `or put ${upstream.name} on a host of its own too (give it "host")`;
    if (process.platform !== 'linux') {
      throw new HotstandbyError('TOPOLOGY_CONFLICT', `${what}, but only on Linux can hotstandby tell the address ${standby.machine.label} reaches this machine at (ip route get)`, {
        where,
        fix: `run hotstandby on a Linux machine with iproute2, ${elsewhere}`,
      });
    }
    try {
      await hostSeenFrom(upstream, standby);
    } catch (error) {
      if (!(error instanceof HotstandbyError)) throw error;
      throw new HotstandbyError('TOPOLOGY_CONFLICT', `${what}, but this machine cannot tell the address that host reaches it at: ${error.message}`, {
        where,
        detail: error.detail,
        fix: `${error.fix ?? 'check the network between this machine and that host'}, ${elsewhere}`,
      });
    }
  }
}

// A data directory on another host: the server's account there can reach it (every directory above the part that
// exists lets it through), checked on that host as that account, before anything is created.
async function checkRemoteDataDir(node: PgNode): Promise<void> {
  const script = [
    'd=$1',
    'while [ ! -e "$d" ]; do d=$(dirname -- "$d"); done',
    'if [ "$d" = "$1" ]; then [ -d "$d" ] && [ -x "$d" ] && [ -w "$d" ] && [ -r "$d" ] || { printf %s "$d"; exit 4; }',
    'else cd -- "$d" 2>/dev/null || { printf %s "$d"; exit 4; }; fi',
  ].join('\n');
  const result = await node.machine.runAllowFailure('sh', ['-c', script, 'check-reach', node.dataDir], { user: node.osUser, purpose: `check ${node.dataDir}` });
  if (result.exitCode === 0) return;
  const blocked = result.stdout.trim() || node.dataDir;
  throw serverUserCannotReach(node.osUser.name, blocked, `the data directory of ${node.name} on ${node.machine.label}`, node.dataDir).within({
    host: node.machine.label,
    node: node.name,
  });
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
