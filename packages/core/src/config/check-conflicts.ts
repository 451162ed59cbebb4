import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { ClusterSpec, NodeSpec } from './cluster-spec.js';
import { isInside } from '../util/is-inside.js';
import { servesTls } from '../tls/tls-decisions.js';

// A CONFIG_CONFLICT error naming the config and the key.
export function conflict(where: string, message: string, key: string, fix: string, file?: string): HotstandbyError {
  return new HotstandbyError('CONFIG_CONFLICT', `invalid config in ${where}: ${message}`, { where: { file, key }, fix });
}

// Refuse a spec whose nodes contradict each other (names, ports, slots, upstreams, directories, role name).
export function checkConflicts(spec: ClusterSpec, where: string): void {
  const file = spec.source.path;
  const nodes = [spec.primary, ...spec.standbys];
  const keyOf = (n: NodeSpec, field: string) => (n.role === 'primary' ? `primary.${field}` : `standbys[${spec.standbys.indexOf(n)}].${field}`);

  const names = new Map<string, NodeSpec>();
  for (const n of nodes) {
    const before = names.get(n.name);
    if (before)
      throw conflict(where, `node name "${n.name}" is used twice (${keyOf(before, 'name')} and ${keyOf(n, 'name')})`, keyOf(n, 'name'), 'give every node its own name', file);
    names.set(n.name, n);
  }
  // Nodes on different hosts may listen on the same port number.
  const ports = new Map<string, NodeSpec>();
  for (const n of nodes) {
    const key = `${n.host?.host ?? ''}:${n.port}`;
    const before = ports.get(key);
    if (before)
      throw conflict(
        where,
        `port ${n.port} is used by both ${before.name} (${keyOf(before, 'port')}) and ${n.name} (${keyOf(n, 'port')})`,
        keyOf(n, 'port'),
        'give every node its own port',
        file,
      );
    ports.set(key, n);
  }
  const slots = new Map<string, NodeSpec>();
  for (const n of spec.standbys) {
    const key = `${n.upstream}/${n.slot}`;
    const before = slots.get(key);
    if (before)
      throw conflict(
        where,
        `standbys ${before.name} and ${n.name} would share the replication slot "${n.slot}" on ${n.upstream}`,
        keyOf(n, 'slot'),
        `set a distinct "slot" for ${n.name}`,
        file,
      );
    slots.set(key, n);
  }
  for (const n of spec.standbys) {
    if (!names.has(n.upstream!)) {
      throw conflict(
        where,
        `standby ${n.name} streams from "${n.upstream}", which is not a node of this cluster`,
        keyOf(n, 'upstream'),
        `name the primary or another standby (${[...names.keys()].join(', ')})`,
        file,
      );
    }
    if (n.upstream === n.name) throw conflict(where, `standby ${n.name} cannot stream from itself`, keyOf(n, 'upstream'), 'remove "upstream" or name another node', file);
    const seen = new Set<string>([n.name]);
    for (let up = names.get(n.upstream!)!; up.role === 'standby'; up = names.get(up.upstream!)!) {
      if (seen.has(up.name))
        throw conflict(where, `the upstreams of ${[...seen].join(' → ')} form a cycle`, keyOf(n, 'upstream'), 'every chain of upstreams must end at the primary', file);
      seen.add(up.name);
    }
    if (n.synchronous && n.upstream !== spec.primary.name) {
      throw conflict(
        where,
        `standby ${n.name} is synchronous but streams from ${n.upstream}; only standbys connected to the primary can be synchronous`,
        keyOf(n, 'synchronous'),
        `remove "synchronous" or "upstream" from ${n.name}`,
        file,
      );
    }
  }
  const sync = spec.standbys.filter((n) => n.synchronous).length;
  if (sync > 0 && spec.replication.synchronous.count > sync) {
    throw conflict(
      where,
      `replication.synchronous.count is ${spec.replication.synchronous.count}, but only ${sync} standby(s) are synchronous; every commit would wait forever`,
      'replication.synchronous.count',
      `lower the count to at most ${sync} or mark more standbys "synchronous": true`,
      file,
    );
  }
  for (const a of nodes) {
    for (const b of nodes) {
      if (a === b) continue;
      // Nodes on different machines may use the same paths.
      if ((a.host?.host ?? '') !== (b.host?.host ?? '')) continue;
      if (a.dataDir === b.dataDir) {
        throw conflict(where, `${a.name} and ${b.name} have the same data directory ${a.dataDir}`, keyOf(b, 'dataDir'), 'give every node its own data directory', file);
      }
      if (isInside(b.dataDir, a.dataDir)) {
        throw conflict(
          where,
          `the data directory of ${b.name} (${b.dataDir}) is inside the data directory of ${a.name} (${a.dataDir})`,
          keyOf(b, 'dataDir'),
          `move ${b.name}'s data directory outside ${a.dataDir}`,
          file,
        );
      }
    }
    if (!a.host && (a.dataDir === spec.stateDir || isInside(spec.stateDir, a.dataDir))) {
      throw conflict(where, `the state directory ${spec.stateDir} is inside the data directory of ${a.name}`, 'stateDir', 'set stateDir outside every data directory', file);
    }
  }
  if (spec.archive) {
    for (const n of nodes) {
      if (spec.archive.dir === n.dataDir || isInside(spec.archive.dir, n.dataDir)) {
        throw conflict(
          where,
          `the archive directory ${spec.archive.dir} is inside the data directory of ${n.name}`,
          'archive.dir',
          'put the archive outside every data directory',
          file,
        );
      }
    }
  }
  checkTlsCerts(spec, where);
  const user = spec.replication.user;
  if (Buffer.byteLength(user) > 63)
    throw conflict(
      where,
      `replication.user is ${Buffer.byteLength(user)} bytes; PostgreSQL would silently cut it to 63`,
      'replication.user',
      'use a role name of at most 63 bytes',
      file,
    );
  if (/[\0-\x1f\x7f]/.test(user)) throw conflict(where, 'replication.user contains a control character', 'replication.user', 'use a role name without control characters', file);
  if (/^pg_/.test(user))
    throw conflict(where, `replication.user "${user}" starts with pg_, which PostgreSQL reserves`, 'replication.user', 'choose a name that does not start with pg_', file);
  if (user === spec.superuser.name)
    throw conflict(where, `replication.user is the superuser "${user}"`, 'replication.user', 'use a separate role for replication (least privilege)', file);
}

