// `up` and `add-standby` are plans too: `--dry-run --json` emits the same PlanView document as the other commands,
// and `hotstandby runbook up` / `runbook add-standby NAME -- --upstream U` write it down. A new cluster's runbook
// cannot be a complete script (no password is written into a runbook; some work has no scripted form), so its sh
// form says at the top which steps need a person and marks that work "by hand", and never holds a password.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { PlanView } from '@hotstandby/core';
import { describeRun, runProgram } from './support/cli.js';
import { nodeNamed } from './support/cluster-json.js';
import { ok, upCluster } from './support/cluster-nodes.js';
import { listTree } from './support/files.js';
import { jsonResult } from './support/json-output.js';
import { clusterConfig, createProject } from './support/project.js';

// The numbered step titles of a sh runbook ("# ── 3. user-creation · primary").
function scriptSteps(script: string): Map<number, string> {
  return new Map([...script.matchAll(/^# ── (\d+)\. (.*)$/gm)].map((m) => [Number(m[1]), m[2]!]));
}

describe('runbook and --dry-run --json of up and add-standby', () => {
  test('a new cluster: the sh runbook names the steps to do by hand, holds no password, and has the steps of up --dry-run', async () => {
    const project = await createProject();
    const superuserPassword = 'su-secret-7f3a9c';
    const replicationPassword = 'rep-secret-4b8e21';
    await project.writeConfig(
      'hotstandby.config.json',
      await clusterConfig({ standbys: ['s1'], superuser: { password: superuserPassword }, replication: { user: 'repuser', password: replicationPassword } }),
    );

    const view = jsonResult<PlanView>(await ok(project, ['up', '--dry-run', '--json']));
    expect(view.command).toBe('up');
    const titles = view.steps.map((s) => s.title);
    expect(titles[0]).toMatch(/^state directory /);
    expect(titles).toContain('user-creation · primary');
    expect(titles).toContain('base-backup · s1');
    const creation = view.steps.find((s) => s.title === 'user-creation · primary')!;
    expect(creation.actions.map((a) => a.kind)).toContain('sql');
    // A step may say what to check after it and what to do if it fails.
    expect(view.steps.find((s) => s.title === 'recovery-config · s1')?.check).toMatch(/pg_stat_wal_receiver on s1 .* returns streaming/);
    // Work a step only describes is there as text, not as an action.
    const verify = view.steps.find((s) => s.title === 'verify · cluster')!;
    expect(verify.described?.join('\n')).toContain('write a marker row on the primary');

    // The text dry run prints the same steps in the same order.
    const text = await ok(project, ['up', '--dry-run']);
    expect([...text.stdout.matchAll(/^── (.*)$/gm)].map((m) => m[1])).toEqual(titles);

    await ok(project, ['runbook', 'up', '--format', 'sh', '-o', 'up.sh']);
    const script = readFileSync(project.path('up.sh'), 'utf8');
    const steps = scriptSteps(script);
    expect([...steps.values()]).toEqual(titles);
    const byHand = script.match(/^# NOT EVERYTHING IS SCRIPTED: steps ([\d, ]+) hold work this script does not do/m);
    expect(byHand, script).not.toBeNull();
    const numbers = byHand![1]!.split(', ').map(Number);
    const numberOf = (title: string) => [...steps].find(([, t]) => t === title)![0];
    // The passwords: the superuser's passfile in the state directory, the replication role and its passfile.
    expect(numbers).toContain(numberOf(titles[0]!));
    expect(numbers).toContain(numberOf('user-creation · primary'));
    expect(script).toMatch(/# by hand: write \S+\/\.hotstandby\/pgpass \(mode 600\); its content is a password and is not shown/);
    expect(script).toMatch(/# by hand: write \S+\/replication\.pgpass \(mode 600\); its content is a password and is not shown/);
    expect(script).toMatch(/# by hand on primary: CREATE ROLE "repuser" .*PASSWORD '<[^'>]+>'/);
    expect(script).toContain('# by hand: verify s1');
    for (const secret of [superuserPassword, replicationPassword]) expect(script).not.toContain(secret);
    const syntax = await runProgram('sh', ['-n', project.path('up.sh')], { cwd: project.dir });
    expect(syntax.code, describeRun(syntax)).toBe(0);

    const markdown = await ok(project, ['runbook', 'up']);
    expect(markdown.stdout).toContain('# Runbook: `hotstandby up`');
    expect(markdown.stdout).toMatch(/### \d+\. verify · cluster\n\n\*\*By hand\*\*/);
    for (const secret of [superuserPassword, replicationPassword]) expect(markdown.stdout).not.toContain(secret);

    // Planning created nothing but the runbook.
    expect(listTree(project.dir)).toEqual(['hotstandby.config.json', 'up.sh']);
  });

  test('add-standby: its plan records the standby, then builds it from its upstream; nothing changes', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ standbys: ['s1'] }));
    const stateBefore = readFileSync(project.path('.hotstandby', 'state.json'), 'utf8');

    const view = jsonResult<PlanView>(await ok(project, ['add-standby', 's2', '--upstream', 's1', '--dry-run', '--json']));
    expect(view.command).toBe('add-standby s2');
    expect(view.steps[0]).toMatchObject({ title: 'record s2 as a standby', actions: [{ kind: 'record' }] });
    expect(view.steps[0]!.actions[0]!.summary).toMatch(/^s2 is a standby of s1 on port \d+/);
    const backup = view.steps.find((s) => s.title === 'base-backup · s2');
    expect(backup, JSON.stringify(view.steps.map((s) => s.title))).toBeDefined();
    expect(backup!.actions.flatMap((a) => a.lines).join('\n')).toMatch(/from s1 into \S+\/s2/);
    // The nodes that exist already have nothing to do.
    expect(view.steps.find((s) => s.title === 'base-backup · s1')?.actions).toEqual([]);

    const runbook = await ok(project, ['runbook', 'add-standby', 's2', '--format', 'sh', '--', '--upstream', 's1']);
    expect(runbook.stdout).toContain('# Runbook: hotstandby add-standby s2');
    expect(runbook.stdout).toMatch(/# hotstandby would record: s2 is a standby of s1 on port \d+/);
    expect(runbook.stdout).not.toContain(cluster.password);

    const refused = await project.run(['runbook', 'add-standby', 's2', '--', '--upstream']);
    expect(refused.code, describeRun(refused)).toBe(2);
    expect(refused.stderr).toContain('--upstream needs a value');

    // Nothing was recorded or built.
    expect(readFileSync(project.path('.hotstandby', 'state.json'), 'utf8')).toBe(stateBefore);
    const status = await cluster.status();
    expect(status.nodes.map((n) => n.name)).toEqual(['primary', 's1']);
    expect(nodeNamed(status, 's1').state).toBe('streaming');
  });
});
