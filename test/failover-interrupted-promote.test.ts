// A promote or switchover killed between pg_ctl promote and recording it: the intent was journaled first, so the
// next command settles it from what the standby shows. Promoted: the old primary is a former primary that start
// refuses and rejoin brings back. Not promoted: nothing changed. Never two primaries.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
import { expectUserError, nodeNamed, verifyOf } from './support/cluster-json.js';
import { ok, runAsServerUser, upCluster } from './support/cluster-nodes.js';
import { postmastersUnder } from './support/processes.js';
import { clusterConfig, createProject, type Project } from './support/project.js';

// What a killed promote leaves in state.json: the pending promotion, nothing else recorded.
function leavePending(project: Project, newPrimary: string, oldPrimary: string): void {
  const file = project.path('.hotstandby', 'state.json');
  const state = JSON.parse(readFileSync(file, 'utf8')) as { topology?: Record<string, unknown> };
  state.topology = { ...state.topology, pendingPromotion: { newPrimary, oldPrimary } };
  writeFileSync(file, JSON.stringify(state, null, 2));
}

describe('a promotion interrupted before it was recorded', () => {
  test('promoted: the old primary cannot start as a second primary; rejoin brings it back as a standby', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['s1', 's2'] }));
    const status = await cluster.status();
    await ok(project, ['stop', 'main']);
    leavePending(project, 's1', 'main');
    const promoted = await runAsServerUser(status, 'pg_ctl', ['promote', '-w', '-D', nodeNamed(status, 's1').dataDir], project.dir);
    expect(promoted.code, describeRun(promoted)).toBe(0);

    expectUserError(await project.run(['start', 'main']), ['SPLIT_BRAIN_GUARD']);
    expect(postmastersUnder(nodeNamed(status, 'main').dataDir)).toEqual([]);
    const after = await cluster.status();
    expect(nodeNamed(after, 's1')).toMatchObject({ role: 'primary', inRecovery: false });

    const rejoin = await ok(project, ['rejoin', 'main', '--plain']);
    expect(rejoin.stdout, describeRun(rejoin)).toMatch(/main/);
    const verify = await verifyOf(project);
    expect(verify.report.ok, describeRun(verify.result)).toBe(true);
    expect(verify.report.standbys.map((s) => s.name).sort()).toEqual(['main', 's2']);
    const state = JSON.parse(readFileSync(path.join(project.dir, '.hotstandby', 'state.json'), 'utf8')) as { topology?: { pendingPromotion?: unknown } };
    expect(state.topology?.pendingPromotion).toBeUndefined();
  });

  test('not promoted: the pending record is dropped and the old primary is still the primary', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['s1'] }));
    leavePending(project, 's1', 'main');
    const status = await cluster.status();
    expect(nodeNamed(status, 'main')).toMatchObject({ role: 'primary', running: true });
    expect(nodeNamed(status, 's1')).toMatchObject({ role: 'standby', inRecovery: true });
    const verify = await verifyOf(project);
    expect(verify.report.ok, describeRun(verify.result)).toBe(true);
  });
});
