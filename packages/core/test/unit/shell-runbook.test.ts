import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Action } from '../../src/executor/action.js';
import type { OperationPlan } from '../../src/executor/operation-plan.js';
import { renderShellRunbook } from '../../src/runbook/render-sh.js';
import { renderMarkdownRunbook } from '../../src/runbook/render-markdown.js';
import type { RunbookTarget } from '../../src/runbook/runbook-target.js';
import { inlineParams, shellOfAction } from '../../src/runbook/shell-of-action.js';
import { clearSecretsForTests, registerSecret } from '../../src/secrets/secret-registry.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir('hotstandby-runbook-');
  clearSecretsForTests();
});
afterEach(async () => {
  clearSecretsForTests();
  await removeTempDir(dir);
});

const target = (root: string): RunbookTarget => ({
  binDir: '/usr/lib/postgresql/15/bin',
  psql: '/usr/lib/postgresql/15/bin/psql',
  serverUser: 'postgres',
  superuser: 'post gres',
  passfile: path.join(root, 'pgpass'),
  stateDir: root,
  nodes: {
    master: { name: 'master', host: '127.0.0.1', port: 5432, controlDir: path.join(root, 'my data'), dataDir: path.join(root, 'my data'), logFile: path.join(root, 'm.log') },
  },
});

const planOf = (actions: Action[]): OperationPlan => ({ command: 'test', purpose: 'A test plan.', checked: ['nothing runs'], steps: [{ title: 'do it', actions, check: 'look' }] });

