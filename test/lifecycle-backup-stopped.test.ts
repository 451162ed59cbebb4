// A base backup that ends early, because the tool is told to stop (SIGTERM) or because pg_basebackup dies
// (SIGKILL): nothing is left behind (no pg_basebackup or WAL streamer, no partial copy, no slot, no lock), the
// tool does not hang, and the next `up` builds the standby.
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { collect, describeRun, startCli } from './support/cli.js';
import { verifyOf } from './support/cluster-json.js';
import { generatedSuperuserPassword, withClient } from './support/pg.js';
import { listProcesses } from './support/processes.js';
import { clusterConfig, createProject, type Project } from './support/project.js';
import { waitFor } from './support/wait.js';

// pg_basebackup processes copying into this project (the backup itself and its WAL streamer), with their parents.
function backupProcesses(project: Project): { pid: number; ppid: number }[] {
  return listProcesses().filter((p) => p.ppid !== 0 && p.args.some((a) => a.endsWith('pg_basebackup')) && p.args.some((a) => a.startsWith(project.dir)));
}

// Slots on the primary (read with the generated superuser password).
async function primarySlots(project: Project, port: number): Promise<string[]> {
  const password = generatedSuperuserPassword(project.path('.hotstandby'));
  return withClient(port, password, async (c) => (await c.query<{ slot_name: string }>('SELECT slot_name FROM pg_replication_slots')).rows.map((r) => r.slot_name));
}

function partialCopies(project: Project): string[] {
  return readdirSync(project.path('.hotstandby', 'data')).filter((n) => n.includes('hotstandby-partial'));
}

// Start `up` with a base backup throttled to pg_basebackup's minimum rate, and wait until both pg_basebackup
// processes (the backup and its WAL streamer) run: a backup certainly still in progress.
async function upInBackup(project: Project): Promise<{ config: Record<string, unknown>; finished: ReturnType<typeof collect>; child: ReturnType<typeof startCli> }> {
  const config = await clusterConfig();
  await project.writeConfig('hotstandby.config.json', { ...config, steps: { 'base-backup': { method: 'pg_basebackup', maxRate: '32k' } } });
  const child = startCli(['up', '--plain'], { cwd: project.dir });
  const finished = collect('hotstandby up --plain', child);
  await waitFor(() => backupProcesses(project).length >= 2 || child.exitCode !== null, { what: 'pg_basebackup and its WAL streamer to run', timeoutMs: 150_000 });
  expect(child.exitCode, 'up is still in the base backup').toBeNull();
  return { config, finished, child };
}

// The next, unthrottled `up` builds the standby and it verifies.
async function nextUpCompletes(project: Project, config: Record<string, unknown>): Promise<void> {
  await project.writeConfig('hotstandby.config.json', config);
  const resumed = await project.run(['up', '--plain']);
  expect(resumed.code, describeRun(resumed)).toBe(0);
  const verify = await verifyOf(project);
  expect(verify.report.ok, describeRun(verify.result)).toBe(true);
}

describe('a base backup that ends early', () => {
  test('SIGTERM stops up cleanly with exit 143 and leaves no pg_basebackup, partial copy, slot or lock behind', async () => {
    const project = await createProject('hotstandby-e2e-sigterm-');
    const { config, finished, child } = await upInBackup(project);
    child.kill('SIGTERM');
    const stopped = await finished;

    const context = describeRun(stopped);
    expect(stopped.code, context).toBe(143);
    expect(stopped.stderr, context).toContain('terminated: stopping after cleaning up');
    expect(stopped.stderr, context).toContain('pg_basebackup for standby1 was interrupted; the partial copy was removed');
    expect(backupProcesses(project), 'no pg_basebackup outlives the tool').toEqual([]);
    expect(partialCopies(project)).toEqual([]);
    expect(existsSync(project.path('.hotstandby', 'lock')), 'the run lock is released').toBe(false);
    expect(await primarySlots(project, (config.primary as { port: number }).port), 'the slot made for the backup is dropped').toEqual([]);

    await nextUpCompletes(project, config);
  });

  test('a pg_basebackup killed with SIGKILL fails up at once: its WAL streamer is ended and the slot dropped', async () => {
    const project = await createProject('hotstandby-e2e-backup-killed-');
    const { config, finished } = await upInBackup(project);
    const processes = backupProcesses(project);
    const backup = processes.find((p) => !processes.some((q) => q.pid === p.ppid))!;
    process.kill(backup.pid, 'SIGKILL');
    const killedAt = Date.now();
    const failed = await finished;

    const context = describeRun(failed);
    expect(Date.now() - killedAt, `up did not wait on the leftover WAL streamer\n${context}`).toBeLessThan(60_000);
    expect(failed.code, context).toBe(1);
    expect(failed.stderr, context).toContain('pg_basebackup for standby1 failed; the partial copy was removed');
    expect(backupProcesses(project), 'the WAL streamer is gone with pg_basebackup').toEqual([]);
    expect(partialCopies(project)).toEqual([]);
    expect(await primarySlots(project, (config.primary as { port: number }).port), 'the slot made for the backup is dropped').toEqual([]);

    await nextUpCompletes(project, config);
  });

  test('the tool killed with SIGKILL mid-backup: the next up ends the pg_basebackup it left running and builds the standby', async () => {
    const project = await createProject('hotstandby-e2e-tool-killed-');
    const { config, finished, child } = await upInBackup(project);
    child.kill('SIGKILL');
    await finished;
    // No handler ran: the backup the killed tool started is still copying, holding the standby's slot.
    expect(backupProcesses(project).length, 'pg_basebackup outlives a SIGKILLed tool').toBeGreaterThan(0);

    await project.writeConfig('hotstandby.config.json', config);
    const resumed = await project.run(['up', '--plain']);
    const context = describeRun(resumed);
    expect(resumed.code, context).toBe(0);
    expect(resumed.stdout, context).toMatch(/notice: ended pg_basebackup for standby1 \(process group \d+\), which a killed hotstandby command had left running/);
    expect(backupProcesses(project), 'the leftover backup was ended').toEqual([]);
    expect(partialCopies(project)).toEqual([]);
    const verify = await verifyOf(project);
    expect(verify.report.ok, describeRun(verify.result)).toBe(true);
    expect(existsSync(project.path('.hotstandby', 'lock.programs')), 'the record of running programs goes with the lock').toBe(false);
  });
});
