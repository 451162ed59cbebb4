// A crashed standby whose postmaster.pid names a PID that now belongs to another process of the server's user
// (as after a reboot): status must not call it running, and start must bring it back instead of saying
// "already running" or letting PostgreSQL refuse the stale lock file.
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
import { nodeNamed } from './support/cluster-json.js';
import { ok, postmasterPid, upCluster, waitForStatus } from './support/cluster-nodes.js';
import { clusterConfig, createProject, deferCleanup } from './support/project.js';
import { waitFor } from './support/wait.js';

describe('a stale postmaster.pid', () => {
  test('naming another live process of the server user: not running, and start brings the node back', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['s1'] }));
    const s1Dir = nodeNamed(await cluster.status(), 's1').dataDir;
    const pidFile = path.join(s1Dir, 'postmaster.pid');
    const { uid, gid } = statSync(s1Dir);

    const pid = postmasterPid(s1Dir);
    const lockFile = readFileSync(pidFile, 'utf8');
    process.kill(pid, 'SIGKILL');
    await waitFor(
      () => {
        try {
          process.kill(pid, 0);
          return undefined;
        } catch {
          return true;
        }
      },
      { what: 's1 postmaster to be gone' },
    );

    // Another process of the postgres user now holds that PID's place in the lock file.
    const other = spawn('sleep', ['600'], { uid, gid, stdio: 'ignore', cwd: '/' });
    deferCleanup(async () => void other.kill('SIGKILL'));
    writeFileSync(pidFile, lockFile.replace(/^\d+/, String(other.pid)));

    const status = await cluster.status();
    expect(nodeNamed(status, 's1').running, JSON.stringify(nodeNamed(status, 's1'))).toBe(false);
    const start = await ok(project, ['start', 's1']);
    expect(start.stdout, describeRun(start)).toMatch(/^s1: started$/m);
    await waitForStatus(cluster, 's1 to stream again', (s) => nodeNamed(s, 's1').state === 'streaming');
  });
});
