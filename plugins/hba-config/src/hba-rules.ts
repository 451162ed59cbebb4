import type { HbaRule, StepContext } from '@hotstandby/core';

// The rules the tool owns: the replication role, from loopback only, for replication connections only.
export function replicationRules(ctx: StepContext): HbaRule[] {
  return [
    {
      type: 'host',
      database: 'replication',
      user: ctx.spec.replication.user,
      address: '127.0.0.1/32',
      method: ctx.facts.scram ? 'scram-sha-256' : 'md5',
    },
  ];
}
