// Runbooks of the lifecycle commands, run by hand with sh: `runbook stop s1` stops the standby as `stop s1` does,
// `runbook start s1` brings it back streaming, and `runbook down -- --purge` is
// a valid script. The Markdown form of remove-standby lists numbered steps with the SQL. down's plan orders the stops.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { describeRun, runProgram } from './support/cli.js';
import { nodeNamed } from './support/cluster-json.js';
import { ok, upCluster, waitForStatus } from './support/cluster-nodes.js';
import { clusterConfig, createProject } from './support/project.js';

describe('lifecycle runbooks run by hand', () => {
  test('stop and start of a standby as sh scripts do what the commands do', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ standbys: ['s1'] }));

    await ok(project, ['runbook', 'stop', 's1', '--format', 'sh', '-o', 'stop-s1.sh']);
    const stopScript = readFileSync(project.path('stop-s1.sh'), 'utf8');
    expect(stopScript).toMatch(/pg_ctl stop -D .* -m fast -w/);
    expect(stopScript).not.toContain(cluster.password);
    const stopped = await runProgram('sh', [project.path('stop-s1.sh')], { cwd: project.dir, timeoutMs: 120_000 });
    expect(stopped.code, describeRun(stopped)).toBe(0);
    const afterStop = await cluster.status();
    expect(nodeNamed(afterStop, 's1').running, JSON.stringify(afterStop)).toBe(false);
    expect(nodeNamed(afterStop, 'primary').running).toBe(true);

    await ok(project, ['runbook', 'start', 's1', '--format', 'sh', '-o', 'start-s1.sh']);
    const started = await runProgram('sh', [project.path('start-s1.sh')], { cwd: project.dir, timeoutMs: 120_000 });
    expect(started.code, describeRun(started)).toBe(0);
    await waitForStatus(cluster, 's1 to stream again', (s) => nodeNamed(s, 's1').state === 'streaming', 60_000);

    const markdown = await ok(project, ['runbook', 'remove-standby', 's1', '--', '--purge']);
    expect(markdown.stdout).toContain('# Runbook: `hotstandby remove-standby s1');
    expect(markdown.stdout).toMatch(/### 1\. /);
    expect(markdown.stdout).toMatch(/pg_drop_replication_slot/);

    await ok(project, ['runbook', 'down', '--format', 'sh', '-o', 'down.sh', '--', '--purge']);
    const syntax = await runProgram('sh', ['-n', project.path('down.sh')], { cwd: project.dir });
    expect(syntax.code, describeRun(syntax)).toBe(0);
    expect(nodeNamed(await cluster.status(), 's1').state).toBe('streaming');
  });

  test('down stops the standbys before the primary; a purge of a cluster it created stops all of them together', async () => {
    const project = await createProject();
    await upCluster(project, await clusterConfig({ standbys: ['s1', 's2'] }));
    const down = await ok(project, ['down', '--dry-run']);
    expect(down.stdout).toMatch(/── 1\. stop s1, s2 \(fast\)[\s\S]*── 2\. stop primary \(fast\)/);
    const purge = await ok(project, ['down', '--purge', '--dry-run']);
    expect(purge.stdout).toContain('── 1. stop s1, s2, primary (fast)');
    expect(purge.stdout).not.toMatch(/── \d+\. stop primary \(fast\)/);
  });
});