describe('shell runbook', () => {
  it('makes the same files as the actions describe, when the script runs', async () => {
    const content = "primary_conninfo = 'host=a ''quoted'' $HOME `x`'\n";
    await mkdir(path.join(dir, 'old'));
    await writeFile(path.join(dir, 'old', 'keep'), 'kept');
    await writeFile(path.join(dir, 'gone.txt'), 'bye');
    const actions: Action[] = [
      { kind: 'write-file', summary: 'w', path: path.join(dir, 'conf dir', 'a.conf'), content, owner: 'invoker', mode: 0o640 },
      { kind: 'write-file', summary: 'signal', path: path.join(dir, 'standby.signal'), content: '', owner: 'invoker' },
      { kind: 'write-file', summary: 'no newline', path: path.join(dir, 'b.txt'), content: 'HOTSTANDBY_EOF\nend', owner: 'invoker' },
      { kind: 'mkdir', summary: 'm', path: path.join(dir, 'new dir'), owner: 'invoker', mode: 0o700 },
      { kind: 'move-aside', summary: 'aside', path: path.join(dir, 'old'), to: path.join(dir, 'old.aside') },
      { kind: 'remove-file', summary: 'rm', path: path.join(dir, 'gone.txt') },
    ];
    const script = renderShellRunbook(planOf(actions), target(dir), 'generated for a test');
    await writeFile(path.join(dir, 'run.sh'), script);
    execFileSync('sh', [path.join(dir, 'run.sh')], { stdio: 'pipe' });
    expect(readFileSync(path.join(dir, 'conf dir', 'a.conf'), 'utf8')).toBe(content);
    expect(statSync(path.join(dir, 'conf dir', 'a.conf')).mode & 0o777).toBe(0o640);
    expect(readFileSync(path.join(dir, 'standby.signal'), 'utf8')).toBe('');
    expect(readFileSync(path.join(dir, 'b.txt'), 'utf8')).toBe('HOTSTANDBY_EOF\nend');
    expect(statSync(path.join(dir, 'new dir')).mode & 0o777).toBe(0o700);
    expect(readFileSync(path.join(dir, 'old.aside', 'keep'), 'utf8')).toBe('kept');
    expect(existsSync(path.join(dir, 'gone.txt'))).toBe(false);
  });

  it('stops at the first failing step and names it', async () => {
    const actions: Action[] = [
      { kind: 'move-aside', summary: 'aside', path: path.join(dir, 'missing'), to: path.join(dir, 'x') },
      { kind: 'mkdir', summary: 'never', path: path.join(dir, 'never'), owner: 'invoker', mode: 0o700 },
    ];
    await writeFile(path.join(dir, 'run.sh'), renderShellRunbook(planOf(actions), target(dir), 'test'));
    let stderr = '';
    try {
      execFileSync('sh', [path.join(dir, 'run.sh')], { stdio: 'pipe' });
    } catch (error) {
      stderr = String((error as { stderr: Buffer }).stderr);
    }
    expect(stderr).toContain('step 1 failed');
    expect(existsSync(path.join(dir, 'never'))).toBe(false);
  });

  it('never writes a registered secret or a secret file into the script', () => {
    registerSecret('hunter2-secret');
    const lines = [
      ...shellOfAction({ kind: 'write-file', summary: 'passfile', path: '/x/pgpass', content: '*:*:*:u:hunter2-secret\n', owner: 'server', secret: true }, target(dir)),
      ...shellOfAction({ kind: 'exec', summary: 'e', command: '/bin/echo', args: ['hunter2-secret'], runAs: 'invoker', env: { PGPASSWORD: 'hunter2-secret' } }, target(dir)),
      ...shellOfAction({ kind: 'sql', summary: 's', node: 'master', sql: "ALTER ROLE r PASSWORD 'hunter2-secret'", display: 'ALTER ROLE r PASSWORD <hidden>' }, target(dir)),
    ];
    expect(lines.join('\n')).not.toContain('hunter2-secret');
  });

  it('addresses each node by its port and data directory, quoted for the shell', () => {
    const stop = shellOfAction({ kind: 'node', summary: 'stop', node: 'master', op: 'stop', mode: 'fast' }, target(dir));
    expect(stop).toEqual([`as_server "$PGBIN"/pg_ctl stop -D '${path.join(dir, 'my data')}' -m fast -w`]);
    const sql = shellOfAction({ kind: 'sql', summary: 'q', node: 'master', sql: 'SELECT $1::text, $2', params: ["it's", 3] }, target(dir));
    expect(sql).toEqual([`sql_at 127.0.0.1 5432 postgres -c 'SELECT '"'"'it'"'"''"'"'s'"'"'::text, 3'`.replace(/'"'"'/g, `'\\''`)]);
    expect(inlineParams('SELECT $1, $2, $10', ['a', null])).toBe("SELECT 'a', NULL, $10");
  });

  it('is a valid POSIX shell script for every kind of step', async () => {
    const actions: Action[] = [
      { kind: 'node', summary: 'start', node: 'master', op: 'start' },
      { kind: 'wait', summary: 'replay', node: 'master', timeoutMs: 1000, until: async () => true, byHand: { sh: 'until true; do sleep 1; done', text: 'replayed' } },
      { kind: 'check', summary: 'clean', run: async () => undefined, byHand: { text: 'look at pg_controldata' } },
      { kind: 'record', summary: 'master is the primary', run: async () => undefined },
      { kind: 'remove-dir', summary: 'rm dir', path: path.join(dir, 'd') },
    ];
    const script = renderShellRunbook(planOf(actions), target(dir), 'test');
    await writeFile(path.join(dir, 'run.sh'), script);
    execFileSync('sh', ['-n', path.join(dir, 'run.sh')]);
    expect(script).toContain('# by hand: clean (look at pg_controldata)');
    expect(script).toContain('# hotstandby would record: master is the primary');
  });

  it('writes a Markdown runbook with numbered steps, each with its commands and check', async () => {
    const md = await renderMarkdownRunbook(planOf([{ kind: 'node', summary: 'stop', node: 'master', op: 'stop' }]), target(dir), {
      generatedBy: 'test',
      describe: async () => ['stop master (fast)'],
    });
    expect(md).toContain('# Runbook: `hotstandby test`');
    expect(md).toContain('### 1. do it');
    expect(md).toContain('- stop master (fast)');
    expect(md).toContain('**Check:** look');
  });

  it('names the steps that hold work to do by hand, and writes described work and notes as comments', async () => {
    const plan: OperationPlan = {
      command: 'test',
      purpose: 'A test plan.',
      checked: [],
      steps: [
        { title: 'scripted', actions: [{ kind: 'mkdir', summary: 'm', path: path.join(dir, 'made'), owner: 'invoker', mode: 0o700 }] },
        { title: 'described', actions: [], notes: ['already there'], described: ['check the replica', '  by reading it'] },
        { title: 'secret', actions: [{ kind: 'write-file', summary: 's', path: path.join(dir, 'pw'), content: 'x', owner: 'invoker', secret: true }] },
      ],
    };
    const script = renderShellRunbook(plan, target(dir), 'generated for a test');
    expect(script).toMatch(/^# NOT EVERYTHING IS SCRIPTED: steps 2, 3 hold work this script does not do/m);
    expect(script).toContain('# note: already there\n# by hand: check the replica\n# by hand:   by reading it');
    await writeFile(path.join(dir, 'run.sh'), script);
    execFileSync('sh', [path.join(dir, 'run.sh')], { stdio: 'pipe' });
    expect(existsSync(path.join(dir, 'made'))).toBe(true);
    expect(existsSync(path.join(dir, 'pw'))).toBe(false);
    const scriptedOnly = renderShellRunbook({ ...plan, steps: plan.steps.slice(0, 1) }, target(dir), 'generated for a test');
    expect(scriptedOnly).not.toContain('NOT EVERYTHING IS SCRIPTED');
    const md = await renderMarkdownRunbook(plan, target(dir), { generatedBy: 'test', describe: async (a) => [a.summary] });
    expect(md).toContain('_Note:_ already there');
    expect(md).toContain('**By hand** (hotstandby does this itself; this runbook gives no command for it):\n\n```text\ncheck the replica\n  by reading it\n```');
  });
});
