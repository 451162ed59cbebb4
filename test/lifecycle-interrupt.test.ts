// Ctrl-C in the middle of `up`: the run stops between actions with one message and exit 130, releases its
// lock, leaves no half-made standby, and the next `up` finishes the job.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { collect, describeRun, startCli } from './support/cli.js';
import { verifyOf } from './support/cluster-json.js';
import { writeProjectFile } from './support/plugin-files.js';
import { clusterConfig, createProject } from './support/project.js';
import { waitFor } from './support/wait.js';

// A primary step before the base backup that, while the file `hold` exists, marks `held` and waits for the
// interrupt: a deterministic moment to press Ctrl-C at, with the primary built and the standby not yet.
const holdStep = `import { existsSync, writeFileSync } from 'node:fs';

export default {
  name: 'hold',
  description: 'Wait for Ctrl-C while the file hold exists.',
  scope: 'primary',
  after: ['wal-config'],
  before: ['base-backup'],
  async plan(ctx) {
    return { actions: existsSync('hold') ? [{ kind: 'sql', node: ctx.primary.name, sql: 'SELECT 1', summary: 'hold on' }] : [] };
  },
  async apply(ctx, plan) {
    if (plan.actions.length === 0) return { summary: 'not holding' };
    writeFileSync('held', '');
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
    await ctx.run(plan.actions);
  },
};
`;

describe('Ctrl-C during up', () => {
  test('stops cleanly with exit 130, and the next up completes the cluster', async () => {
    const project = await createProject('hotstandby-e2e-interrupt-');
    await writeProjectFile(project, 'steps/hold.js', holdStep);
    await writeProjectFile(project, 'hold', '');
    await project.writeConfig('hotstandby.config.json', await clusterConfig({ plugins: ['./steps/hold.js'] }));

    const child = startCli(['up', '--plain'], { cwd: project.dir });
    const finished = collect('hotstandby up --plain', child);
    await waitFor(() => existsSync(project.path('held')) || child.exitCode !== null, { what: 'up to reach the hold step', timeoutMs: 120_000 });
    child.kill('SIGINT');
    const interrupted = await finished;

    const context = describeRun(interrupted);
    expect(interrupted.code, context).toBe(130);
    expect(interrupted.stderr, context).toContain('interrupted: stopping after cleaning up');
    expect(
      interrupted.stderr.split('\n').filter((l) => l.startsWith('hotstandby: error:')),
      context,
    ).toEqual(['hotstandby: error: interrupted before: hold on']);
    expect(interrupted.stderr, context).toContain('fix: run the command again; it continues where it stopped');
    expect(interrupted.stderr, context).not.toMatch(/^\s+at \S/m);
    expect(existsSync(project.path('.hotstandby', 'lock')), 'the run lock is released').toBe(false);
    expect(existsSync(project.path('.hotstandby', 'data', 'standby1')), 'no standby was started on').toBe(false);

    await rm(project.path('hold'));
    const resumed = await project.run(['up', '--plain']);
    expect(resumed.code, describeRun(resumed)).toBe(0);
    expect(resumed.stdout, describeRun(resumed)).toMatch(/✔ user-creation · primary: already in place/);
    expect(resumed.stdout, describeRun(resumed)).toMatch(/✔ base-backup · standby1: /);
    const verify = await verifyOf(project);
    expect(verify.report.ok, describeRun(verify.result)).toBe(true);
  });
});