// Certificates given by node name name nodes of the cluster; with a CA but not its key, every node that serves TLS
// needs its certificate given (nothing could sign one).
function checkTlsCerts(spec: ClusterSpec, where: string): void {
  const tls = spec.tls;
  if (!tls?.ca) return;
  const nodes = [spec.primary, ...spec.standbys];
  for (const name of Object.keys(tls.certs ?? {})) {
    if (!nodes.some((n) => n.name === name))
      throw conflict(
        where,
        `tls.certs names "${name}", which is not a node of this cluster`,
        `tls.certs.${name}`,
        `use node names (${nodes.map((n) => n.name).join(', ')})`,
        spec.source.path,
      );
  }
  if (tls.caKey) return;
  const missing = nodes.filter((n) => servesTls(spec, n) && !tls.certs?.[n.name]).map((n) => n.name);
  if (missing.length > 0)
    throw conflict(
      where,
      `tls.ca is set without tls.caKey, so every node serving replication between hosts needs its certificate in tls.certs; ${missing.join(', ')} ${missing.length === 1 ? 'has' : 'have'} none`,
      'tls.certs',
      `add tls.certs.${missing[0]}: { "cert": "...", "key": "..." }, or give tls.caKey so hotstandby signs certificates with your CA`,
      spec.source.path,
    );
}
