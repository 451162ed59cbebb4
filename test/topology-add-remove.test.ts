// add-standby and remove-standby on a running cluster: an added standby (also one cascaded from another standby)
// streams, passes verify and is remembered by later runs of `up`; a removed one is stopped, leaves no slot on its
// upstream and no data directory, and leaves synchronous_standby_names when it was synchronous; a standby that
// another streams from cannot be removed. Refusals name the command's options and the command that helps.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { describeRun, runProgram } from './support/cli.js';
import { expectUserError, nodeNamed, verifyOf } from './support/cluster-json.js';
import { ids, ok, show, slotNames, upCluster, waitReplayed } from './support/cluster-nodes.js';
import { postmastersUnder } from './support/processes.js';
import { clusterConfig, createProject, freePorts } from './support/project.js';
import { expectJsonError, jsonResult } from './support/json-output.js';
import type { RemoveStandbyJson, StandbyBuildJson } from 'hotstandby';

describe('add-standby and remove-standby', () => {
  test('added standbys stream and are remembered; removed ones leave no slot, directory or synchronous name behind', async () => {
    const project = await createProject();
    const config = await clusterConfig({ primaryName: 'main', standbys: ['s1', 'sync1'] });
    (config.standbys as Record<string, unknown>[])[1]!.synchronous = true;
    const cluster = await upCluster(project, config);
    const main = await cluster.client('main');
    await main.query('CREATE TABLE membership_probe (id int PRIMARY KEY)');
    await main.query('INSERT INTO membership_probe VALUES (1)');

    // add-standby with a chosen port: it streams from the primary.
    const [extraPort] = await freePorts(1);
    const addExtra = await ok(project, ['add-standby', 'extra', '--port', String(extraPort), '--plain']);
    expect(addExtra.stdout, describeRun(addExtra)).toMatch(/extra is streaming on port \d+, streaming from main/);
    // add-standby --upstream another standby: a cascaded standby, its slot on that standby.
    // (With --json: the new standby as status reports it, and the up run that built it.)
    const addLeaf = jsonResult<StandbyBuildJson>(await project.run(['add-standby', 'leaf', '--upstream', 's1', '--json']));
    expect(addLeaf).toMatchObject({ standby: 'leaf', node: { name: 'leaf', state: 'streaming', upstream: 's1' }, warnings: [] });
    expect(addLeaf.up.steps.some((s) => s.step === 'base-backup' && s.node === 'leaf' && s.changed)).toBe(true);

    // A request that does not fit is refused in the words of the command's options (the standby is not in the
    // config, so no config key or file), and nothing is recorded.
    const stateFile = project.path('.hotstandby', 'state.json');
    const topologyBefore = JSON.parse(readFileSync(stateFile, 'utf8')).topology;
    const [badPort] = await freePorts(1);
    const syncCascaded = await project.run(['add-standby', 'bad', '--port', String(badPort), '--upstream', 's1', '--synchronous', '--plain']);
    expectUserError(syncCascaded, [
      '--synchronous and --upstream s1 do not go together',
      'only standbys that stream from the primary (main) can be synchronous',
      'leave out --synchronous',
      'leave out --upstream',
    ]);
    expect(syncCascaded.stderr, describeRun(syncCascaded)).not.toMatch(/invalid config|hotstandby\.config\.json|standbys\[/);
    const s1Dir = nodeNamed(await cluster.status(), 's1').dataDir;
    const nested = await project.run(['add-standby', 'bad', '--data-dir', `${s1Dir}/inner`, '--plain']);
    expectUserError(nested, [`--data-dir ${s1Dir}/inner is inside the data directory of s1`, 'choose another --data-dir for bad']);
    expect(nested.stderr, describeRun(nested)).not.toMatch(/invalid config|hotstandby\.config\.json|standbys\[/);
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).topology).toEqual(topologyBefore);

    const status = await cluster.status();
    expect(status.nodes.map((n) => [n.name, n.upstream, n.state])).toEqual([
      ['main', null, 'running'],
      ['s1', 'main', 'streaming'],
      ['sync1', 'main', 'streaming'],
      ['extra', 'main', 'streaming'],
      ['leaf', 's1', 'streaming'],
    ]);
    expect(nodeNamed(status, 'extra').port).toBe(extraPort);
    const s1 = await cluster.client('s1');
    expect(await slotNames(main)).toEqual(['extra', 's1', 'sync1']);
    expect(await slotNames(s1)).toEqual(['leaf']);
    const leaf = await cluster.client('leaf');
    await waitReplayed(main, leaf, 'leaf (through s1)');
    expect(await ids(leaf, 'membership_probe')).toEqual([1]);
    const verify = await verifyOf(project);
    expect(verify.result.code, describeRun(verify.result)).toBe(0);
    expect(verify.report.standbys.map((s) => [s.name, s.ok])).toEqual([
      ['s1', true],
      ['sync1', true],
      ['extra', true],
      ['leaf', true],
    ]);

    // state.json remembers them: a later up keeps (and changes nothing about) them.
    const state = JSON.parse(readFileSync(project.path('.hotstandby', 'state.json'), 'utf8')) as { topology?: { added?: { name: string }[] } };
    expect(state.topology?.added?.map((a) => a.name)).toEqual(['extra', 'leaf']);
    const again = await ok(project, ['up', '--plain']);
    expect(again.stdout, describeRun(again)).toMatch(/nothing changed/);
    expect((await cluster.status()).nodes.map((n) => [n.name, n.upstream, n.running])).toEqual([
      ['main', null, true],
      ['s1', 'main', true],
      ['sync1', 'main', true],
      ['extra', 'main', true],
      ['leaf', 's1', true],
    ]);

    // A standby another streams from cannot be removed; the message names the child. Nothing changes.
    // leaf was added with add-standby, so the way out is remove-standby, not the config.
    const refused = await project.run(['remove-standby', 's1', '--purge']);
    expectUserError(refused, ['leaf streams from s1', 'remove leaf first (hotstandby remove-standby leaf)']);
    expect(refused.stderr, describeRun(refused)).not.toMatch(/in the config|upstream" in/);
    const refusedJson = await project.run(['remove-standby', 's1', '--purge', '--json']);
    expectJsonError(refusedJson, { exitCode: 1, code: 'TOPOLOGY_CONFLICT', mentions: ['leaf streams from s1', 'hotstandby remove-standby leaf'] });
    expect(refusedJson.stdout, describeRun(refusedJson)).toBe('');
    expect(nodeNamed(await cluster.status(), 's1')).toMatchObject({ running: true, state: 'streaming' });
    expect(await slotNames(main)).toContain('s1');

    // remove-standby --purge of the cascaded one: stopped, its slot on s1 dropped, its directory deleted.
    const leafDir = nodeNamed(status, 'leaf').dataDir;
    const removeLeaf = await ok(project, ['remove-standby', 'leaf', '--purge']);
    expect(removeLeaf.stdout, describeRun(removeLeaf)).toMatch(/leaf is no longer part of the cluster/);
    expect(postmastersUnder(leafDir)).toEqual([]);
    expect(existsSync(leafDir)).toBe(false);
    expect(await slotNames(s1)).toEqual([]);

    // remove-standby --purge of the synchronous one: out of synchronous_standby_names, slot dropped on the primary,
    // and the primary's commits no longer wait for it.
    const syncDir = nodeNamed(status, 'sync1').dataDir;
    expect(await show(main, 'synchronous_standby_names')).toContain('"sync1"');
    const removeSync = jsonResult<RemoveStandbyJson>(await project.run(['remove-standby', 'sync1', '--purge', '--json']));
    expect(removeSync).toMatchObject({ standby: 'sync1', kept: [], warnings: [] });
    expect(removeSync.deleted).toContain(syncDir);
    expect(await show(main, 'synchronous_standby_names')).not.toContain('sync1');
    expect(postmastersUnder(syncDir)).toEqual([]);
    expect(existsSync(syncDir)).toBe(false);
    expect(await slotNames(main)).toEqual(['extra', 's1']);
    await main.query('INSERT INTO membership_probe VALUES (2)');
    await waitReplayed(main, s1, 's1');
    expect(await ids(s1, 'membership_probe')).toEqual([1, 2]);

    // They stay removed: status no longer lists them, and a later up does not bring them back.
    await ok(project, ['up', '--plain']);
    const final = await cluster.status();
    expect(final.nodes.map((n) => n.name)).toEqual(['main', 's1', 'extra']);
    expect(existsSync(leafDir) || existsSync(syncDir)).toBe(false);
    expect(await slotNames(main)).toEqual(['extra', 's1']);
    expect((await verifyOf(project)).report.ok).toBe(true);

    // Removed without --purge, a standby keeps its data directory, and the hint says how to delete it later: a
    // later remove-standby --purge no longer knows the standby (an added one is forgotten, a config one is
    // removed), so it says so and, for a config standby, repeats the way to delete the directory.
    for (const name of ['extra', 's1']) {
      const dir = nodeNamed(final, name).dataDir;
      const removed = await ok(project, ['remove-standby', name]);
      expect(removed.stdout, describeRun(removed)).toContain(`kept ${dir} (to delete it later, do it yourself: rm -rf ${dir})`);
      expect(removed.stdout, describeRun(removed)).not.toMatch(/--purge/);
      expect(existsSync(dir)).toBe(true);
      const purgeLater = await project.run(['remove-standby', name, '--purge']);
      if (name === 's1')
        expectUserError(purgeLater, [
          's1 is no longer a standby of this cluster: it was removed with remove-standby before',
          `its data directory ${dir} was kept; to delete it later, do it yourself: rm -rf ${dir}`,
        ]);
      else expectUserError(purgeLater, ['extra is not a standby of this cluster']);
      expect(existsSync(dir), 'a refused remove-standby deletes nothing').toBe(true);
      const deleteIt = await runProgram('sh', ['-c', `rm -rf ${dir}`], { cwd: project.dir });
      expect(deleteIt.code, describeRun(deleteIt)).toBe(0);
      expect(existsSync(dir)).toBe(false);
    }
  });
});
