// promote, switchover and rejoin with --dry-run print the plan the command would apply — SQL, commands, file
// changes and waits, in order — and change nothing: the watched files hash the same, every server keeps its
// role, and no lock is taken. With --json they print the plan as JSON; `runbook` writes the same plan down.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { PlanView } from '@hotstandby/core';
import { describeRun, parseJson } from './support/cli.js';
import { expectUserError, nodeNamed, type StatusJson } from './support/cluster-json.js';
import { ok, upCluster, type LiveCluster } from './support/cluster-nodes.js';
import { hashFiles, listTree } from './support/files.js';
import { withClient } from './support/pg.js';
import { postmastersUnder } from './support/processes.js';
import { clusterConfig, createProject } from './support/project.js';

// What a failover command changes: the state, each node's configuration and standby marker, its slots' directories,
// and which files the state directory holds (the servers' own data and logs left out).
function snapshot(cluster: LiveCluster, status: StatusJson): Record<string, unknown> {
  const files = [path.join(cluster.stateDir, 'state.json')];
  const slots: Record<string, string[]> = {};
  for (const node of status.nodes) {
    for (const f of ['postgresql.conf', 'postgresql.auto.conf', 'pg_hba.conf', 'standby.signal']) files.push(path.join(node.dataDir, f));
    slots[node.name] = listTree(path.join(node.dataDir, 'pg_replslot'));
  }
  const stateFiles = listTree(cluster.stateDir).filter((f) => !f.startsWith('data') && !f.startsWith('logs'));
  return { hashes: hashFiles(files), slots, stateFiles };
}

// Which running nodes are in recovery (standbys) and which not (the primary); stopped ones are absent.
async function roles(cluster: LiveCluster, status: StatusJson): Promise<Record<string, boolean>> {
  const out: Record<string, boolean> = {};
  for (const node of status.nodes) {
    if (postmastersUnder(node.dataDir).length === 0) continue;
    out[node.name] = await withClient(node.port, cluster.password, async (c) => (await c.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0]!.r);
  }
  return out;
}

