// Plans, dry runs and runbooks of actions on a node that lives on another host: they name the host, and the
// runbooks run the action there through ssh with every word quoted and file content on standard input.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Action } from '../../src/executor/action.js';
import { Executor } from '../../src/executor/executor.js';
import { planText, planView } from '../../src/executor/plan-view.js';
import type { Machine } from '../../src/hosts/machine.js';
import type { PgNode } from '../../src/postgres/pg-node.js';
import { renderShellRunbook } from '../../src/runbook/render-sh.js';
import { renderCmdRunbook } from '../../src/runbook/render-cmd.js';
import { renderMarkdownRunbook } from '../../src/runbook/render-markdown.js';
import type { RunbookTarget } from '../../src/runbook/runbook-target.js';
import { shellOfAction } from '../../src/runbook/shell-of-action.js';
import { cmdOfAction } from '../../src/runbook/cmd-of-action.js';
import { clearSecretsForTests, registerSecret } from '../../src/secrets/secret-registry.js';
import { stateLayout } from '../../src/state/state-layout.js';
import { StateStore } from '../../src/state/state-store.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir('hotstandby-remote-plans-');
  clearSecretsForTests();
});
afterEach(async () => {
  clearSecretsForTests();
  await removeTempDir(dir);
});

// Pure logic: a machine that only says it is another host and what a file there holds.
function fakeRemote(files: Record<string, string>): Machine {
  return {
    label: 'root@db2',
    remote: true,
    address: 'db2',
    readFile: async (file: string) => (file in files ? Buffer.from(files[file]!) : undefined),
  } as unknown as Machine;
}

function executorWith(machines: Record<string, Machine>): Executor {
  const me = os.userInfo();
  const layout = stateLayout(path.join(dir, 'state'));
  return new Executor({
    node: (name) => {
      const machine = machines[name];
      if (!machine) throw new Error(`no node ${name}`);
      return { name, machine, osUser: { name: 'pgdb2', uid: 1234, gid: 1234, home: '/var/lib/postgresql', isInvoker: false } } as unknown as PgNode;
    },
    serverUser: { name: me.username, uid: me.uid, gid: me.gid, home: me.homedir, isInvoker: true },
    state: new StateStore(layout.stateFile),
    layout,
  });
}

const target = (): RunbookTarget => ({
  binDir: '/usr/lib/postgresql/15/bin',
  psql: '/usr/lib/postgresql/15/bin/psql',
  serverUser: 'postgres',
  superuser: 'postgres',
  passfile: path.join(dir, 'pgpass'),
  stateDir: dir,
  nodes: {
    main: { name: 'main', host: '127.0.0.1', port: 5432, controlDir: '/here/data', dataDir: '/here/data', logFile: '/here/data.log' },
    db2: {
      name: 'db2',
      host: '127.0.0.1',
      port: 5433,
      controlDir: '/srv/my data',
      dataDir: '/srv/my data',
      logFile: '/srv/my data.log',
      ssh: { host: 'db2.example', user: 'root', port: 2222, identityFile: '/keys/id one' },
      serverUser: 'pgdb2',
      binDir: '/opt/pg15/bin',
    },
  },
});

