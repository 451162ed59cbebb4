import { afterEach, describe, expect, it } from 'vitest';
import { passwordMatchesVerifier, pollUntil, quoteLiteral } from '@hotstandby/core';
import { createTestCluster, type TestCluster, rejectionOf } from '@hotstandby/testing';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import userCreation from '../src/index.js';

const plugins = [{ plugin: userCreation, origin: 'test' }];

// Everything pg_authid says about the role (including its password verifier).
async function authid(tc: TestCluster, role = 'repuser'): Promise<Record<string, unknown> | undefined> {
  return tc.primary.node.queryOne('SELECT * FROM pg_authid WHERE rolname = $1', [role]);
}

function passfileOf(tc: TestCluster): string {
  return `${tc.spec.stateDir}/run/replication.pgpass`;
}

const conflicts: { name: string; create: (password: string) => string; reason: RegExp }[] = [
  { name: 'NOLOGIN', create: (pw) => `CREATE ROLE repuser NOLOGIN REPLICATION PASSWORD ${quoteLiteral(pw)}`, reason: /cannot log in \(NOLOGIN\)/ },
  { name: 'without REPLICATION', create: (pw) => `CREATE ROLE repuser LOGIN PASSWORD ${quoteLiteral(pw)}`, reason: /lacks the REPLICATION attribute/ },
  { name: 'with another password', create: () => "CREATE ROLE repuser LOGIN REPLICATION PASSWORD 'somebody-elses'", reason: /password is not replication.password/ },
  { name: 'SUPERUSER', create: (pw) => `CREATE ROLE repuser SUPERUSER LOGIN REPLICATION PASSWORD ${quoteLiteral(pw)}`, reason: /superuser/ },
  { name: 'without any password', create: () => 'CREATE ROLE repuser LOGIN REPLICATION', reason: /password is not replication.password/ },
  {
    name: 'whose matching password is stored as md5',
    create: (pw) => `SET password_encryption = 'md5'; CREATE ROLE repuser LOGIN REPLICATION PASSWORD ${quoteLiteral(pw)}; RESET password_encryption`,
    reason: /password is stored as an md5 hash/,
  },
];

