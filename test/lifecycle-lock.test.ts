// Two commands on one cluster at once: a second `up` while the first still runs is refused, and the first
// finishes undisturbed.
import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { collect, describeRun, startCli } from './support/cli.js';
import { expectUserError, statusOf, verifyOf } from './support/cluster-json.js';
import { clusterConfig, createProject } from './support/project.js';
import { waitFor } from './support/wait.js';

describe('the run lock', () => {
  test('a second up while the first still runs is refused with "another hotstandby command"', async () => {
    const project = await createProject();
    // Two standbys keep the first up busy long enough for the second to meet its lock.
    await project.writeConfig('hotstandby.config.json', await clusterConfig({ standbys: ['standby1', 'standby2'] }));
    const lockFile = project.path('.hotstandby', 'lock');

    const firstChild = startCli(['up'], { cwd: project.dir });
    const first = collect('hotstandby up (first)', firstChild);
    let firstDone = false;
    void first.then(() => (firstDone = true));
    // Wait until the first up holds the lock (or has ended, which the assertions below report).
    await waitFor(() => existsSync(lockFile) || firstDone, { what: 'the first up to take the lock', timeoutMs: 60_000, intervalMs: 10 });
    expect(firstDone, 'the first up ended before it was seen holding the lock').toBe(false);

    const second = await project.run(['up']);
    const firstResult = await first;
    expect(firstDone).toBe(true);
    expectUserError(second, ['another hotstandby command', /\bup\b/, String(firstChild.pid)]);

    expect(firstResult.code, describeRun(firstResult)).toBe(0);
    expect(existsSync(lockFile), 'the lock is released after up').toBe(false);
    const status = await statusOf(project);
    expect(status.nodes.map((n) => [n.name, n.running])).toEqual([
      ['primary', true],
      ['standby1', true],
      ['standby2', true],
    ]);
    const verify = await verifyOf(project);
    expect(verify.result.code, describeRun(verify.result)).toBe(0);
  });
});
