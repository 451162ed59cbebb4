import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Action } from '../../src/executor/action.js';
import { describeAction } from '../../src/executor/describe-action.js';
import { scramVerifier } from '../../src/postgres/scram.js';
import { clearSecretsForTests, registerSecret } from '../../src/secrets/secret-registry.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir('hotstandby-describe-');
  clearSecretsForTests();
});
afterEach(async () => {
  clearSecretsForTests();
  await removeTempDir(dir);
});

describe('describeAction sql', () => {
  it('prints the display text instead of SQL that carries a verifier', async () => {
    const verifier = scramVerifier('s3cret');
    const action: Action = {
      kind: 'sql',
      node: 'master',
      sql: `CREATE ROLE "repuser" WITH LOGIN REPLICATION PASSWORD '${verifier}'`,
      display: `CREATE ROLE "repuser" WITH LOGIN REPLICATION PASSWORD '<SCRAM-SHA-256 verifier computed by hotstandby>'`,
      summary: 'create repuser',
    };
    const lines = await describeAction(action, 'postgres');
    expect(lines).toEqual([`[master] SQL: CREATE ROLE "repuser" WITH LOGIN REPLICATION PASSWORD '<SCRAM-SHA-256 verifier computed by hotstandby>'`]);
    expect(lines.join('\n')).not.toContain('SCRAM-SHA-256$');
  });

  it('prints the SQL, a non-default database and the parameters', async () => {
    const lines = await describeAction({ kind: 'sql', node: 'slave1', sql: 'SELECT $1, $2', params: ['a', 2], database: 'app', summary: 's' }, 'postgres');
    expect(lines).toEqual(['[slave1] SQL (app): SELECT $1, $2   -- $1 = "a", $2 = 2']);
    expect(await describeAction({ kind: 'sql', node: 'm', sql: 'SELECT 1', database: 'postgres', summary: 's' }, 'postgres')).toEqual(['[m] SQL: SELECT 1']);
  });

  it('masks a registered secret passed as a parameter', async () => {
    registerSecret('s3cret-pw');
    const lines = await describeAction({ kind: 'sql', node: 'm', sql: 'ALTER ROLE r PASSWORD $1', params: ['s3cret-pw'], summary: 's' }, 'postgres');
    expect(lines.join('\n')).not.toContain('s3cret-pw');
  });
});

describe('describeAction write-file', () => {
  it('shows an edit of an existing file as a unified diff', async () => {
    const file = path.join(dir, 'postgresql.auto.conf');
    await writeFile(file, '# header\nport = 5432\nwal_level = replica\n');
    const lines = await describeAction({ kind: 'write-file', path: file, content: "# header\nport = '5433'\nwal_level = replica\n", owner: 'server', summary: 's' }, 'postgres');
    expect(lines[0]).toBe(`edit ${file}`);
    expect(lines).toContain(`--- ${file}`);
    expect(lines).toContain(`+++ ${file}`);
    expect(lines).toContain('-port = 5432');
    expect(lines).toContain("+port = '5433'");
    expect(lines).toContain(' # header');
    expect(lines.some((l) => /^@@ -\d+,\d+ \+\d+,\d+ @@/.test(l))).toBe(true);
    expect(lines.some((l) => l.startsWith('Index:') || /^=+$/.test(l) || l === '')).toBe(false);
  });

  it('shows a new file as created from /dev/null', async () => {
    const file = path.join(dir, 'standby.signal.conf');
    const lines = await describeAction({ kind: 'write-file', path: file, content: 'a\nb\n', owner: 'server', summary: 's' }, 'postgres');
    expect(lines[0]).toBe(`create ${file}`);
    expect(lines).toContain('--- /dev/null');
    expect(lines).toContain('+a');
    expect(lines).toContain('+b');
  });

  it('shows no content for a secret file, only path, mode and owner', async () => {
    const file = path.join(dir, 'replication.pgpass');
    await writeFile(file, '*:*:replication:repuser:old-password\n');
    const lines = await describeAction(
      { kind: 'write-file', path: file, content: '*:*:replication:repuser:new-password\n', owner: 'server', secret: true, summary: 's' },
      'pgrunner',
    );
    expect(lines).toEqual([`write ${file} (mode 600, owner pgrunner; content hidden: it holds a password)`]);
    expect(lines.join('\n')).not.toContain('old-password');
    expect(lines.join('\n')).not.toContain('new-password');
  });

  it('says a secret private key file holds a private key, its content hidden', async () => {
    const file = path.join(dir, 'server.key');
    const key = '-----BEGIN PRIVATE KEY-----\nsecret-key-bytes\n-----END PRIVATE KEY-----\n';
    const lines = await describeAction({ kind: 'write-file', path: file, content: key, owner: 'server', secret: true, holds: 'a private key', summary: 's' }, 'pgrunner');
    expect(lines).toEqual([`write ${file} (mode 600, owner pgrunner; content hidden: it holds a private key)`]);
    expect(lines.join('\n')).not.toContain('secret-key-bytes');
  });

  it('names the invoker as "you" and prints a given mode in octal', async () => {
    const lines = await describeAction({ kind: 'write-file', path: path.join(dir, 'p'), content: 'x', owner: 'invoker', mode: 0o640, secret: true, summary: 's' }, 'postgres');
    expect(lines[0]).toContain('(mode 640, owner you;');
  });

  it('masks a registered secret in the diff of a file not marked secret', async () => {
    registerSecret('leaky-pw');
    const lines = await describeAction(
      { kind: 'write-file', path: path.join(dir, 'conf'), content: "primary_conninfo = 'password=leaky-pw'\n", owner: 'server', summary: 's' },
      'postgres',
    );
    expect(lines.join('\n')).not.toContain('leaky-pw');
  });
});

describe('describeAction other kinds', () => {
  it('describes remove-file, mkdir, node and task actions', async () => {
    expect(await describeAction({ kind: 'remove-file', path: '/d/recovery.conf', summary: 's' }, 'postgres')).toEqual(['remove /d/recovery.conf']);
    expect(await describeAction({ kind: 'mkdir', path: '/d/archive', mode: 0o700, owner: 'server', summary: 's' }, 'postgres')).toEqual([
      'mkdir -m 700 /d/archive (owner postgres)',
    ]);
    expect(await describeAction({ kind: 'node', node: 'master', op: 'restart', reasons: ['wal_level', 'max_wal_senders'], summary: 's' }, 'postgres')).toEqual([
      'restart master (for wal_level, max_wal_senders)',
    ]);
    registerSecret('task-secret');
    const task: Action = { kind: 'task', summary: 'low-level backup', details: ['copy with task-secret'], changes: true, run: async () => undefined };
    expect(await describeAction(task, 'postgres')).toEqual(['low-level backup', '  copy with ********']);
  });

  it('describes exec actions without showing environment values', async () => {
    const lines = await describeAction(
      { kind: 'exec', command: 'pg_basebackup', args: ['-D', '/d/slave 1', '-X', 'stream'], runAs: 'server', env: { PGPASSWORD: 'env-secret' }, summary: 's' },
      'postgres',
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^run as postgres: PGPASSWORD=… /);
    expect(lines[0]).toContain('pg_basebackup');
    expect(lines[0]).not.toContain('env-secret');
  });
});
