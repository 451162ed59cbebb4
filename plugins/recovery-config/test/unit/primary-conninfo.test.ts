import type { StepContext } from '@hotstandby/core';
import { describe, expect, it } from 'vitest';
import { primaryConninfo } from '../../src/standby-settings.js';

// Pure logic: a standby and its upstream, each on a machine (remote ones with their configured host).
function ctx(standbyMachine: { remote: boolean; address?: string }): StepContext {
  return {
    spec: { replication: { user: 'repuser' } },
    facts: { conninfoPassfile: true },
    node: { name: 'slave1', dataDir: '/srv/pg/slave1', machine: { label: 'x', ...standbyMachine } },
    upstream: { name: 'master', port: 5432 },
    paths: { replicationPassfile: '/home/me/.hotstandby/run/replication.pgpass' },
    secrets: { replicationPassword: 'never-shown' },
  } as unknown as StepContext;
}

describe('primaryConninfo', () => {
  it('names loopback and the state directory passfile for a standby on this machine, as before', () => {
    expect(primaryConninfo(ctx({ remote: false }))).toBe('host=127.0.0.1 port=5432 user=repuser passfile=/home/me/.hotstandby/run/replication.pgpass application_name=slave1');
  });

  it("names the upstream's address as the standby reaches it and the passfile beside its data directory on its host", () => {
    const conninfo = primaryConninfo(ctx({ remote: true, address: 'db2' }), '198.18.0.2');
    expect(conninfo).toBe('host=198.18.0.2 port=5432 user=repuser passfile=/srv/pg/slave1.pgpass application_name=slave1');
    expect(conninfo).not.toContain('never-shown');
  });
});
