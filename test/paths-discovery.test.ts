// Config discovery: a .hotstandbyrc.json in the cwd is found by cosmiconfig.
import { describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
import { statusOf, verifyOf } from './support/cluster-json.js';
import { listTree } from './support/files.js';
import { clusterConfig, createProject } from './support/project.js';

describe('config discovery', () => {
  test('a .hotstandbyrc.json in the cwd is discovered', async () => {
    const project = await createProject();
    const config = await clusterConfig({ primaryName: 'rcmain', standbys: ['rcreplica'] });
    await project.writeConfig('.hotstandbyrc.json', config);

    const up = await project.run(['up']);
    expect(up.code, describeRun(up)).toBe(0);
    const status = await statusOf(project);
    expect(status.nodes.map((n) => [n.name, n.port, n.running])).toEqual([
      ['rcmain', (config.primary as { port: number }).port, true],
      ['rcreplica', (config.standbys as { port: number }[])[0]!.port, true],
    ]);
    expect(status.stateDir).toBe(project.path('.hotstandby'));
    const verify = await verifyOf(project);
    expect(verify.result.code, describeRun(verify.result)).toBe(0);
    expect(verify.report.standbys.map((s) => s.name)).toEqual(['rcreplica']);

    const down = await project.run(['down', '--purge']);
    expect(down.code, describeRun(down)).toBe(0);
    expect(listTree(project.dir)).toEqual(['.hotstandbyrc.json']);
  });
});
