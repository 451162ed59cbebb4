// A passfile of the tool's own that group or others can read is ignored by libpq ("no password supplied"): up
// repairs it to 0600 (owned by the user that reads it) and says so, and replication works again. Until then a
// restarted standby is reported as not streaming, naming the passfile.
import { chmod } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
import { nodeNamed } from './support/cluster-json.js';
import { ok, upCluster, waitForStatus } from './support/cluster-nodes.js';
import { fileFacts } from './support/files.js';
import { clusterConfig, createProject } from './support/project.js';

describe('passfile modes', () => {
  test('a restart names the 0644 passfile; up repairs a 0644 replication passfile and psql passfile to 0600, saying so; the standby streams again', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['s1'] }));
    const replicationPassfile = project.path('.hotstandby', 'run', 'replication.pgpass');
    const userPassfile = project.path('.hotstandby', 'pgpass');
    const owners = { replication: fileFacts(replicationPassfile).uid, user: fileFacts(userPassfile).uid };
    await chmod(replicationPassfile, 0o644);
    await chmod(userPassfile, 0o644);

    // A restarted standby cannot log in; restart says so and names the passfile and the repair.
    const restart = await project.run(['restart', 's1']);
    expect(restart.code, describeRun(restart)).toBe(1);
    expect(restart.stdout, describeRun(restart)).toMatch(/^s1: started, NOT streaming: it does not stream from main; its log says: FATAL: .*no password supplied/m);
    expect(restart.stdout, describeRun(restart)).toMatch(/the replication passfile .*replication\.pgpass has mode 0644, which libpq ignores.*hotstandby up repairs it/);

    const up = await ok(project, ['up', '--plain']);
    expect(up.stdout, describeRun(up)).toMatch(/repaired .*replication\.pgpass: mode 0644, which libpq ignores.*now 0600/);
    expect(up.stdout, describeRun(up)).toMatch(/repaired .*\.hotstandby\/pgpass: mode 0644, which libpq ignores.*now 0600/);
    expect(fileFacts(replicationPassfile)).toMatchObject({ mode: 0o600, uid: owners.replication });
    expect(fileFacts(userPassfile)).toMatchObject({ mode: 0o600, uid: owners.user });

    // The standby reads the repaired file when it connects again.
    await ok(project, ['restart', 's1']);
    await waitForStatus(cluster, 's1 to stream', (s) => nodeNamed(s, 's1').state === 'streaming');
  });
});
