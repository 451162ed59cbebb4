// The executor on a node that lives on another host: file actions and programs happen on that host only, the original
// of a file it changes is kept in the local journal naming the node, and down --restore / --purge undo it there.
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { makeTempDir, removeTempDir, testBinaries } from '@hotstandby/testing';
import type { ClusterRuntime } from '../packages/core/src/cluster/cluster-runtime.js';
import { planTeardown } from '../packages/core/src/cluster/teardown.js';
import { applyPlan } from '../packages/core/src/executor/apply-plan.js';
import { Executor, restoreJournaledFile } from '../packages/core/src/executor/executor.js';
import type { JournalEntry } from '../packages/core/src/state/cluster-state.js';
import { MachinePool } from '../packages/core/src/hosts/machine-pool.js';
import type { Machine } from '../packages/core/src/hosts/machine.js';
import { resolveServerUser, type ServerUser } from '../packages/core/src/postgres/os-user.js';
import { PgNode } from '../packages/core/src/postgres/pg-node.js';
import { stateLayout, type StateLayout } from '../packages/core/src/state/state-layout.js';
import { StateStore } from '../packages/core/src/state/state-store.js';
import { createTestNetwork, HOST_DATA_ROOT, networkHostsUnavailable, type TestNetwork } from './support/network-hosts.js';
import { sampleCommandLines } from './support/processes.js';

const unavailable = networkHostsUnavailable();