describe('a plan of actions on a node of another host', () => {
  it('names the host of each action there, with a host field, and diffs against the file there', async () => {
    const executor = executorWith({ db2: fakeRemote({ '/srv/my data/postgresql.auto.conf': 'a = 1\n' }), main: { label: 'this machine', remote: false } as Machine });
    const view = await planView(executor, {
      command: 'test',
      purpose: 'p',
      checked: [],
      steps: [
        {
          title: 'on db2',
          actions: [
            { kind: 'write-file', node: 'db2', path: '/srv/my data/postgresql.auto.conf', content: 'a = 2\n', owner: 'server', summary: 'settings' },
            { kind: 'exec', node: 'db2', command: '/opt/pg15/bin/pg_basebackup', args: ['-D', '/srv/my data'], runAs: 'server', env: { PGPASSWORD: 'x' }, summary: 'copy' },
            { kind: 'mkdir', node: 'db2', path: '/srv/new', owner: 'server', mode: 0o700, summary: 'dir' },
            { kind: 'mkdir', path: '/here/new', owner: 'invoker', mode: 0o700, summary: 'local dir' },
            { kind: 'node', node: 'main', op: 'reload', summary: 'reload main' },
          ],
        },
      ],
    });
    const [write, exec, mkdir, localMkdir, reload] = view.steps[0]!.actions;
    expect(write).toMatchObject({ kind: 'write-file', node: 'db2', host: 'db2' });
    expect(write!.lines[0]).toBe('edit /srv/my data/postgresql.auto.conf on root@db2');
    expect(write!.lines).toContain('-a = 1');
    expect(write!.lines).toContain('+a = 2');
    expect(exec).toMatchObject({ host: 'db2' });
    expect(exec!.lines[0]).toMatch(/^run as pgdb2 on root@db2: PGPASSWORD=… /);
    expect(mkdir!.lines[0]).toBe('mkdir -m 700 /srv/new (owner pgdb2) on root@db2');
    expect(localMkdir).not.toHaveProperty('host');
    expect(localMkdir!.lines[0]).not.toContain('root@db2');
    expect(reload).not.toHaveProperty('host');
    expect(planText(view).join('\n')).toContain('edit /srv/my data/postgresql.auto.conf on root@db2');
  });
});

describe('a sh runbook of actions on a node of another host', () => {
  it('runs each through ssh to that host, every word quoted, as the server account there', () => {
    const t = target();
    const exec = shellOfAction({ kind: 'exec', node: 'db2', command: '/opt/pg15/bin/pg_basebackup', args: ['-D', "/srv/it's"], runAs: 'server', summary: 's' }, t);
    expect(exec).toHaveLength(1);
    expect(exec[0]).toMatch(/^ssh -n .*-p 2222 -i '\/keys\/id one' .*-l root db2\.example -- /);
    const mkdir = shellOfAction({ kind: 'mkdir', node: 'db2', path: '/srv/new', owner: 'server', mode: 0o700, summary: 'm' }, t);
    expect(mkdir[0]).toContain('db2.example');
    const start = shellOfAction({ kind: 'node', node: 'db2', op: 'start', summary: 'start' }, t);
    expect(start[0]).toContain('/opt/pg15/bin/pg_ctl');
    expect(start[0]).toContain('runuser');
    const local = shellOfAction({ kind: 'node', node: 'main', op: 'start', summary: 'start' }, t);
    expect(local[0]).not.toContain('ssh');
  });

  it('delivers what the action means on the other side: the remote command line and the file bytes survive the quoting', () => {
    // ssh stands in for a shell that runs the remote command line as the other host's shell would.
    const t = target();
    const file = path.join(dir, "the 'conf' $HOME");
    const content = "a = 'b' # $x `y` \\n\nHOTSTANDBY_EOF\nlast line without newline";
    const actions: Action[] = [
      { kind: 'mkdir', node: 'db2', path: path.join(dir, 'sub dir'), owner: 'invoker', mode: 0o750, summary: 'm' },
      { kind: 'write-file', node: 'db2', path: file, content, owner: 'invoker', mode: 0o640, summary: 'w' },
      { kind: 'exec', node: 'db2', command: 'sh', args: ['-c', 'printf %s "$1" > "$2"', 'sh', "it's $1 `x`", path.join(dir, 'out')], runAs: 'invoker', summary: 'e' },
    ];
    const script = ['set -eu', `ssh() { while [ "$1" != -- ]; do shift; done; shift; sh -c "$1"; }`, ...actions.flatMap((a) => shellOfAction(a, t))].join('\n');
    execFileSync('sh', ['-c', script]);
    expect(statSync(path.join(dir, 'sub dir')).mode & 0o777).toBe(0o750);
    expect(readFileSync(file, 'utf8')).toBe(content);
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readFileSync(path.join(dir, 'out'), 'utf8')).toBe("it's $1 `x`");
  });

  it('never writes a secret into the runbook: secret files and SQL there are by hand, env values masked', () => {
    registerSecret('hunter2-secret');
    const t = target();
    const text = renderShellRunbook(
      {
        command: 'test',
        purpose: 'p',
        checked: [],
        steps: [
          {
            title: 'secrets',
            actions: [
              {
                kind: 'write-file',
                node: 'db2',
                path: '/srv/pass',
                content: 'x:hunter2-secret\n',
                owner: 'server',
                secret: true,
                byHand: { sh: 'cp "$PGPASSFILE" /srv/pass' },
                summary: 'pass',
              },
              { kind: 'exec', node: 'db2', command: 'pg_basebackup', args: [], env: { PGPASSWORD: 'hunter2-secret' }, runAs: 'server', summary: 'copy' },
              { kind: 'sql', node: 'db2', sql: "ALTER ROLE r PASSWORD 'hunter2-secret'", summary: 'sql' },
            ],
          },
        ],
      },
      t,
      'test',
    );
    expect(text).not.toContain('hunter2-secret');
    expect(text).toContain('# by hand on root@db2.example:2222: write /srv/pass');
    expect(text).not.toContain('cp "$PGPASSFILE" /srv/pass');
    expect(text).toMatch(/ssh -n .* -- .*PGPASSWORD=/);
    expect(text).toContain('NOT EVERYTHING IS SCRIPTED');
  });
});

