import type { ClusterRuntime } from './cluster-runtime.js';

// Connection settings for applications, without passwords: one URL per node, and libpq multi-host URLs that
// pick the read-write node or a read-only one (target_session_attrs), for read/write splitting.
export interface ConnectionEnv {
  passfile: string;
  nodes: { name: string; role: string; url: string }[];
  readWriteUrl: string;
  readOnlyUrl: string;
  readOnlyBalancedUrl: string;
  preferStandbyUrl: string;
}

// Build the connection settings from the running topology.
export function connectionEnv(rt: ClusterRuntime, database = 'postgres'): ConnectionEnv {
  const user = encodeURIComponent(rt.spec.superuser.name);
  const db = encodeURIComponent(database);
  const primary = rt.primary;
  const standbys = rt.standbys;
  const hosts = (nodes: readonly { host: string; port: number }[]) => nodes.map((n) => `${n.host}:${n.port}`).join(',');
  return {
    passfile: rt.layout.userPassfile,
    nodes: [primary, ...standbys].map((n) => ({ name: n.name, role: n === primary ? 'primary' : 'standby', url: n.url(database) })),
    // libpq tries the hosts in order and keeps the first that accepts writes (libpq 10+).
    readWriteUrl: `postgresql://${user}@${hosts([primary, ...standbys])}/${db}?target_session_attrs=read-write`,
    // A standby, the first that is up (libpq 14+).
    readOnlyUrl: `postgresql://${user}@${hosts(standbys.length ? standbys : [primary])}/${db}?target_session_attrs=read-only`,
    // A standby chosen at random, to spread reads (libpq 16+; older libpq refuses load_balance_hosts).
    readOnlyBalancedUrl: `postgresql://${user}@${hosts(standbys.length ? standbys : [primary])}/${db}?target_session_attrs=read-only&load_balance_hosts=random`,
    // A standby when one is up, else the primary (libpq 14+).
    preferStandbyUrl: `postgresql://${user}@${hosts([...standbys, primary])}/${db}?target_session_attrs=prefer-standby`,
  };
}
