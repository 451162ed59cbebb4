import path from 'node:path';
import { NODE_NAME_PATTERN } from '../config/name-patterns.js';
import type { NodeHostSpec, NodeSpec } from '../config/cluster-spec.js';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import { findFreePort, isPortFree } from '../postgres/ports.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { describeCharacter, shellActiveCharacter } from './shell-safe-paths.js';
import { isInside } from '../util/is-inside.js';

// What `add-standby` asks for (paths already absolute).
export interface AddStandbyRequest {
  name: string;
  port?: number;
  dataDir?: string;
  upstream?: string;
  synchronous?: boolean;
  applyDelay?: string;
  // The host it goes on (absent: this machine).
  host?: NodeHostSpec;
}

// The request with its defaults filled in: the port to use and the data directory.
export interface CheckedAddStandby {
  port: number;
  dataDir: string;
}

// Refuse a request that does not fit the cluster before anything is recorded, naming the command's own argument
// and options (<name>, --port, --data-dir, --upstream, --synchronous): the new standby is not in the config, so a
// config key or file would point the user at the wrong place.
export async function checkAddStandbyRequest(rt: ClusterRuntime, request: AddStandbyRequest): Promise<CheckedAddStandby> {
  const { name } = request;
  const where = { node: name };
  const known: NodeSpec[] = [rt.spec.primary, ...rt.spec.standbys, ...(rt.spec.detached ?? [])];
  if (!NODE_NAME_PATTERN.test(name)) {
    throw new HotstandbyError('CONFIG_INVALID', `"${name}" is not a valid node name`, {
      fix: 'start with a lower-case letter and use only a-z, 0-9, _ and - (at most 40 characters)',
    });
  }
  if (known.some((n) => n.name === name)) {
    throw new HotstandbyError('CONFIG_CONFLICT', `there is already a node named ${name}`, { fix: 'choose another name' });
  }
  const primary = rt.primary.name;
  const upstream = request.upstream ?? primary;
  if (!known.some((n) => n.name === upstream) || rt.spec.detached?.some((n) => n.name === upstream)) {
    throw new HotstandbyError('TOPOLOGY_CONFLICT', `--upstream ${upstream} is not a running part of this cluster`, { where, fix: `name the primary (${primary}) or a standby` });
  }
  if (request.synchronous && upstream !== primary) {
    throw new HotstandbyError(
      'TOPOLOGY_CONFLICT',
      `--synchronous and --upstream ${upstream} do not go together: ${upstream} is a standby, and only standbys that stream from the primary (${primary}) can be synchronous`,
      {
        where,
        fix: `leave out --synchronous to add ${name} as an asynchronous standby of ${upstream}, or leave out --upstream to let it stream from ${primary}`,
      },
    );
  }
  const slot = name.replace(/-/g, '_');
  const sharing = rt.spec.standbys.find((s) => s.upstream === upstream && s.slot === slot);
  if (sharing) {
    throw new HotstandbyError('CONFIG_CONFLICT', `${name} would use the replication slot "${slot}" on ${upstream}, which ${sharing.name} already uses`, {
      where,
      fix: `choose a name whose slot (the name with - as _) differs from "${slot}"`,
    });
  }
  if (request.host) return checkRemoteStandby(rt, { ...request, host: request.host }, known);
  const taken = new Set(known.filter((n) => !n.host).map((n) => rt.node(n.name).port));
  if (request.port !== undefined && (taken.has(request.port) || !(await isPortFree(request.port)))) {
    throw new HotstandbyError('PORT_IN_USE', `--port ${request.port} for ${name} is already in use`, {
      where,
      fix: 'choose a free port with --port, or leave --port out to get one',
    });
  }
  const dataDir = request.dataDir ?? path.join(rt.layout.dataRoot, name);
  checkDataDir(
    rt,
    name,
    dataDir,
    request.dataDir !== undefined,
    known.filter((n) => !n.host),
  );
  const port = request.port ?? (await findFreePort(Math.max(...taken) + 1, taken));
  return { port, dataDir };
}

// A standby on another host: its data directory there must be given as an absolute path and be its own among the
// nodes of that host; its port defaults to PostgreSQL's usual 5432 (or the next one no node there uses). Whether the
// port is free there is checked on that host when the standby is built.
function checkRemoteStandby(rt: ClusterRuntime, request: AddStandbyRequest & { host: NodeHostSpec }, known: readonly NodeSpec[]): CheckedAddStandby {
  const { name, host } = request;
  if (!request.dataDir || !path.posix.isAbsolute(request.dataDir)) {
    throw new HotstandbyError('CONFIG_INVALID', `${name} goes on ${host.host}, so it needs --data-dir: an absolute path on that host`, {
      where: { node: name },
      fix: `add --data-dir /var/lib/postgresql/hotstandby/${name} (or wherever its data directory goes on ${host.host})`,
    });
  }
  const sameHost = known.filter((n) => n.host?.host === host.host);
  const taken = new Set(sameHost.map((n) => rt.node(n.name).port));
  if (request.port !== undefined && taken.has(request.port)) {
    throw new HotstandbyError('PORT_IN_USE', `--port ${request.port} is already used by another node on ${host.host}`, {
      where: { node: name },
      fix: 'choose another --port, or leave it out to get one',
    });
  }
  checkDataDir(rt, name, request.dataDir, true, sameHost);
  let port = request.port ?? 5432;
  while (request.port === undefined && taken.has(port)) port++;
  return { port, dataDir: request.dataDir };
}

// The data directory must be the new standby's own (not another node's, not around the state or archive
// directory) and passable to pg_ctl.
function checkDataDir(rt: ClusterRuntime, name: string, dataDir: string, given: boolean, known: readonly NodeSpec[]): void {
  const option = given ? `--data-dir ${dataDir}` : `the default data directory ${dataDir}`;
  const fix = given ? `choose another --data-dir for ${name}` : `give ${name} its own directory with --data-dir`;
  const where = { node: name };
  const ch = shellActiveCharacter(dataDir);
  if (ch) {
    throw new HotstandbyError(
      'CONFIG_INVALID',
      `${option} contains ${describeCharacter(ch)}, which pg_ctl cannot pass to the server (it runs the data directory through /bin/sh inside double quotes)`,
      {
        where,
        fix: `${fix}, without $, \`, " or \\ (spaces and single quotes are fine)`,
      },
    );
  }
  for (const other of known) {
    const clash =
      other.dataDir === dataDir
        ? `is the data directory of ${other.name}`
        : isInside(dataDir, other.dataDir)
          ? `is inside the data directory of ${other.name} (${other.dataDir})`
          : isInside(other.dataDir, dataDir)
            ? `holds the data directory of ${other.name} (${other.dataDir})`
            : undefined;
    if (clash) throw new HotstandbyError('CONFIG_CONFLICT', `${option} ${clash}`, { where, fix });
  }
  for (const [dir, what] of [
    [rt.layout.root, 'the state directory'],
    [rt.spec.archive?.dir, 'the WAL archive'],
  ] as const) {
    if (dir && (dir === dataDir || isInside(dir, dataDir))) throw new HotstandbyError('CONFIG_CONFLICT', `${option} holds ${what} (${dir})`, { where, fix });
  }
}
