import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NodeState } from '../../src/state/cluster-state.js';
import { StateStore } from '../../src/state/state-store.js';
import { hotstandbyErrorFromAsync } from './support/expect-error.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await makeTempDir('hotstandby-state-');
  file = path.join(dir, 'state.json');
});
afterEach(async () => {
  await removeTempDir(dir);
});

const NODE: NodeState = {
  name: 'master',
  role: 'primary',
  port: 5432,
  dataDir: '/data/master',
  createdDataDir: true,
  initializedByTool: true,
  adopted: false,
  osUser: { name: 'postgres', uid: 1000, gid: 1000 },
};

describe('StateStore', () => {
  it('loads an empty state when no file exists, without creating one', async () => {
    const store = new StateStore(file);
    const state = await store.load();
    expect(state).toMatchObject({ version: 1, nodes: {}, journal: [] });
    expect(Number.isNaN(Date.parse(state.createdAt))).toBe(false);
    expect(await store.exists()).toBe(false);
  });

  it('persists updates so a new store (a later command) sees them', async () => {
    const store = new StateStore(file);
    await store.putNode(NODE);
    await store.addJournal({ kind: 'slot', node: 'master', slot: 'slave1', at: '2026-01-01T00:00:00.000Z' });
    await store.update((s) => {
      s.pgMajor = 170000;
    });
    expect(await store.exists()).toBe(true);

    const again = await new StateStore(file).load();
    expect(again.nodes.master).toEqual(NODE);
    expect(again.journal).toEqual([{ kind: 'slot', node: 'master', slot: 'slave1', at: '2026-01-01T00:00:00.000Z' }]);
    expect(again.pgMajor).toBe(170000);
  });

  it('writes the file readable by its owner only, as pretty JSON with a final newline', async () => {
    await new StateStore(file).putNode(NODE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const text = await readFile(file, 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "nodes": {');
  });

  it('removes journal entries that match', async () => {
    const store = new StateStore(file);
    await store.addJournal({ kind: 'dir', path: '/a', at: 't' });
    await store.addJournal({ kind: 'dir', path: '/b', at: 't' });
    await store.removeJournal((e) => e.kind === 'dir' && e.path === '/a');
    expect((await new StateStore(file).load()).journal).toEqual([{ kind: 'dir', path: '/b', at: 't' }]);
  });

  it('refreshes updatedAt on every update', async () => {
    const store = new StateStore(file);
    const state = await store.load();
    state.updatedAt = '2000-01-01T00:00:00.000Z';
    await store.update(() => undefined);
    expect((await new StateStore(file).load()).updatedAt).not.toBe('2000-01-01T00:00:00.000Z');
  });

  it('fills in a missing journal from an older file', async () => {
    await writeFile(file, JSON.stringify({ version: 1, createdAt: 'x', updatedAt: 'x', nodes: {} }));
    expect((await new StateStore(file).load()).journal).toEqual([]);
  });

  it.each([
    ['broken JSON', '{ "version": 1, '],
    ['an unknown version', JSON.stringify({ version: 2, nodes: {}, journal: [] })],
    ['no nodes', JSON.stringify({ version: 1 })],
    ['an empty file', ''],
  ])('refuses a state file with %s as STATE_CORRUPT naming the file', async (_what, content) => {
    await writeFile(file, content);
    const error = await hotstandbyErrorFromAsync(() => new StateStore(file).load(), 'STATE_CORRUPT');
    expect(error.message).toContain(file);
    expect(error.where.file).toBe(file);
  });

  it('does not overwrite a corrupt state file on update', async () => {
    await writeFile(file, 'garbage');
    await hotstandbyErrorFromAsync(() => new StateStore(file).update(() => undefined), 'STATE_CORRUPT');
    expect(await readFile(file, 'utf8')).toBe('garbage');
  });
});
