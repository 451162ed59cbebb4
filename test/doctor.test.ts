// `hotstandby doctor` explains the machine and the cluster, one ok or fix line per finding, changes nothing, and
// exits non-zero when something needs fixing.
import { describe, expect, test } from 'vitest';
import { createTestPrimary } from '@hotstandby/testing';
import { describeRun, parseJson, type CliResult } from './support/cli.js';
import { listTree } from './support/files.js';
import { holdPort } from './support/ports.js';
import { withClient } from './support/pg.js';
import { clusterConfig, createProject, deferCleanup } from './support/project.js';
import { writeAdoptingConfig } from './support/adopted-primary.js';

interface DoctorJson {
  ok: boolean;
  checks: { check: string; status: 'ok' | 'warn' | 'fix'; detail: string; fix?: string }[];
}

function statuses(result: CliResult): Record<string, string> {
  return Object.fromEntries(parseJson<DoctorJson>(result).checks.map((c) => [c.check, c.status]));
}

function check(result: CliResult, name: string): DoctorJson['checks'][number] {
  const found = parseJson<DoctorJson>(result).checks.find((c) => c.check === name);
  if (!found) throw new Error(`no check "${name}"\n${describeRun(result)}`);
  return found;
}

describe('hotstandby doctor', () => {
  test('before up: binaries, method, OS user, paths and ports are ok, nothing is created; a taken port is a fix line', async () => {
    const project = await createProject('hotstandby-e2e-doctor-');
    const config = await clusterConfig();
    await project.writeConfig('hotstandby.config.json', config);
    const text = await project.run(['doctor']);
    expect(text.code, describeRun(text)).toBe(0);
    expect(text.stdout).toMatch(/^ok {3}binaries: PostgreSQL \d+\.\d+ in \S+ \(/m);
    expect(text.stdout).toMatch(/^ok {3}os user: servers run as postgres/m);
    expect(text.stdout).toContain('Nothing to fix.');
    const json = await project.run(['doctor', '--json']);
    expect(parseJson<DoctorJson>(json).ok).toBe(true);
    expect(statuses(json)).toMatchObject({ binaries: 'ok', 'base backup': 'ok', 'os user': 'ok', 'path: state directory': 'ok', primary: 'ok' });
    expect(listTree(project.dir), 'doctor changes nothing').toEqual(['hotstandby.config.json']);

    const port = (config.standbys as { port: number }[])[0]!.port;
    const held = await holdPort(port);
    deferCleanup(() => held.release());
    const taken = await project.run(['doctor']);
    expect(taken.code, describeRun(taken)).toBe(1);
    expect(taken.stdout).toMatch(new RegExp(`^FIX  port ${port}: standby1's port is taken by another process\\n {5}→ free it or choose another port`, 'm'));
    expect(taken.stdout).toContain('Some things need fixing (lines marked FIX).');
  });

  test('a configured method pg_basebackup without pg_basebackup (embedded binaries) is a fix line', async () => {
    const project = await createProject('hotstandby-e2e-doctor-');
    await project.writeConfig('hotstandby.config.json', await clusterConfig({ postgres: { binDir: 'embedded' }, steps: { 'base-backup': { method: 'pg_basebackup' } } }));
    const result = await project.run(['doctor', '--json']);
    expect(result.code, describeRun(result)).toBe(1);
    expect(check(result, 'base backup')).toMatchObject({ status: 'fix', detail: expect.stringMatching(/method is "pg_basebackup", but there is no pg_basebackup in/) });
    await project.writeConfig('hotstandby.config.json', await clusterConfig({ postgres: { binDir: 'embedded' }, steps: { 'base-backup': { method: 'copy' } } }));
    const copy = await project.run(['doctor', '--json']);
    expect(copy.code, describeRun(copy)).toBe(0);
    expect(check(copy, 'base backup').detail).toMatch(/^method "copy"/);
  });

  test('an existing primary without replication: wal_level and max_wal_senders are fix lines, the hba rule a note, until up fixes them', async () => {
    const primary = await createTestPrimary({ settings: { wal_level: 'minimal', max_wal_senders: '0' } });
    deferCleanup(() => primary.cleanup());
    const project = await createProject('hotstandby-e2e-doctor-');
    await writeAdoptingConfig(project, primary);

    const before = await project.run(['doctor', '--json']);
    expect(before.code, describeRun(before)).toBe(1);
    // initdb's own pg_hba.conf lets every role replicate from loopback: a note, not yet hotstandby's rule.
    expect(statuses(before)).toMatchObject({ wal_level: 'fix', max_wal_senders: 'fix', 'pg_hba.conf': 'warn', 'restart pending': 'ok' });
    expect(check(before, 'pg_hba.conf').detail).toMatch(/^line \d+ matches replication for repuser, but hotstandby's own block is not there$/);
    expect(check(before, 'max_wal_senders')).toMatchObject({ detail: '0 (the standbys and a streaming base backup need 3)', fix: expect.stringContaining('--allow-restart') });

    const up = await project.run(['up', '--allow-restart']);
    expect(up.code, describeRun(up)).toBe(0);
    const after = await project.run(['doctor', '--json']);
    expect(after.code, describeRun(after)).toBe(0);
    expect(statuses(after)).toMatchObject({ wal_level: 'ok', max_wal_senders: 'ok', 'pg_hba.conf': 'ok', 'restart pending': 'ok', 'replication slots': 'ok' });
    expect(check(after, 'replication slots').detail).toMatch(/standby1 \(active\)/);

    // A setting changed behind the tool's back that waits for a restart.
    await withClient(primary.port, primary.superuserPassword, async (client) => {
      await client.query('ALTER SYSTEM SET max_connections = 150');
      await client.query('SELECT pg_reload_conf()');
    });
    const pending = await project.run(['doctor', '--json']);
    expect(pending.code, describeRun(pending)).toBe(1);
    expect(check(pending, 'restart pending')).toMatchObject({ status: 'fix', detail: expect.stringContaining('max_connections') });
  });
});
