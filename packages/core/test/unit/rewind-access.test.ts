// The temporary pg_hba.conf rule that lets pg_rewind of a former primary on another host connect to the new primary:
// what it allows, and how the plan and --dry-run show its add before pg_rewind and its removal after it.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClusterRuntime } from '../../src/cluster/cluster-runtime.js';
import { rewindAccess } from '../../src/cluster/rewind-access.js';
import type { ConfigSource } from '../../src/config/cluster-spec.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import type { WriteFileAction } from '../../src/executor/action.js';
import { describeAction } from '../../src/executor/describe-action.js';
import type { Machine } from '../../src/hosts/machine.js';
import { HBA_BLOCK_BEGIN, HBA_BLOCK_END, managedRules } from '../../src/postgres/hba-file.js';
import type { PgNode } from '../../src/postgres/pg-node.js';

const DIR = path.resolve('/srv/clusters/demo');
const FILE: ConfigSource = { kind: 'file', path: path.join(DIR, 'hotstandby.config.json'), dir: DIR };
const HBA = '/srv/pg/b/pg_hba.conf';
const REPLICATION = 'host    replication     "repuser"       127.0.0.1/32            scram-sha-256';
const ORIGINAL = `# TYPE  DATABASE        USER            ADDRESS                 METHOD\n${HBA_BLOCK_BEGIN}\n${REPLICATION}\n${HBA_BLOCK_END}\nhost all all 127.0.0.1/32 scram-sha-256\n`;

// The former primary a on host 198.18.0.2, the new primary b on 198.18.0.3 (or both on one host).
function setup(options: { tls?: boolean; hba?: string; sameHost?: boolean } = {}) {
  const spec = resolveConfig(
    {
      primary: { name: 'a', host: '198.18.0.2', dataDir: '/srv/pg/a' },
      standbys: [{ name: 'b', host: options.sameHost ? '198.18.0.2' : '198.18.0.3', dataDir: '/srv/pg/b' }],
      ...(options.tls === false ? { tls: false } : {}),
    },
    FILE,
  );
  // a's host routes to b's address from its own (what `ip -o route get` says there).
  const machineA = {
    remote: true,
    address: '198.18.0.2',
    label: 'root@198.18.0.2',
    runAllowFailure: async () => ({ exitCode: 0, stdout: '198.18.0.3 dev veth0 src 198.18.0.2 uid 0\n', stderr: '' }),
  } as unknown as Machine;
  const machineB = options.sameHost
    ? machineA
    : ({ remote: true, address: '198.18.0.3', label: 'root@198.18.0.3', readFile: async () => Buffer.from(options.hba ?? ORIGINAL) } as unknown as Machine);
  const a = { name: 'a', machine: machineA } as unknown as PgNode;
  const b = { name: 'b', machine: machineB, facts: { scram: true }, settingPath: async () => HBA } as unknown as PgNode;
  const rt = { spec } as unknown as ClusterRuntime;
  return { rt, a, b, machineB };
}

describe("pg_rewind's temporary access to the new primary on another host", () => {
  it('lets exactly the superuser into database postgres from the former primary address over TLS, and removes it again', async () => {
    const { rt, a, b } = setup();
    const access = (await rewindAccess(rt, a, b))!;
    expect(access.rule).toEqual({ type: 'hostssl', database: 'postgres', user: 'postgres', address: '198.18.0.2/32', method: 'scram-sha-256' });
    const [grant, grantReload] = access.grant as [WriteFileAction, { kind: string; node: string; op: string }];
    const [revoke, revokeReload] = access.revoke as [WriteFileAction, { kind: string; node: string; op: string }];
    expect(grant).toMatchObject({ kind: 'write-file', node: 'b', path: HBA, owner: 'server' });
    expect(managedRules(grant.content)).toEqual(['hostssl "postgres"      "postgres"      198.18.0.2/32           scram-sha-256', REPLICATION]);
    expect(revoke).toMatchObject({ kind: 'write-file', node: 'b', path: HBA, content: ORIGINAL });
    for (const reload of [grantReload, revokeReload]) expect(reload).toMatchObject({ kind: 'node', node: 'b', op: 'reload' });
  });

  it('uses host, not hostssl, when TLS is off', async () => {
    const { rt, a, b } = setup({ tls: false });
    expect((await rewindAccess(rt, a, b))!.rule.type).toBe('host');
  });

  it('is not needed when both live on one host (the loopback rules let pg_rewind in)', async () => {
    const { rt, a, b } = setup({ sameHost: true });
    expect(await rewindAccess(rt, a, b)).toBeUndefined();
  });

  it('removes a rule an interrupted run left behind, and adds it no second time', async () => {
    const leftover = ORIGINAL.replace(`${HBA_BLOCK_BEGIN}\n`, `${HBA_BLOCK_BEGIN}\nhostssl "postgres"      "postgres"      198.18.0.2/32           scram-sha-256\n`);
    const { rt, a, b } = setup({ hba: leftover });
    const access = (await rewindAccess(rt, a, b))!;
    expect((access.grant[0] as WriteFileAction).content).toBe(leftover);
    expect((access.revoke[0] as WriteFileAction).content).toBe(ORIGINAL);
  });

  it('--dry-run shows the add and the removal as diffs of the file on the primary host', async () => {
    const { rt, a, b, machineB } = setup();
    const access = (await rewindAccess(rt, a, b))!;
    const added = await describeAction(access.grant[0]!, 'postgres', machineB);
    const removed = await describeAction(access.revoke[0]!, 'postgres', machineB);
    expect(added[0]).toBe(`edit ${HBA} on root@198.18.0.3`);
    expect(added).toContain('+hostssl "postgres"      "postgres"      198.18.0.2/32           scram-sha-256');
    expect(removed[0]).toBe(`edit ${HBA} on root@198.18.0.3`);
    expect(removed).toContain('-hostssl "postgres"      "postgres"      198.18.0.2/32           scram-sha-256');
    expect(await describeAction(access.grant[1]!, 'postgres', machineB)).toEqual(['reload b on root@198.18.0.3']);
  });
});
