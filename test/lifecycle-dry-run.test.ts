// --dry-run of the lifecycle commands (remove-standby, rebuild, down, start, stop, restart, scripts, add-standby): each prints
// the plan it would apply, in order, and changes nothing: the state and the nodes' config files are byte for byte
// the same, every server is as running or stopped as before, slots and roles are untouched, and no lock is left.
// With --json the same plan is one PlanView document.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { PlanView } from '@hotstandby/core';
import { describeRun, type CliResult } from './support/cli.js';
import { ok, slotNames, upCluster, type LiveCluster } from './support/cluster-nodes.js';
import { hashFiles } from './support/files.js';
import { jsonResult } from './support/json-output.js';
import { postmastersUnder } from './support/processes.js';
import { clusterConfig, createProject } from './support/project.js';

const NODES = ['main', 's1', 's2'];

// Everything a dry run must leave as it was: files of the state and of each data directory, which servers run
// (by pid), the slots and roles on the primary, what the state directory holds.
async function snapshot(cluster: LiveCluster): Promise<unknown> {
  const stateDir = cluster.stateDir;
  const dataFiles = NODES.flatMap((n) => ['postgresql.conf', 'postgresql.auto.conf', 'pg_hba.conf', 'standby.signal', 'PG_VERSION'].map((f) => path.join(stateDir, 'data', n, f)));
  const main = await cluster.client('main');
  return {
    files: hashFiles([path.join(stateDir, 'state.json'), path.join(stateDir, 'pgpass'), ...dataFiles]),
    stateDirEntries: readdirSync(stateDir).sort(),
    postmasters: postmastersUnder(cluster.project.dir)
      .map((p) => p.pid)
      .sort(),
    slots: await slotNames(main),
    roles: (await main.query<{ rolname: string }>("SELECT rolname FROM pg_roles WHERE rolname NOT LIKE 'pg\\_%' ORDER BY 1")).rows.map((r) => r.rolname),
  };
}

// Run a dry run and check it changed nothing and left no lock; returns its output.
async function dryRun(cluster: LiveCluster, args: readonly string[], says = `Dry run of "hotstandby ${args[0]}`): Promise<CliResult> {
  const before = await snapshot(cluster);
  const result = await ok(cluster.project, [...args, '--dry-run']);
  expect(await snapshot(cluster), `${args.join(' ')} --dry-run changed something\n${describeRun(result)}`).toEqual(before);
  expect(existsSync(path.join(cluster.stateDir, 'lock')), 'no lock is left behind').toBe(false);
  expect(result.stdout).toContain(says);
  return result;
}

describe('--dry-run of the lifecycle commands', () => {
  test('prints each plan and changes nothing; --json gives the plan as a PlanView', async () => {
    const project = await createProject();
    const config = await clusterConfig({ primaryName: 'main', standbys: ['s1', 's2'] });
    (config.standbys as Record<string, unknown>[])[1]!.synchronous = true;
    const cluster = await upCluster(project, config);
    const dataDir = (n: string) => path.join(cluster.stateDir, 'data', n);

    const remove = await dryRun(cluster, ['remove-standby', 's2', '--purge']);
    expect(remove.stdout).toMatch(/s2 is synchronous: it leaves synchronous_standby_names first/);
    expect(remove.stdout).toMatch(/stop s2 \(fast\)/);
    expect(remove.stdout).toMatch(/\[main\] SQL: SELECT pg_drop_replication_slot\(slot_name\).*\$1 = "s2"/);
    expect(remove.stdout).toContain(`remove the directory ${dataDir('s2')}`);
    // The order is the command's: out of synchronous_standby_names before the stop, the slot before the directory.
    const at = (re: RegExp) => remove.stdout.search(re);
    expect(at(/synchronous_standby_names first/)).toBeLessThan(at(/stop s2/));
    expect(at(/stop s2/)).toBeLessThan(at(/pg_drop_replication_slot/));
    expect(at(/pg_drop_replication_slot/)).toBeLessThan(at(/remove the directory/));

    const rebuild = await dryRun(cluster, ['rebuild', 's1']);
    expect(rebuild.stdout).toMatch(/stop s1 \(fast\)/);
    expect(rebuild.stdout).toContain(`remove the directory ${dataDir('s1')}`);
    expect(rebuild.stdout).toMatch(/then: hotstandby up takes a new base backup/);

    const down = await dryRun(cluster, ['down', '--purge', '--restore']);
    expect(down.stdout).toMatch(/stop s1 \(fast\)[\s\S]*stop main \(fast\)/);
    expect(down.stdout).toMatch(/\[main\] SQL: DROP ROLE IF EXISTS "repuser"/);
    expect(down.stdout).toContain(`remove the directory ${cluster.stateDir}`);

    const stop = await dryRun(cluster, ['stop', '--mode', 'immediate']);
    expect(stop.stdout).toMatch(/stop s2 \(immediate\)[\s\S]*stop s1 \(immediate\)[\s\S]*stop main \(immediate\)/);
    const restart = await dryRun(cluster, ['restart', 's1']);
    expect(restart.stdout).toMatch(/stop s1 \(fast\)[\s\S]*start s1/);
    expect(restart.stdout).not.toMatch(/stop main/);

    // A stopped node: start --dry-run plans its start and leaves it stopped.
    await ok(project, ['stop', 's1']);
    const start = await dryRun(cluster, ['start']);
    expect(start.stdout).toMatch(/checked: main: already running/);
    expect(start.stdout).toMatch(/── 1\. start s1\n(.*\n)*\s+start s1/);

    const scripts = await dryRun(cluster, ['scripts', '--out', 'my scripts']);
    expect(scripts.stdout).toContain(`create ${project.path('my scripts', 'start-main.sh')}`);
    expect(existsSync(project.path('my scripts'))).toBe(false);
    // Written once, the scripts are as wanted: a second dry run has nothing to do.
    await ok(project, ['scripts', '--out', 'my scripts']);
    expect((await dryRun(cluster, ['scripts', '--out', 'my scripts'])).stdout).toMatch(/nothing to do/);

    // add-standby --dry-run: up's dry run with the new standby in the cluster; nothing is recorded.
    const add = await dryRun(cluster, ['add-standby', 'extra', '--plain'], 'Dry run complete: the changes above would add extra');
    expect(add.stdout).toMatch(/── base-backup · extra\n.*pg_create_physical_replication_slot/);
    expect(existsSync(dataDir('extra'))).toBe(false);

    // --json --dry-run: the PlanView, every action with its kind and printable lines, and still no change.
    const before = await snapshot(cluster);
    const view = jsonResult<PlanView>(await project.run(['remove-standby', 's2', '--dry-run', '--json']));
    expect(view.command).toBe('remove-standby s2');
    expect(view.steps.map((s) => s.title)).toEqual([
      "take s2 out of the cluster's topology and synchronous_standby_names",
      'stop s2',
      "drop s2's replication slot s2 on main",
      'forget s2',
    ]);
    expect(view.steps[1]!.actions).toEqual([{ kind: 'node', node: 's2', summary: 'stopping s2', lines: ['stop s2 (fast)'] }]);
    const downView = jsonResult<PlanView>(await project.run(['down', '--dry-run', '--json']));
    expect(downView.steps.flatMap((s) => s.actions.map((a) => `${a.kind} ${a.node}`))).toEqual(['node s2', 'node main']);
    expect(await snapshot(cluster)).toEqual(before);
  });
});