describe('promote, switchover and rejoin --dry-run', () => {
  test('print the SQL, commands and waits, change nothing and take no lock; --json gives the plan', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['s1'] }));
    const status = await cluster.status();
    const before = snapshot(cluster, status);
    const rolesBefore = await roles(cluster, status);
    expect(rolesBefore).toEqual({ main: false, s1: true });

    const switchover = await ok(project, ['switchover', 's1', '--dry-run']);
    const out = switchover.stdout;
    expect(out).toContain('Dry run of "hotstandby switchover s1": nothing will be changed.');
    const order = [
      /stop main \(fast\)/,
      /check: main shut down cleanly/,
      /wait \(up to 60 s\) for s1 to replay past main's shutdown checkpoint/,
      /^ {3}promote s1$/m,
      /record in hotstandby's state: s1 is the primary; main waits for rejoin/,
      /\[s1\] SQL: CHECKPOINT/,
      /check: main stopped cleanly before s1's timeline forked/,
      /remove the directory \S+pg_replslot\/s1/,
      /create \S+\/standby\.signal/,
      /run the pipeline of hotstandby up against the new topology/,
    ].map((re) => {
      const at = out.search(re);
      expect(at, `${re} in\n${describeRun(switchover)}`).toBeGreaterThanOrEqual(0);
      return at;
    });
    expect(order, 'the plan is printed in the order it runs').toEqual([...order].sort((a, b) => a - b));
    // The pipeline that follows is placed on the topology as it will be: s1 the primary, main its standby.
    expect(out).toMatch(/on the primary s1: .*wal-config/);
    expect(out).toMatch(/on main \(standby of s1\): .*recovery-config/);
    // What the pipeline will do there is planned now where it can be: the slot main will stream through on s1; main's
    // recovery settings only once it has stopped, which the plan says.
    expect(out).toMatch(
      /planned now, against the new topology[\s\S]*base-backup · main:\n\s+\[s1\] SQL: SELECT slot_name FROM pg_create_physical_replication_slot\(\$1, true\)\s+-- \$1 = "main"/,
    );
    expect(out).toMatch(/recovery-config · main:\n\s+cannot be planned yet: main runs as a primary/);

    const view = parseJson<PlanView>(await ok(project, ['switchover', 's1', '--dry-run', '--json']));
    expect(view.command).toBe('switchover s1');
    expect(view.steps.map((s) => s.title)[0]).toBe('stopping the primary main cleanly');
    expect(new Set(view.steps.flatMap((s) => s.actions.map((a) => a.kind)))).toEqual(new Set(['node', 'check', 'wait', 'record', 'sql', 'remove-dir', 'write-file', 'task']));
    expect(view.steps.find((s) => s.title.startsWith('waiting'))?.ifFails).toMatch(/start main again/);

    // promote is refused while the primary runs, as the command is; with --force it plans the stop first.
    expectUserError(await project.run(['promote', 's1', '--dry-run']), ['main is still running as the primary', '(SPLIT_BRAIN_GUARD)']);
    const promote = await ok(project, ['promote', 's1', '--force', '--dry-run']);
    expect(promote.stdout).toMatch(/stop main \(fast\)[\s\S]*promote s1/);
    expect(promote.stdout).toMatch(/checked: s1: received WAL up to \S+, replayed up to \S+/);

    expect(snapshot(cluster, status)).toEqual(before);
    expect(await roles(cluster, status)).toEqual(rolesBefore);
    expect(existsSync(path.join(cluster.stateDir, 'lock')), 'no lock is left').toBe(false);

    // rejoin, once main waits for it after a failover.
    await ok(project, ['promote', 's1', '--force', '--plain']);
    const beforeRejoin = snapshot(cluster, status);
    const rejoin = await ok(project, ['rejoin', 'main', '--dry-run']);
    expect(rejoin.stdout).toContain('Make the former primary main a standby of s1 (follow)');
    expect(rejoin.stdout).toMatch(/\[s1\] SQL: CHECKPOINT[\s\S]*check: main stopped cleanly before s1's timeline forked[\s\S]*create \S+\/standby\.signal/);
    expect(rejoin.stdout).toMatch(
      /planned now, against the new topology[\s\S]*base-backup · main:\n\s+\[s1\] SQL: SELECT slot_name FROM pg_create_physical_replication_slot\(\$1, true\)\s+-- \$1 = "main"/,
    );
    // main's recovery settings too: the earlier step writes its standby.signal, and the preview counts on it.
    const recoveryConfig = rejoin.stdout.split('recovery-config · main:')[1]?.split('verify · cluster:')[0] ?? '';
    expect(recoveryConfig, rejoin.stdout).toMatch(/\+primary_conninfo = '[^']*application_name=main'/);
    expect(recoveryConfig).toMatch(/\+\+\+ \S+\/standby\.signal/);
    expect(recoveryConfig).not.toContain('cannot be planned yet');
    const rejoinView = parseJson<PlanView>(await ok(project, ['rejoin', 'main', '--dry-run', '--json']));
    expect(rejoinView.command).toBe('rejoin main');

    // runbook writes the same plan; -o refuses to replace a file unless --force.
    await ok(project, ['runbook', 'rejoin', 'main', '-o', 'rejoin.md']);
    const md = readFileSync(project.path('rejoin.md'), 'utf8');
    expect(md).toContain('# Runbook: `hotstandby rejoin main`');
    for (const [i, step] of rejoinView.steps.entries()) expect(md).toContain(`### ${i + 1}. ${step.title}`);
    expectUserError(await project.run(['runbook', 'rejoin', 'main', '--format', 'sh', '-o', 'rejoin.md']), ['rejoin.md exists already', '(OUTPUT_EXISTS)']);
    expect(readFileSync(project.path('rejoin.md'), 'utf8')).toBe(md);
    await ok(project, ['runbook', 'rejoin', 'main', '--format', 'sh', '-o', 'rejoin.md', '--force']);
    expect(readFileSync(project.path('rejoin.md'), 'utf8')).toMatch(/^#!\/bin\/sh\n/);
    expectUserError(await project.run(['runbook', 'status']), ['"status" cannot be planned', '(NO_PLAN)']);

    expect(snapshot(cluster, status)).toEqual(beforeRejoin);
    expect(postmastersUnder(nodeNamed(status, 'main').dataDir), 'main stays stopped').toEqual([]);
    expect(existsSync(path.join(cluster.stateDir, 'lock')), 'no lock is left').toBe(false);
  });
});
