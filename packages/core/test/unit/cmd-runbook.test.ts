import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Action } from '../../src/executor/action.js';
import type { OperationPlan } from '../../src/executor/operation-plan.js';
import { cmdOfAction, quoteCmdArg } from '../../src/runbook/cmd-of-action.js';
import { renderCmdRunbook } from '../../src/runbook/render-cmd.js';
import type { RunbookTarget } from '../../src/runbook/runbook-target.js';
import { clearSecretsForTests, registerSecret } from '../../src/secrets/secret-registry.js';

beforeEach(() => clearSecretsForTests());
afterEach(() => clearSecretsForTests());

const target: RunbookTarget = {
  binDir: 'C:\\PostgreSQL\\15\\bin',
  psql: 'C:\\PostgreSQL\\15\\bin\\psql.exe',
  superuser: 'postgres',
  passfile: 'C:\\hs\\pgpass.conf',
  stateDir: 'C:\\hs',
  nodes: { main: { name: 'main', host: '127.0.0.1', port: 5432, controlDir: 'C:\\data\\my main', dataDir: 'C:\\data\\my main', logFile: 'C:\\hs\\logs\\main.log' } },
};

const planOf = (actions: Action[]): OperationPlan => ({
  command: 'switchover s1',
  purpose: 'A test plan.',
  checked: ['s1 streams'],
  steps: [
    { title: 'stop & wait (first)', actions, check: 'look', ifFails: 'start it again' },
    { title: 'nothing', actions: [] },
  ],
});

// The lines of a script between its header and its end, without blank lines.
const body = (script: string) => script.split('\r\n').filter((l) => l !== '');

describe('Windows cmd runbook', () => {
  it('runs each scriptable action, stops at the first failure with the step number, and says what to check', () => {
    const script = renderCmdRunbook(
      planOf([
        { kind: 'node', summary: 'stop', node: 'main', op: 'stop', mode: 'fast' },
        { kind: 'sql', summary: 'checkpoint', node: 'main', sql: 'SELECT $1::text', params: ['50% "off"'] },
      ]),
      target,
      'generated for a test',
    );
    const lines = body(script);
    expect(lines[0]).toBe('@echo off');
    expect(lines).toContain('set "PGBIN=C:\\PostgreSQL\\15\\bin"');
    expect(lines).toContain('echo 1. stop ^& wait ^(first^)');
    const stop = lines.indexOf('call "%PGBIN%\\pg_ctl" stop -D "C:\\data\\my main" -m fast -w');
    expect(stop).toBeGreaterThan(0);
    expect(lines[stop + 1]).toBe('if errorlevel 1 (echo runbook: step 1 failed; see the runbook for what to do 1>&2 & exit /b 1)');
    expect(lines).toContain(`"%PSQL%" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p 5432 -U "postgres" -d "postgres" -c "SELECT '50%% \\"off\\"'::text"`);
    expect(lines).toContain('REM check: look');
    expect(lines).toContain('REM if it fails: start it again');
    expect(lines).toContain('REM nothing to do');
    expect(lines.at(-1)).toBe('endlocal');
    expect(script).not.toMatch(/[^\r]\n/);
  });

  it('writes file contents with cmd special characters escaped and by-hand steps as REM', () => {
    const write = cmdOfAction({ kind: 'write-file', summary: 'w', path: 'C:\\d\\a.conf', content: "primary_conninfo = 'a & b | (c) 100%'\nx = ^\n", owner: 'server' }, target);
    expect(write.run).toEqual(['> "C:\\d\\a.conf" (', "echo(primary_conninfo = 'a ^& b ^| ^(c^) 100%%'", 'echo(x = ^^', ')']);
    const marker = cmdOfAction({ kind: 'write-file', summary: 'm', path: 'C:\\d\\standby.signal', content: '', owner: 'server', whenDirExists: true }, target);
    expect(marker.run).toEqual(['if exist "C:\\d" (', 'type nul > "C:\\d\\standby.signal"', ')']);
    const wait = cmdOfAction({ kind: 'wait', summary: 's1 to replay', timeoutMs: 1000, until: async () => true, byHand: { text: 'compare LSNs' } }, target);
    expect(wait).toEqual({ run: [], remark: 'by hand: s1 to replay (compare LSNs)' });
    const record = cmdOfAction({ kind: 'record', summary: 's1 is the primary', run: async () => undefined }, target);
    expect(record.remark).toMatch(/^hotstandby would record: s1 is the primary/);
  });

  it('falls back to the other actions when a program fails, and never writes a secret', () => {
    registerSecret('hunter2-secret');
    const rewind = cmdOfAction(
      {
        kind: 'exec',
        summary: 'rewind',
        command: 'C:\\pg\\pg_rewind.exe',
        args: ['--target-pgdata', 'C:\\d', '--source-server', 'password=hunter2-secret'],
        runAs: 'server',
        env: { PGPASSFILE: path.join('C:', 'p') },
        otherwise: [{ kind: 'remove-dir', summary: 'rm', path: 'C:\\d' }],
      },
      target,
    );
    expect(rewind.run[1]).toMatch(/^call "C:\\pg\\pg_rewind.exe" "--target-pgdata" "C:\\d" "--source-server" "password=\*+"$/);
    expect(rewind.run.slice(2)).toEqual(['if errorlevel 1 (', 'echo the command above failed; instead: 1>&2', 'if exist "C:\\d" rmdir /s /q "C:\\d"', ')']);
    const secret = cmdOfAction({ kind: 'write-file', summary: 'p', path: 'C:\\p', content: '*:*:*:u:hunter2-secret', owner: 'server', secret: true }, target);
    expect(JSON.stringify([rewind, secret])).not.toContain('hunter2-secret');
    const copied = cmdOfAction(
      { kind: 'write-file', summary: 'p', path: 'C:\\p', content: '*:*:*:u:hunter2-secret', owner: 'server', secret: true, byHand: { cmd: 'copy /y "%PGPASSFILE%" "C:\\p"' } },
      target,
    );
    expect(copied.run).toEqual(['copy /y "%PGPASSFILE%" "C:\\p"']);
    expect(quoteCmdArg('a"b%')).toBe('"a\\"b%%"');
  });

  it('names the steps that hold work to do by hand, and writes described work and notes as REM lines', () => {
    const plan: OperationPlan = {
      command: 'test',
      purpose: 'A test plan.',
      checked: [],
      steps: [
        { title: 'scripted', actions: [{ kind: 'mkdir', summary: 'm', path: 'C:\\d\\made', owner: 'invoker', mode: 0o700 }] },
        { title: 'described', actions: [], notes: ['already there'], described: ['check the replica'] },
      ],
    };
    const lines = body(renderCmdRunbook(plan, target, 'generated for a test'));
    expect(lines).toContain('REM NOT EVERYTHING IS SCRIPTED: step 2 holds work this script does not do (the "REM by hand" lines');
    expect(lines).toContain('REM note: already there');
    expect(lines).toContain('REM by hand: check the replica');
    expect(lines).not.toContain('REM nothing to do');
    expect(body(renderCmdRunbook({ ...plan, steps: plan.steps.slice(0, 1) }, target, 'test')).join('\n')).not.toContain('NOT EVERYTHING IS SCRIPTED');
  });
});
