import type { HbaRule, StepContext } from '@hotstandby/core';

// The rules the tool owns: the replication role may make replication connections from loopback, and nothing
// more: its ordinary database connections are rejected (the keyword "all" never matches a replication
// connection, so these lines cannot shadow the first).
export function replicationRules(ctx: StepContext): HbaRule[] {
  const user = ctx.spec.replication.user;
  return [
    { type: 'host', database: 'replication', user, address: '127.0.0.1/32', method: ctx.facts.scram ? 'scram-sha-256' : 'md5' },
    { type: 'host', database: 'all', user, address: '0.0.0.0/0', method: 'reject' },
    { type: 'host', database: 'all', user, address: '::/0', method: 'reject' },
    { type: 'local', database: 'all', user, method: 'reject' },
  ];
}
