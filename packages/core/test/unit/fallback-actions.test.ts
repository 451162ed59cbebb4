import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Action } from '../../src/executor/action.js';
import { Executor, type ExecutorDeps } from '../../src/executor/executor.js';
import type { Machine } from '../../src/hosts/machine.js';
import { localMachine } from '../../src/hosts/local-machine.js';
import { HotstandbyError } from '../../src/errors/hotstandby-error.js';
import type { PgNode } from '../../src/postgres/pg-node.js';
import { renderShellRunbook } from '../../src/runbook/render-sh.js';
import type { RunbookTarget } from '../../src/runbook/runbook-target.js';
import { stateLayout } from '../../src/state/state-layout.js';
import { StateStore } from '../../src/state/state-store.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir('hotstandby-fallback-');
  await mkdir(path.join(dir, 'data'));
  await writeFile(path.join(dir, 'data', 'PG_VERSION'), '15\n');
  await mkdir(path.join(dir, 'state'));
});
afterEach(() => removeTempDir(dir));

// A program that fails or succeeds, a fallback that clears the directory, then a marker written only into a directory
// that still exists: the shape of a rejoin by pg_rewind that falls back to a fresh base backup.
const actionsWith = (program: string): Action[] => [
  { kind: 'exec', summary: 'rewind', command: program, args: [], runAs: 'invoker', otherwise: [{ kind: 'remove-dir', summary: 'clear', path: path.join(dir, 'data') }] },
  { kind: 'write-file', summary: 'marker', path: path.join(dir, 'data', 'standby.signal'), content: '', owner: 'invoker', whenDirExists: true },
];

function executor(
  node: ExecutorDeps['node'] = () => {
    throw new Error('no nodes here');
  },
): Executor {
  const layout = stateLayout(path.join(dir, 'state'));
  const me = os.userInfo();
  return new Executor({
    node,
    serverUser: { name: me.username, uid: me.uid, gid: me.gid, home: me.homedir, isInvoker: true },
    state: new StateStore(layout.stateFile),
    layout,
    progress: () => undefined,
  });
}

const target = (): RunbookTarget => ({ binDir: '/usr/bin', psql: 'psql', superuser: 'postgres', passfile: path.join(dir, 'pgpass'), stateDir: dir, nodes: {} });
const plan = (actions: Action[]) => ({ command: 'test', purpose: 'p', checked: [], steps: [{ title: 'rejoin', actions }] });

describe('a secret file in a runbook', () => {
  it('is written the way its action says by hand (a copy of the passfile), its content never shown', async () => {
    await writeFile(path.join(dir, 'pgpass'), '127.0.0.1:*:*:postgres:hunter2-secret\n', { mode: 0o600 });
    const copy = path.join(dir, 'state', 'rewind.pgpass');
    const action: Action = {
      kind: 'write-file',
      summary: 'temporary passfile',
      path: copy,
      content: '127.0.0.1:*:*:postgres:hunter2-secret\n',
      owner: 'server',
      mode: 0o600,
      secret: true,
      byHand: { sh: `cp "$PGPASSFILE" '${copy}' && chmod 600 '${copy}'` },
    };
    const script = renderShellRunbook(plan([action]), target(), 'test');
    expect(script).not.toContain('hunter2-secret');
    await writeFile(path.join(dir, 'run.sh'), script);
    execFileSync('sh', [path.join(dir, 'run.sh')], { stdio: 'pipe' });
    expect(readFileSync(copy, 'utf8')).toBe(action.content);
    expect(statSync(copy).mode & 0o777).toBe(0o600);
  });
});

describe('a program with a fallback, and a file written only into a directory that still exists', () => {
  it('the executor applies the fallback instead of failing, and skips the marker of the cleared directory', async () => {
    await executor().applyAll(actionsWith('false'));
    expect(existsSync(path.join(dir, 'data'))).toBe(false);
  });

  it('the executor runs no fallback when the program succeeds, and writes the marker', async () => {
    await executor().applyAll(actionsWith('true'));
    expect(existsSync(path.join(dir, 'data', 'standby.signal'))).toBe(true);
  });

  it('the shell runbook does the same in both cases', async () => {
    for (const [program, kept] of [
      ['true', true],
      ['false', false],
    ] as const) {
      await mkdir(path.join(dir, 'data'), { recursive: true });
      await writeFile(path.join(dir, 'run.sh'), renderShellRunbook(plan(actionsWith(program)), target(), 'test'));
      execFileSync('sh', [path.join(dir, 'run.sh')], { stdio: 'pipe' });
      expect(existsSync(path.join(dir, 'data', 'standby.signal')), program).toBe(kept);
      expect(existsSync(path.join(dir, 'data')), program).toBe(kept);
    }
  });

  it('the executor runs no fallback when the program may still run on its host, and passes its error on', async () => {
    // A machine whose program outlived its lost connection (the error says so); its files are this machine's.
    const stillRunning = new HotstandbyError('COMMAND_FAILED', 'pg_rewind on db2: the connection was lost, it may still run there', {
      data: { stillRunning: { host: 'root@db2', processGroup: 4242 } },
    });
    const machine = {
      ...localMachine,
      run: async () => {
        throw stillRunning;
      },
    } as unknown as Machine;
    const onHost = executor(() => ({ name: 'n', machine }) as unknown as PgNode);
    const actions = actionsWith('pg_rewind').map((a) => ({ ...a, node: 'n' }) as Action);
    await expect(onHost.applyAll(actions)).rejects.toBe(stillRunning);
    expect(existsSync(path.join(dir, 'data', 'PG_VERSION'))).toBe(true);
  });
});
