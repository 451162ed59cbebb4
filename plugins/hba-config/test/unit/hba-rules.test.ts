import type { StepContext } from '@hotstandby/core';
import { describe, expect, it } from 'vitest';
import { replicationRules } from '../../src/hba-rules.js';

// Pure logic: only the replication role and the version's password method are read.
const ctx = { spec: { replication: { user: 'repuser' } }, facts: { scram: true } } as unknown as StepContext;

describe('replicationRules', () => {
  it("keeps exactly the loopback rule and the role's rejections when every standby shares its upstream's machine", () => {
    expect(replicationRules(ctx).map((r) => [r.type, r.database, r.address, r.method])).toEqual([
      ['host', 'replication', '127.0.0.1/32', 'scram-sha-256'],
      ['host', 'all', '0.0.0.0/0', 'reject'],
      ['host', 'all', '::/0', 'reject'],
      ['local', 'all', undefined, 'reject'],
    ]);
  });

  it("lets each standby on another machine replicate from its own address alone (hostssl when TLS is on), before the role's rejections", () => {
    const rules = replicationRules(ctx, [
      { address: '198.18.0.3', type: 'hostssl' },
      { address: '2001:db8::5', type: 'host' },
    ]);
    expect(rules.slice(0, 3).map((r) => [r.type, r.database, r.user, r.address, r.method])).toEqual([
      ['host', 'replication', 'repuser', '127.0.0.1/32', 'scram-sha-256'],
      ['hostssl', 'replication', 'repuser', '198.18.0.3/32', 'scram-sha-256'],
      ['host', 'replication', 'repuser', '2001:db8::5/128', 'scram-sha-256'],
    ]);
    expect(rules[3]).toMatchObject({ database: 'all', address: '0.0.0.0/0', method: 'reject' });
  });
});