describe.skipIf(unavailable !== undefined)('the executor on a node on another host', () => {
  let network: TestNetwork;
  let pool: MachinePool;
  let b: Machine;
  let bUser: ServerUser;
  let localUser: ServerUser;
  let dir: string;
  let layout: StateLayout;
  let store: StateStore;
  let primary: PgNode;
  let nodeB: PgNode;
  let nodes: Record<string, PgNode>;
  let executor: Executor;
  let root: string;
  let tests = 0;
  let common: Pick<ConstructorParameters<typeof PgNode>[0], 'binaries' | 'superuser' | 'port'>;

  beforeAll(async () => {
    network = await createTestNetwork(['b', 'c']);
    pool = new MachinePool();
    b = await pool.machineOf(network.target('b'));
    bUser = await b.serverUser(undefined);
    localUser = await resolveServerUser(undefined);
    dir = await makeTempDir('hotstandby-hosts-executor-');
    const binaries = await testBinaries();
    common = { binaries, superuser: { name: 'postgres' }, port: 5432 };
    // The primary stays local and never runs: down has nothing to stop.
    primary = new PgNode({ ...common, name: 'a', role: 'primary', dataDir: path.join(dir, 'a'), osUser: localUser, logFile: path.join(dir, 'a.log') });
    nodeB = new PgNode({ ...common, name: 'b', role: 'standby', dataDir: `${HOST_DATA_ROOT}/data`, osUser: bUser, logFile: `${HOST_DATA_ROOT}/data.log`, machine: b });
    nodes = { a: primary, b: nodeB };
  });
  // Each test: its own state (journal) here and its own directory on b.
  beforeEach(async () => {
    tests++;
    root = `${HOST_DATA_ROOT}/executor-${tests}`;
    layout = stateLayout(path.join(dir, `state-${tests}`));
    await mkdir(layout.root);
    store = new StateStore(layout.stateFile);
    executor = new Executor({
      node: (name) => {
        const node = nodes[name];
        if (!node) throw new Error(`no node ${name}`);
        return node;
      },
      serverUser: localUser,
      state: store,
      layout,
    });
  });
  afterAll(async () => {
    await pool?.close();
    await network?.teardown();
    if (dir) await removeTempDir(dir);
  });

  test('makes, writes, moves aside and removes on that host only, and records the directory it made with its node', async () => {
    await executor.apply({ kind: 'mkdir', node: 'b', path: `${root}/made/data`, owner: 'server', mode: 0o700, summary: 'make' });
    expect(await b.stat(`${root}/made/data`)).toMatchObject({ kind: 'dir', mode: 0o700, uid: bUser.uid, gid: bUser.gid });
    const journal = (await store.load()).journal;
    // With the host it is on (what identifies it, never the key or options).
    expect(journal).toContainEqual({ kind: 'dir', node: 'b', host: { host: network.host('b').address, user: 'root' }, path: root, at: expect.any(String) });

    await executor.apply({ kind: 'write-file', node: 'b', path: `${root}/made/data/new.conf`, content: 'x = 1\n', owner: 'server', mode: 0o640, summary: 'write' });
    expect(await b.readFile(`${root}/made/data/new.conf`)).toEqual(Buffer.from('x = 1\n'));
    expect(await b.stat(`${root}/made/data/new.conf`)).toMatchObject({ mode: 0o640, uid: bUser.uid, gid: bUser.gid });
    // Inside a directory the tool made: nothing to journal.
    expect((await store.load()).journal.filter((e) => e.kind === 'file')).toEqual([]);

    await executor.apply({ kind: 'move-aside', node: 'b', path: `${root}/made/data`, to: `${root}/made/data.old`, summary: 'aside' });
    expect(await b.stat(`${root}/made/data`)).toBeUndefined();
    expect(await b.readFile(`${root}/made/data.old/new.conf`)).toEqual(Buffer.from('x = 1\n'));
    await executor.apply({ kind: 'remove-file', node: 'b', path: `${root}/made/data.old/new.conf`, summary: 'rm' });
    expect(await b.stat(`${root}/made/data.old/new.conf`)).toBeUndefined();
    await executor.apply({ kind: 'remove-dir', node: 'b', path: `${root}/made/data.old`, summary: 'rmdir' });
    expect(await b.stat(`${root}/made/data.old`)).toBeUndefined();
    expect(existsSync(root)).toBe(false);
  });

  test('a write through a dangling link there journals where it writes, so restore removes that and keeps the link', async () => {
    const link = `${root}-link.conf`;
    const made = await network.host('b').ssh(`ln -s ${root}-target.conf ${link}`);
    expect(made.code).toBe(0);
    await executor.apply({ kind: 'write-file', node: 'b', path: link, content: 'z\n', owner: 'invoker', summary: 'through the link' });
    expect(await b.readFile(`${root}-target.conf`)).toEqual(Buffer.from('z\n'));
    const entry = (await store.load()).journal.find((e) => e.kind === 'file');
    expect(entry).toMatchObject({ node: 'b', path: `${root}-target.conf`, existed: false });
    await restoreJournaledFile(entry as Extract<JournalEntry, { kind: 'file' }>, b);
    expect(await b.stat(`${root}-target.conf`)).toBeUndefined();
    expect((await network.host('b').ssh(`readlink ${link}`)).stdout.trim()).toBe(`${root}-target.conf`);
  });

  test('runs a program there as that host server account, its environment in no command line', async () => {
    const secret = `pw-${Date.now()}-exec-env`;
    await executor.apply({ kind: 'mkdir', node: 'b', path: `${root}/made`, owner: 'server', mode: 0o700, summary: 'make' });
    const sampler = sampleCommandLines([secret]);
    await executor.apply({
      kind: 'exec',
      node: 'b',
      command: 'sh',
      args: ['-c', `id -un > ${root}/made/who; printf %s "$HS_SECRET" > ${root}/made/env`],
      runAs: 'server',
      env: { HS_SECRET: secret },
      summary: 'exec',
    });
    expect(sampler.stop().hits).toEqual([]);
    expect((await b.readFile(`${root}/made/who`))?.toString()).toBe(`${bUser.name}\n`);
    expect((await b.readFile(`${root}/made/env`))?.toString()).toBe(secret);
    expect(existsSync(`${root}/made/who`)).toBe(false);
  });

  test('keeps the original of a file there in the local journal, and down --restore --purge puts it back and deletes what it made, there', async () => {
    await executor.apply({ kind: 'mkdir', node: 'b', path: `${root}/data`, owner: 'server', mode: 0o700, summary: 'make' });
    const conf = `${HOST_DATA_ROOT}/theirs/postgresql.conf`;
    const original = Buffer.from([0x61, 0x0a, 0x00, 0xff, 0x0d, 0x0a]);
    const made = await network
      .host('b')
      .ssh(`mkdir -p ${HOST_DATA_ROOT}/theirs && printf 'a\\n\\000\\377\\r\\n' > ${conf} && chmod 604 ${conf} && chown ${bUser.uid}:${bUser.gid} ${conf}`);
    expect(made.code).toBe(0);
    expect(await b.readFile(conf)).toEqual(original);

    await executor.apply({ kind: 'write-file', node: 'b', path: conf, content: 'changed = 1\n', owner: 'invoker', mode: 0o600, summary: 'edit' });
    expect(await b.readFile(conf)).toEqual(Buffer.from('changed = 1\n'));
    const entry = (await store.load()).journal.find((e) => e.kind === 'file' && e.path === conf);
    expect(entry).toMatchObject({ kind: 'file', node: 'b', host: { host: network.host('b').address, user: 'root' }, existed: true, mode: 0o604, uid: bUser.uid, gid: bUser.gid });
    const backup = (entry as { backup: string }).backup;
    expect(backup.startsWith(layout.journalDir)).toBe(true);
    expect(await readFile(backup)).toEqual(original);
    // A second change keeps the first original.
    await executor.apply({ kind: 'write-file', node: 'b', path: conf, content: 'changed = 2\n', owner: 'invoker', summary: 'edit again' });
    expect((await store.load()).journal.filter((e) => e.kind === 'file')).toHaveLength(1);
    // A file the tool adds there is journaled as new, so restore removes it.
    await executor.apply({ kind: 'write-file', node: 'b', path: `${HOST_DATA_ROOT}/theirs/added.conf`, content: 'y\n', owner: 'invoker', summary: 'add' });

    const rt = {
      primary,
      nodes: [primary, nodeB],
      detached: [],
      standbys: [],
      node: (name: string) => ({ a: primary, b: nodeB })[name as 'a' | 'b'],
      state: await store.load(),
      store,
      layout,
      spec: { primary: { name: 'a' }, standbys: [] },
      primaryAdopted: false,
    } as unknown as ClusterRuntime;
    const { plan, result } = await planTeardown(rt, { restore: true, purge: true });
    expect(result.restored).toEqual([conf, `${HOST_DATA_ROOT}/theirs/added.conf`]);
    expect(result.deleted).toEqual([`${root} on b`]);
    // By hand (runbooks): the local backup goes over ssh to b.
    const restore = plan.steps.flatMap((step) => step.actions).find((a) => a.kind === 'task' && a.summary === `restoring ${conf} on b`);
    expect(restore && 'byHand' in restore ? restore.byHand?.sh : undefined).toMatch(new RegExp(`^ssh .*${network.host('b').address.replace(/\./g, '\\.')} -- .* < ${backup}$`));
    await applyPlan(executor, plan, () => undefined);

    expect(await b.readFile(conf)).toEqual(original);
    expect(await b.stat(conf)).toMatchObject({ mode: 0o604, uid: bUser.uid, gid: bUser.gid });
    expect(await b.stat(`${HOST_DATA_ROOT}/theirs/added.conf`)).toBeUndefined();
    expect(await b.stat(root)).toBeUndefined();
    expect(await b.stat(`${HOST_DATA_ROOT}/theirs`)).toMatchObject({ kind: 'dir' });
  });

  test('after the config moved the node to another host, down --restore --purge undoes on the host it was recorded on, and nothing on the new one', async () => {
    await executor.apply({ kind: 'mkdir', node: 'b', path: `${root}/data`, owner: 'server', mode: 0o700, summary: 'make' });
    const conf = `${root}-theirs.conf`;
    expect((await network.host('b').ssh(`printf 'mine\\n' > ${conf}`)).code).toBe(0);
    await executor.apply({ kind: 'write-file', node: 'b', path: conf, content: 'changed\n', owner: 'invoker', summary: 'edit' });
    // Someone else's files at the same paths on c, where the config now puts b.
    expect((await network.host('c').ssh(`mkdir -p ${root}/data && echo theirs > ${root}/data/sentinel && echo theirs > ${conf}`)).code).toBe(0);
    const c = await pool.machineOf(network.target('c'));
    const moved = new PgNode({ ...common, name: 'b', role: 'standby', dataDir: `${HOST_DATA_ROOT}/data`, osUser: bUser, logFile: `${HOST_DATA_ROOT}/data.log`, machine: c });
    const rt = {
      primary,
      nodes: [primary, moved],
      detached: [],
      standbys: [],
      node: (name: string) => ({ a: primary, b: moved })[name as 'a' | 'b'],
      state: await store.load(),
      store,
      layout,
      spec: { primary: { name: 'a' }, standbys: [{ name: 'b', host: network.target('c') }] },
      primaryAdopted: false,
      machines: { at: (host: Parameters<MachinePool['machineOf']>[0]) => pool.machineOf(host) },
    } as unknown as ClusterRuntime;
    const { plan, result } = await planTeardown(rt, { restore: true, purge: true });
    const bAt = `root@${network.host('b').address}`;
    expect(plan.checked.join('\n')).toContain(`on ${bAt}, where it lived then; the config now puts it on root@${network.host('c').address}`);
    expect(result.restored).toEqual([conf]);
    expect(result.deleted).toEqual([`${root} on ${bAt}`]);
    await applyPlan(executor, plan, () => undefined);

    expect(await b.readFile(conf)).toEqual(Buffer.from('mine\n'));
    expect(await b.stat(root)).toBeUndefined();
    expect((await c.readFile(`${root}/data/sentinel`))?.toString()).toBe('theirs\n');
    expect((await c.readFile(conf))?.toString()).toBe('theirs\n');
    expect((await store.load()).journal).toEqual([]);
  });
});
