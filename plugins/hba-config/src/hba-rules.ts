import {
  hbaPasswordMethod,
  hostSeenFrom,
  onSameMachine,
  replicationHbaType,
  singleAddressRange,
  sourceAddressTowards,
  upstreamOf,
  type HbaRule,
  type PgNode,
  type StepContext,
} from '@hotstandby/core';

// Where a standby on another machine than its upstream connects from, and the rule type its connection needs
// (hostssl when replication between hosts is encrypted).
export interface StandbySource {
  address: string;
  type: 'host' | 'hostssl';
}

// The rules the tool owns: the replication role may make replication connections from loopback (and, for each
// standby on another machine than its upstream, from that standby's own address, over TLS when it is on), and nothing more: its ordinary
// database connections are rejected (the keyword "all" never matches a replication connection, so these lines
// cannot shadow the first).
export function replicationRules(ctx: StepContext, standbySources: readonly StandbySource[] = []): HbaRule[] {
  const user = ctx.spec.replication.user;
  const method = hbaPasswordMethod(ctx.facts);
  return [
    { type: 'host', database: 'replication', user, address: '127.0.0.1/32', method },
    ...standbySources.map(({ address, type }): HbaRule => ({ type, database: 'replication', user, address: singleAddressRange(address), method })),
    { type: 'host', database: 'all', user, address: '0.0.0.0/0', method: 'reject' },
    { type: 'host', database: 'all', user, address: '::/0', method: 'reject' },
    { type: 'local', database: 'all', user, method: 'reject' },
  ];
}

// A standby on another machine than the node it streams from, and that node.
export interface CrossMachinePair {
  standby: PgNode;
  upstream: PgNode;
}

// The standbys that stream from a node on another machine (the primary's pg_hba.conf is copied to every standby,
// so one block serves cascaded upstreams too).
export function crossMachinePairs(ctx: StepContext): CrossMachinePair[] {
  const nodes = new Map([ctx.primary, ...ctx.standbys].map((n) => [n.name, n]));
  const pairs: CrossMachinePair[] = [];
  for (const spec of ctx.spec.standbys) {
    const standby = nodes.get(spec.name);
    const upstream = nodes.get(upstreamOf(ctx.spec, spec).name);
    if (standby && upstream && !onSameMachine(standby, upstream)) pairs.push({ standby, upstream });
  }
  return pairs;
}

// The address each standby on another machine than its upstream connects from (what its machine routes to the
// upstream's address from, asked there) with the rule type its connection needs. Sorted, without repeats.
export async function standbySources(ctx: StepContext): Promise<StandbySource[]> {
  const sources = await Promise.all(
    crossMachinePairs(ctx).map(
      async ({ standby, upstream }): Promise<StandbySource> => ({
        address: await sourceAddressTowards(standby.machine, await hostSeenFrom(upstream, standby)),
        type: replicationHbaType(ctx.spec, upstream.name, standby.name),
      }),
    ),
  );
  const unique = new Map(sources.map((s) => [`${s.address} ${s.type}`, s]));
  return [...unique.keys()].sort().map((key) => unique.get(key)!);
}
