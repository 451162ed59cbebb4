import type { PgNode } from '../postgres/pg-node.js';
import type { ClusterRuntime } from './cluster-runtime.js';

// A standby left out of the read pools, and why.
export interface ExcludedFromReads {
  name: string;
  // Why, for people ("applies WAL 5min after commit (applyDelay)").
  reason: string;
  // The configured apply delay ("5min"): the standby's data is this old on purpose.
  applyDelay: string;
}

// Connection settings for applications, without passwords: one URL per node, and libpq multi-host URLs that
// pick the read-write node or a read-only one (target_session_attrs), for read/write splitting.
export interface ConnectionEnv {
  passfile: string;
  // The user and database every URL names (the superuser; the database env was asked for).
  user: string;
  database: string;
  // readPool: whether reads may go to the node (false for a delayed standby).
  nodes: { name: string; role: string; url: string; host: string; port: number; readPool: boolean }[];
  readWriteUrl: string;
  readOnlyUrl: string;
  readOnlyBalancedUrl: string;
  preferStandbyUrl: string;
  // Standbys not in the read-only, balanced and prefer-standby URLs (they keep their own node URL): delayed
  // standbys, whose data is old by design, so an application reading through a pool never sees stale rows.
  excludedFromReads: ExcludedFromReads[];
  // What a user must know to use the URLs (nodes on other hosts: how the superuser gets in).
  notes: string[];
}

// Where an application reaches a node: a node on another host at that host's address, a node here as its handle
// says (127.0.0.1).
export function nodeAddress(node: PgNode): string {
  return node.machine.remote ? (node.machine.address ?? node.host) : node.host;
}

// A node's superuser URL for people, without the password, at the address it is reached at.
export function nodeUrl(node: PgNode, user: string, database = 'postgres'): string {
  return node.machine.remote ? `postgresql://${encodeURIComponent(user)}@${urlHost(nodeAddress(node))}:${node.port}/${encodeURIComponent(database)}` : node.url(database, user);
}

// A host as a URL names it: an IPv6 address in brackets.
export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

// Build the connection settings from the running topology.
export function connectionEnv(rt: ClusterRuntime, database = 'postgres'): ConnectionEnv {
  const user = encodeURIComponent(rt.spec.superuser.name);
  const db = encodeURIComponent(database);
  const primary = rt.primary;
  const standbys = rt.standbys;
  const delayOf = (name: string) => rt.spec.standbys.find((s) => s.name === name)?.applyDelay;
  const excludedFromReads = standbys.flatMap((n) => {
    const applyDelay = delayOf(n.name);
    return applyDelay ? [{ name: n.name, applyDelay, reason: `applies WAL ${applyDelay} after commit (applyDelay)` }] : [];
  });
  // The standbys reads may go to. The read-only URLs list them and then the primary: libpq skips the nodes that
  // are not in recovery, so a URL an application already holds still finds a standby after a switchover (the old
  // primary follows as a standby). Delayed standbys stay out: their data is old by design.
  const readers = standbys.filter((n) => !delayOf(n.name));
  const readPool = [...readers, primary];
  const hosts = (nodes: readonly PgNode[]) => nodes.map((n) => `${urlHost(nodeAddress(n))}:${n.port}`).join(',');
  const remote = [primary, ...standbys].filter((n) => n.machine.remote);
  // hotstandby reaches a node on another host through SSH and adds no pg_hba.conf rule for the superuser from other
  // machines: the URLs of those nodes work from a client that node's pg_hba.conf lets in.
  const notes = remote.length
    ? [
        `${remote.map((n) => `${n.name} (${n.machine.label})`).join(', ')} ${remote.length === 1 ? 'lives' : 'live'} on another host: hotstandby reaches ${remote.length === 1 ? 'it' : 'them'} only through SSH, and ${remote.length === 1 ? 'its' : 'their'} pg_hba.conf has no rule from hotstandby letting ${rt.spec.superuser.name} in from other machines; add a host rule (scram-sha-256) for your application's address there, or tunnel (ssh -L)`,
      ]
    : [];
  return {
    passfile: rt.layout.userPassfile,
    user: rt.spec.superuser.name,
    database,
    nodes: [primary, ...standbys].map((n) => ({
      name: n.name,
      role: n === primary ? 'primary' : 'standby',
      url: `postgresql://${user}@${urlHost(nodeAddress(n))}:${n.port}/${db}`,
      host: nodeAddress(n),
      port: n.port,
      readPool: !delayOf(n.name),
    })),
    // libpq tries the hosts in order and keeps the first that accepts writes (libpq 10+). Every node is listed,
    // so the URL still finds the primary after a promotion; a standby never accepts writes, delayed or not.
    readWriteUrl: `postgresql://${user}@${hosts([primary, ...standbys])}/${db}?target_session_attrs=read-write`,
    // A standby, the first that is up (libpq 14+); none when every standby is down (the primary is not read-only).
    readOnlyUrl: `postgresql://${user}@${hosts(readPool)}/${db}?target_session_attrs=read-only`,
    // A standby chosen at random, to spread reads (libpq 16+; older libpq refuses load_balance_hosts).
    readOnlyBalancedUrl: `postgresql://${user}@${hosts(readPool)}/${db}?target_session_attrs=read-only&load_balance_hosts=random`,
    // A standby when one is up, else the primary (libpq 14+).
    preferStandbyUrl: `postgresql://${user}@${hosts(readPool)}/${db}?target_session_attrs=prefer-standby`,
    excludedFromReads,
    notes,
  };
}
