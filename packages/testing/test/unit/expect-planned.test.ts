import { describe, expect, it } from 'vitest';
import type { PlannedStep } from '@hotstandby/core';
import { expectPlanned, PlanAssertionError } from '../../src/expect-planned.js';

const plan: PlannedStep = {
  step: 'seed-schema',
  node: 'master',
  actions: [
    { kind: 'sql', node: 'master', sql: 'CREATE TABLE "app"."items" (id int)', summary: 'create the table' },
    { kind: 'write-file', path: '/data/postgresql.auto.conf', content: 'x', owner: 'server', summary: 'write' },
    { kind: 'exec', command: '/usr/bin/pgbench', args: ['-i', '-s', '1'], runAs: 'server', summary: 'init' },
    { kind: 'task', changes: false, details: [], summary: 'check the standbys', run: async () => undefined },
  ],
  notes: ['2 of 3 row(s) already there'],
  lines: [],
};
const empty: PlannedStep = { step: 'seed-schema', node: 'master', actions: [], notes: [], lines: [] };
const checkOnly: PlannedStep = { ...empty, actions: [plan.actions[3]!] };

// The message of the PlanAssertionError the call throws.
function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PlanAssertionError);
    return (error as Error).message;
  }
  throw new Error('expected a PlanAssertionError');
}

describe('expectPlanned', () => {
  it('passes for what the plan holds, and chains', () => {
    expectPlanned(plan)
      .toRunSql(/CREATE TABLE "app"/)
      .toRunSql('"items"')
      .toWriteFile('/data/postgresql.auto.conf')
      .toWriteFile(/auto\.conf$/)
      .toRunCommand(/pgbench -i -s 1/)
      .toNote(/already there/);
    expectPlanned(empty).toBeEmpty().toChangeNothing();
    expectPlanned(checkOnly).toChangeNothing();
  });

  it('fails with a listing of the plan when something is not planned', () => {
    const message = failure(() => expectPlanned(plan).toRunSql(/DROP TABLE/));
    expect(message).toContain('expected the plan of seed-schema on master to run SQL matching /DROP TABLE/, but it plans:');
    expect(message).toContain('  - sql on master: CREATE TABLE "app"."items" (id int)');
    expect(message).toContain('  - run /usr/bin/pgbench -i -s 1');
    expect(message).toContain('  - check: check the standbys');
    expect(message).toContain('  note: 2 of 3 row(s) already there');
    expect(failure(() => expectPlanned(plan).toWriteFile('/other'))).toContain('to write the file /other');
    expect(failure(() => expectPlanned(plan).toRunCommand('pg_basebackup'))).toContain('to run a command matching pg_basebackup');
    expect(failure(() => expectPlanned(plan).toNote('nothing'))).toContain('to note something matching nothing');
  });

  it('tells an empty plan from one that only checks', () => {
    expect(failure(() => expectPlanned(plan).toBeEmpty())).toContain('to be empty (nothing to do)');
    expect(failure(() => expectPlanned(checkOnly).toBeEmpty())).toContain('check: check the standbys');
    expect(failure(() => expectPlanned(plan).toChangeNothing())).toContain('to change nothing');
  });

  it('counts described work: a change once the server exists is not empty, a described check changes nothing', () => {
    const later: PlannedStep = { ...empty, described: [{ summary: "once master runs: synchronous_standby_names = 'standby1'", changes: true }] };
    const checks: PlannedStep = { ...empty, described: [{ summary: 'verify standby1', details: ['write a marker row'], changes: false }] };
    expect(failure(() => expectPlanned(later).toChangeNothing())).toContain("  - described: once master runs: synchronous_standby_names = 'standby1'");
    expect(failure(() => expectPlanned(later).toBeEmpty())).toContain('to be empty (nothing to do)');
    expectPlanned(checks).toChangeNothing();
    expect(failure(() => expectPlanned(checks).toBeEmpty())).toContain('  - check: verify standby1');
  });

  it('looks across the plans of every node', () => {
    const standby2: PlannedStep = { ...empty, node: 'standby2', actions: [{ kind: 'remove-file', path: '/x/standby.signal', summary: 'rm' }] };
    expect(failure(() => expectPlanned([empty, standby2]).toChangeNothing())).toContain('  - remove /x/standby.signal');
    expect(failure(() => expectPlanned([empty, standby2]).toBeEmpty())).toContain('of seed-schema on master, standby2');
  });
});
