import { afterEach, describe, expect, it } from 'vitest';
import { passwordMatchesVerifier } from '@hotstandby/core';
import { createTestCluster, type TestCluster } from '@hotstandby/testing';
import { readFile, stat } from 'node:fs/promises';
import userCreation from '../src/index.js';

const plugins = [{ plugin: userCreation, origin: 'test' }];

describe('user-creation against a real PostgreSQL', () => {
  let tc: TestCluster | undefined;
  afterEach(async () => {
    await tc?.cleanup();
    tc = undefined;
  });

  it('creates a LOGIN REPLICATION role with the connection limit and a SCRAM verifier computed client-side', async () => {
    const password = `it's a "pass" \\ wörd`;
    tc = await createTestCluster({ plugins, replicationPassword: password, config: { replication: { user: 'repuser', password, connectionLimit: 5 } } });
    const planned = await tc.planSteps(['user-creation']);
    expect(planned[0]!.lines.join('\n')).toContain('CREATE ROLE "repuser" WITH LOGIN REPLICATION CONNECTION LIMIT 5');
    expect(planned[0]!.lines.join('\n')).not.toContain(password);

    await tc.runSteps(['user-creation']);
    const role = await tc.primary.node.queryOne<{ rolcanlogin: boolean; rolreplication: boolean; rolsuper: boolean; rolconnlimit: number; rolpassword: string }>(
      "SELECT rolcanlogin, rolreplication, rolsuper, rolconnlimit, rolpassword FROM pg_authid WHERE rolname = 'repuser'",
    );
    expect(role).toMatchObject({ rolcanlogin: true, rolreplication: true, rolsuper: false, rolconnlimit: 5 });
    expect(role!.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
    expect(passwordMatchesVerifier(role!.rolpassword, password, 'repuser')).toBe(true);

    const passfile = tc.spec.stateDir + '/run/replication.pgpass';
    expect((await stat(passfile)).mode & 0o777).toBe(0o600);
    expect(await readFile(passfile, 'utf8')).toContain('*:*:replication:repuser:');

    const again = await tc.planSteps(['user-creation']);
    expect(again[0]!.actions).toEqual([]);
  });
});
