// A node's machine reached over SSH: programs run there as the server's account with secrets only on stdin, files
// are read, written atomically (mode and owner kept), listed, made and removed there, never on this machine.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MachinePool } from '../packages/core/src/hosts/machine-pool.js';
import type { Machine } from '../packages/core/src/hosts/machine.js';
import { createTestNetwork, HOST_DATA_ROOT, networkHostsUnavailable, type TestNetwork } from './support/network-hosts.js';
import { sampleCommandLines } from './support/processes.js';

const unavailable = networkHostsUnavailable();

describe.skipIf(unavailable !== undefined)('a machine on another host', () => {
  let network: TestNetwork;
  let pool: MachinePool;
  let db2: Machine;
  beforeAll(async () => {
    network = await createTestNetwork(['db2']);
    pool = new MachinePool();
    db2 = await pool.machineOf(network.target('db2'));
  });
  afterAll(async () => {
    await pool?.close();
    await network?.teardown();
  });

  test('runs a program as the server account there, with environment that appears in no command line', async () => {
    const user = await db2.serverUser(undefined);
    expect(user.name).toBe('postgres');
    expect(user.isInvoker).toBe(false);
    const secret = `pw-${Date.now()}-env-only`;
    const sampler = sampleCommandLines([secret]);
    const result = await db2.run('sh', ['-c', 'id -un; printf %s "$PGPASSWORD"; echo; pwd; cat'], { user, env: { PGPASSWORD: secret }, input: 'from stdin' });
    expect(sampler.stop().hits).toEqual([]);
    const [who, pw, , rest] = result.stdout.split('\n');
    expect(who).toBe('postgres');
    expect(pw).toBe(secret);
    expect(rest).toBe('from stdin');
    const failed = await db2.runAllowFailure('sh', ['-c', 'exit 4']);
    expect(failed.exitCode).toBe(4);
    await expect(db2.run('sh', ['-c', 'echo boom >&2; exit 4'], { purpose: 'the check' })).rejects.toThrow(/the check on .* failed \(exit 4\)/);
  });

  test('makes directories, writes, reads, lists, renames and removes files there and only there', async () => {
    const user = await db2.serverUser(undefined);
    const dir = `${HOST_DATA_ROOT}/new parent/data`;
    expect(await db2.mkdir(dir, { mode: 0o700, uid: user.uid, gid: user.gid })).toBe(`${HOST_DATA_ROOT}/new parent`);
    expect(await db2.mkdir(dir, { mode: 0o700 })).toBeUndefined();
    expect(await db2.stat(dir)).toMatchObject({ kind: 'dir', mode: 0o700, uid: user.uid, gid: user.gid });
    expect(existsSync(`${HOST_DATA_ROOT}/new parent`)).toBe(false);

    const bytes = Buffer.from([0, 1, 2, 255, 10, 13, 10]);
    await db2.writeFileAtomic(`${dir}/binary`, bytes, { mode: 0o600, uid: user.uid, gid: user.gid });
    expect(await db2.readFile(`${dir}/binary`)).toEqual(bytes);
    await db2.writeFileAtomic(`${dir}/conf`, 'a = 1\n', { mode: 0o640 });
    await db2.run('chown', [`${user.uid}:${user.gid}`, `${dir}/conf`]);
    await db2.writeFileAtomic(`${dir}/conf`, 'a = 2\n', { mode: 0o600 });
    expect(await db2.stat(`${dir}/conf`)).toMatchObject({ kind: 'file', mode: 0o640, uid: user.uid, size: 6 });
    await db2.writeFileAtomic(`${dir}/conf`, 'a = 3\n', { mode: 0o600, uid: 0, gid: 0, exact: true });
    expect(await db2.stat(`${dir}/conf`)).toMatchObject({ mode: 0o600, uid: 0 });
    expect((await db2.readdir(dir))?.sort()).toEqual(['binary', 'conf']);
    expect(await db2.readdir(`${dir}/none`)).toBeUndefined();
    expect(await db2.readFile(`${dir}/none`)).toBeUndefined();

    await db2.rename(`${dir}/conf`, `${dir}/conf.old`);
    expect(await db2.readFile(`${dir}/conf.old`)).toEqual(Buffer.from('a = 3\n'));
    await db2.remove(`${dir}/conf.old`);
    expect(await db2.stat(`${dir}/conf.old`)).toBeUndefined();
    await db2.remove(`${HOST_DATA_ROOT}/new parent`, { recursive: true });
    expect(await db2.readdir(HOST_DATA_ROOT)).not.toContain('new parent');
  });

  test('a missing server account there is one OS_USER error naming the host', async () => {
    await expect(db2.serverUser('no-such-account')).rejects.toThrow(/"no-such-account" .* does not exist on root@198\.18\./);
  });
});