describe('a Markdown runbook of actions on a node of another host', () => {
  it('names the host in the action and gives the ssh command to paste', async () => {
    const executor = executorWith({ db2: fakeRemote({}) });
    const text = await renderMarkdownRunbook(
      {
        command: 'test',
        purpose: 'p',
        checked: [],
        steps: [{ title: 't', actions: [{ kind: 'mkdir', node: 'db2', path: '/srv/new', owner: 'server', mode: 0o700, summary: 'dir' }] }],
      },
      target(),
      { generatedBy: 'test', describe: (a) => executor.describe(a) },
    );
    expect(text).toContain('- mkdir -m 700 /srv/new (owner pgdb2) on root@db2');
    expect(text).toMatch(/ {2}ssh -n .*db2\.example -- .*mkdir -p/);
  });
});

describe('a cmd runbook of actions on a node of another host', () => {
  it('runs each through ssh.exe to that host, the file content piped in, secrets by hand', () => {
    registerSecret('hunter2-secret');
    const t = target();
    const write = cmdOfAction({ kind: 'write-file', node: 'db2', path: '/srv/a.conf', content: 'a = 1 & b\n', owner: 'server', summary: 'w' }, t);
    expect(write.run[0]).toBe('(');
    expect(write.run).toContain('echo(a = 1 ^& b');
    expect(write.run.at(-1)).toMatch(/^\) \| "ssh\.exe" .*"-p" "2222" .*"db2\.example" "--" "sh -c [^\n]*tr -d [^\n]*mv -f [^\n]*"$/);
    const exec = cmdOfAction(
      { kind: 'exec', node: 'db2', command: 'pg_basebackup', args: ['-D', '/srv/x'], runAs: 'server', env: { PGPASSWORD: 'hunter2-secret' }, summary: 'e' },
      t,
    );
    expect(exec.run).toHaveLength(1);
    expect(exec.run[0]).toMatch(/^"ssh\.exe" "-n" /);
    expect(exec.run[0]).not.toContain('hunter2-secret');
    const secret = cmdOfAction({ kind: 'write-file', node: 'db2', path: '/srv/pass', content: 'hunter2-secret', owner: 'server', secret: true, summary: 's' }, t);
    expect(secret.run).toEqual([]);
    expect(secret.remark).toContain('by hand on root@db2.example:2222');
    const text = renderCmdRunbook(
      { command: 'test', purpose: 'p', checked: [], steps: [{ title: 't', actions: [{ kind: 'node', node: 'db2', op: 'stop', summary: 'stop' }] }] },
      t,
      'test',
    );
    expect(text).toContain('/opt/pg15/bin/pg_ctl');
    expect(text).toContain('"ssh.exe"');
  });
});