describe('user-creation with roles it did not create and secrets in server logs', () => {
  let tc: TestCluster | undefined;
  afterEach(async () => {
    await tc?.cleanup();
    tc = undefined;
  });

  it.each(conflicts)('refuses an existing role $name with ROLE_CONFLICT and leaves pg_authid unchanged', async ({ create, reason }) => {
    tc = await createTestCluster({ plugins, standbys: [] });
    await tc.primary.node.query(create(tc.replicationPassword));
    const before = await authid(tc);

    const error = await rejectionOf(tc.runSteps(['user-creation']));
    expect(error.code).toBe('ROLE_CONFLICT');
    expect(error.message).toMatch(reason);
    expect(error.message).toContain('repuser');
    expect(`${error.message}\n${error.fix}\n${error.detail ?? ''}`).not.toContain(tc.replicationPassword);
    expect(await authid(tc)).toEqual(before);
    expect(existsSync(passfileOf(tc)), 'no passfile is written for a refused role').toBe(false);
  });

  it('refuses the conflicting role in up() before anything is written', async () => {
    tc = await createTestCluster({ plugins, standbys: [] });
    await tc.primary.node.query('CREATE ROLE repuser NOLOGIN');
    const before = await authid(tc);
    const error = await rejectionOf(tc.up());
    expect(error.code).toBe('ROLE_CONFLICT');
    expect(await authid(tc)).toEqual(before);
    expect(existsSync(tc.spec.stateDir), 'the state directory is not even created').toBe(false);
  });

  it('reuses a matching role it did not create, with a note, and never alters it', async () => {
    tc = await createTestCluster({ plugins, standbys: [] });
    await tc.primary.node.query(`CREATE ROLE repuser LOGIN REPLICATION CONNECTION LIMIT 7 PASSWORD ${quoteLiteral(tc.replicationPassword)}`);
    const before = await authid(tc);

    const plan = await tc.planSteps(['user-creation']);
    expect(plan[0]!.actions.filter((a) => a.kind === 'sql')).toEqual([]);
    expect(plan[0]!.notes.join('\n')).toMatch(/reusing the existing role repuser/);
    expect(plan[0]!.notes.join('\n')).toMatch(/CONNECTION LIMIT stays 7/);

    await tc.runSteps(['user-creation']);
    expect(await authid(tc)).toEqual(before);
    expect(await readFile(passfileOf(tc), 'utf8')).toContain('repuser');
    const again = await tc.planSteps(['user-creation']);
    expect(again[0]!.actions).toEqual([]);
  });

  it('brings a role it created back to the config (LOGIN, connection limit) without touching a matching password', async () => {
    tc = await createTestCluster({ plugins, standbys: [] });
    await tc.runSteps(['user-creation']);
    const verifier = (await authid(tc))!.rolpassword;
    await tc.primary.node.query('ALTER ROLE repuser NOLOGIN CONNECTION LIMIT 1');

    const plan = await tc.planSteps(['user-creation']);
    expect(plan[0]!.lines.join('\n')).toMatch(/ALTER ROLE "repuser" WITH LOGIN CONNECTION LIMIT 3/);
    await tc.runSteps(['user-creation']);
    const after = (await authid(tc))!;
    expect(after).toMatchObject({ rolcanlogin: true, rolreplication: true, rolconnlimit: 3 });
    expect(after.rolpassword, 'the verifier was not replaced').toBe(verifier);
  });

  it('stores the password of a role it created as SCRAM again when someone re-set it as md5', async () => {
    tc = await createTestCluster({ plugins, standbys: [] });
    await tc.runSteps(['user-creation']);
    await tc.primary.node.query(`SET password_encryption = 'md5'; ALTER ROLE repuser PASSWORD ${quoteLiteral(tc.replicationPassword)}; RESET password_encryption`);
    expect(String((await authid(tc))!.rolpassword)).toMatch(/^md5/);

    await tc.runSteps(['user-creation']);
    const role = (await authid(tc))!;
    expect(String(role.rolpassword)).toMatch(/^SCRAM-SHA-256\$/);
    expect(passwordMatchesVerifier(role.rolpassword as string, tc.replicationPassword, 'repuser')).toBe(true);
  });

  it('never sends the plain password to a server with log_statement = all', async () => {
    const password = `Pl41n-${Math.random().toString(36).slice(2, 12)}`;
    tc = await createTestCluster({ plugins, standbys: [], replicationPassword: password, settings: { log_statement: 'all' } });
    expect((await tc.primary.node.queryOne<{ s: string }>("SELECT current_setting('log_statement') AS s"))!.s).toBe('all');

    // CREATE ROLE, then the tool's ALTER ROLE after someone changed the password behind its back.
    await tc.runSteps(['user-creation']);
    await tc.primary.node.query("ALTER ROLE repuser PASSWORD 'changed-behind-its-back'");
    await tc.runSteps(['user-creation']);
    const role = (await authid(tc))!;
    expect(passwordMatchesVerifier(role.rolpassword as string, password, 'repuser')).toBe(true);

    const log = tc.primary.node.logFile;
    // Wait until the server has logged both statements the tool sent, so the check below sees them.
    const text = await pollUntil(
      async () => {
        const t = await readFile(log, 'utf8');
        return /CREATE ROLE "repuser"/.test(t) && /ALTER ROLE "repuser" WITH\s+PASSWORD/.test(t) ? t : undefined;
      },
      { timeoutMs: 10_000, what: 'the server log to show the role statements' },
      () => 'not there yet',
    );
    expect(text).toMatch(/CREATE ROLE "repuser" .*PASSWORD 'SCRAM-SHA-256\$4096:/);
    expect(text).not.toContain(password);
  });
});
