// Another PostgreSQL on a stopped standby's port: hotstandby never takes it for the standby. status says the
// standby is stopped, verify fails, start reports PostgreSQL's own "Address already in use", up refuses the port,
// and the other server never sees a connection from the tool.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { createTestPrimary } from '@hotstandby/testing';
import { describeRun } from './support/cli.js';
import { ok, upCluster } from './support/cluster-nodes.js';
import { nodeNamed, statusOf, verifyOf } from './support/cluster-json.js';
import { clusterConfig, createProject, deferCleanup } from './support/project.js';

describe('another PostgreSQL on a stopped standby’s port', () => {
  test('is never taken for the standby: status, verify, start and up all tell them apart', async () => {
    const project = await createProject();
    const config = await clusterConfig({ standbys: ['s1'] });
    await upCluster(project, config);
    const standbyPort = (config.standbys as { port: number }[])[0]!.port;
    await ok(project, ['stop', 's1']);
    const foreign = await createTestPrimary({ port: standbyPort, settings: { log_connections: 'on' } });
    deferCleanup(() => foreign.cleanup());
    const logFile = path.join(foreign.dir, 'primary.log');
    const logBefore = readFileSync(logFile, 'utf8').length;

    const status = await statusOf(project);
    expect(nodeNamed(status, 's1').state, JSON.stringify(status)).toBe('stopped');
    const verify = await verifyOf(project);
    expect(verify.result.code, describeRun(verify.result)).not.toBe(0);
    expect(verify.report.ok).toBe(false);

    const start = await project.run(['start', 's1']);
    expect(start.code, describeRun(start)).toBe(1);
    expect(start.stderr, describeRun(start)).toMatch(/Address already in use/);

    const up = await project.run(['up', '--plain']);
    expect(up.code, describeRun(up)).toBe(1);
    expect(up.stderr, describeRun(up)).toMatch(/PORT_IN_USE/);

    expect(readFileSync(logFile, 'utf8').slice(logBefore), 'the other server saw no connection').not.toMatch(/connection received/);
  });
});
