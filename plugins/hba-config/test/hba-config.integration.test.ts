import { afterEach, describe, expect, it } from 'vitest';
import { HBA_BLOCK_BEGIN, HBA_BLOCK_END, openSession } from '@hotstandby/core';
import { createTestCluster, type TestCluster, rejectionOf } from '@hotstandby/testing';
import { chmod, chown, lstat, mkdir, readFile, readdir, readlink, rename, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import userCreation from '@hotstandby/plugin-user-creation';
import hbaConfig from '../src/index.js';

const plugins = [
  { plugin: userCreation, origin: 'test' },
  { plugin: hbaConfig, origin: 'test' },
];

// Connect as `user` with the replication protocol and run IDENTIFY_SYSTEM; resolves to the system identifier.
async function identifySystem(port: number, user: string, password: string): Promise<string> {
  const client = await openSession({ host: '127.0.0.1', port, user, password, database: 'replication', replication: true, node: 'primary', connectTimeoutMs: 5000 });
  try {
    const result = await client.query('IDENTIFY_SYSTEM');
    return String((result.rows[0] as { systemid: string }).systemid);
  } finally {
    await client.end().catch(() => undefined);
  }
}

// Open (and close) a normal connection to a database as `user`.
async function normalLogin(port: number, user: string, password: string, database = 'postgres'): Promise<void> {
  const client = await openSession({ host: '127.0.0.1', port, user, password, database, node: 'primary', connectTimeoutMs: 5000 });
  await client.end().catch(() => undefined);
}

interface HbaRow {
  line_number: number;
  type: string;
  database: string[];
  user_name: string[];
  address: string | null;
  auth_method: string;
  error: string | null;
}

async function hbaRules(tc: TestCluster): Promise<HbaRow[]> {
  return tc.primary.node.query<HbaRow>('SELECT line_number, type, database, user_name, address, auth_method, error FROM pg_hba_file_rules ORDER BY line_number');
}

// Write a file as the tests' user would edit it by hand (owner and mode kept, since the file exists).
async function rewrite(file: string, content: string): Promise<void> {
  await writeFile(file, content);
}

// The text with the managed block (and its line terminator) cut out, and the block itself.
function cutBlock(text: string): { rest: string; block: string } {
  const start = text.indexOf(HBA_BLOCK_BEGIN);
  expect(start, 'the managed block is in the file').toBeGreaterThanOrEqual(0);
  const endMarker = text.indexOf(HBA_BLOCK_END, start);
  expect(endMarker).toBeGreaterThan(start);
  let end = endMarker + HBA_BLOCK_END.length;
  if (text.startsWith('\r\n', end)) end += 2;
  else if (text.startsWith('\n', end)) end += 1;
  return { rest: text.slice(0, start) + text.slice(end), block: text.slice(start, end) };
}

describe('hba-config against a real PostgreSQL', () => {
  let tc: TestCluster | undefined;
  afterEach(async () => {
    await tc?.cleanup();
    tc = undefined;
  });

  it("puts its rule before initdb's replication lines and a user's earlier reject line; replication then works, other roles stay rejected", async () => {
    tc = await createTestCluster({ plugins, standbys: [] });
    const hba = path.join(tc.primary.dataDir, 'pg_hba.conf');
    const original = await readFile(hba, 'utf8');
    // The user's own shadowing line, above every initdb rule.
    const shadowed = original.replace(/^local\s+all\s+all/m, (m) => `host    replication     all             127.0.0.1/32            reject\n${m}`);
    expect(shadowed).not.toBe(original);
    await rewrite(hba, shadowed);
    await tc.primary.node.reload();
    await tc.primary.node.query("CREATE ROLE other LOGIN REPLICATION PASSWORD 'other-pw'");

    await tc.runSteps(['user-creation']);
    const plan = await tc.planSteps(['hba-config']);
    const rejectLine = shadowed.split('\n').findIndex((l) => l.endsWith('reject')) + 1;
    expect(plan[0]!.notes, 'the user hears that their reject line is overridden for the role').toEqual([
      `your pg_hba.conf line ${rejectLine} rejects replication connections of repuser; hotstandby's rule for repuser from 127.0.0.1 now comes before it and lets them in (other addresses and roles still meet your line)`,
    ]);
    const records = await tc.runSteps(['hba-config']);
    expect(records.find((r) => r.step === 'hba-config')?.changed).toBe(true);

    const rules = await hbaRules(tc);
    expect(rules.filter((r) => r.error !== null)).toEqual([]);
    const ours = rules.findIndex((r) => r.user_name.includes('repuser'));
    expect(ours, "the tool's rule is the very first rule").toBe(0);
    expect(rules[0]).toMatchObject({ type: 'host', database: ['replication'], user_name: ['repuser'], address: '127.0.0.1', auth_method: 'scram-sha-256' });
    const reject = rules.find((r) => r.auth_method === 'reject' && r.user_name.includes('all'))!;
    const defaults = rules.filter((r) => r.database.includes('replication') && r.user_name.includes('all') && r.auth_method !== 'reject');
    expect(defaults.length).toBeGreaterThan(0);
    expect(rules[0]!.line_number).toBeLessThan(reject.line_number);
    for (const d of defaults) expect(rules[0]!.line_number).toBeLessThan(d.line_number);
    // The tool never adds trust, "all" users or wide addresses.
    // Its only accepting rule is loopback; the others reject the role's ordinary connections.
    const added = rules.filter((r) => r.user_name.includes('repuser'));
    for (const r of added) {
      expect(r.auth_method).not.toBe('trust');
      if (r.auth_method !== 'reject') expect(r.address).toBe('127.0.0.1');
      else expect(r.database).toEqual(['all']);
    }

    // A real replication connection works for the replication role...
    const sysid = await identifySystem(tc.primary.port, 'repuser', tc.replicationPassword);
    expect(sysid).toMatch(/^\d+$/);
    // ...while the user's reject line still applies to every other role.
    await expect(identifySystem(tc.primary.port, 'other', 'other-pw')).rejects.toThrow(/rejects|reject/);
    // Everything around the block is the user's file, byte for byte.
    expect(cutBlock(await readFile(hba, 'utf8')).rest).toBe(shadowed);
  });

  it('keeps comments, CRLF line endings, no final newline, mode 0640 and owner; the rest of the file is byte-identical', async () => {
    tc = await createTestCluster({ plugins, standbys: [] });
    const hba = path.join(tc.primary.dataDir, 'pg_hba.conf');
    const user = [
      '# pg_hba.conf gepflegt von Jörg — bitte nicht löschen',
      '',
      '#   TYPE  DATABASE  USER  ADDRESS  METHOD',
      'local   all             all                                     scram-sha-256',
      '# loopback für alle',
      'host    all             all             127.0.0.1/32            scram-sha-256   # trailing comment',
      '',
      'host    replication     all             127.0.0.1/32            scram-sha-256',
    ].join('\r\n');
    await rewrite(hba, user);
    await chmod(hba, 0o640);
    const before = await stat(hba);
    await tc.primary.node.reload();

    await tc.runSteps(['user-creation', 'hba-config']);

    const after = await readFile(hba, 'utf8');
    const { rest, block } = cutBlock(after);
    expect(rest).toBe(user);
    // The block sits right before the first rule, after the user's leading comments.
    expect(after.indexOf(HBA_BLOCK_BEGIN)).toBe(user.indexOf('local   all'));
    expect(block.endsWith('\r\n')).toBe(true);
    expect(after, 'no bare LF anywhere').not.toMatch(/(?<!\r)\n/);
    expect(after.endsWith('scram-sha-256'), 'still no final newline').toBe(true);
    const st = await stat(hba);
    expect(st.mode & 0o7777).toBe(0o640);
    expect(st.uid).toBe(before.uid);
    expect(st.gid).toBe(before.gid);
    // No temporary files left beside it.
    expect((await readdir(tc.primary.dataDir)).filter((n) => n.includes('hotstandby'))).toEqual([]);
    // The server reads the CRLF file without errors and the rule works.
    expect((await hbaRules(tc)).filter((r) => r.error !== null)).toEqual([]);
    await identifySystem(tc.primary.port, 'repuser', tc.replicationPassword);
  });

  it('proves the replication login through libpq, as the standby makes it, not only through node-pg', async () => {
    // SASLprep refuses U+0221 (unassigned in its Unicode 3.2), so libpq hashes this password raw; node-pg
    // applies NFKC anyway and sends "fi\u0221".
    tc = await createTestCluster({ plugins, standbys: [], replicationPassword: '\uFB01\u0221' });
    await tc.runSteps(['user-creation']);
    await tc.primary.node.query("ALTER ROLE repuser PASSWORD 'fi\u0221'");
    expect(await identifySystem(tc.primary.port, 'repuser', '\uFB01\u0221'), 'node-pg alone gets in').toMatch(/^\d+$/);

    const error = await rejectionOf(tc.runSteps(['hba-config']));
    expect(error.code).toBe('HBA_SHADOWED');
    expect(error.message).toMatch(/password authentication failed for user "repuser"/);
  });

  it('plans nothing on a second run and does not reload', async () => {
    tc = await createTestCluster({ plugins, standbys: [] });
    const hba = path.join(tc.primary.dataDir, 'pg_hba.conf');
    await tc.runSteps(['user-creation', 'hba-config']);
    const bytes = await readFile(hba);
    const inode = (await stat(hba)).ino;
    const loadTime = await tc.primary.node.queryOne<{ t: string }>('SELECT pg_conf_load_time()::text AS t');

    const plan = await tc.planSteps(['hba-config']);
    expect(plan[0]!.actions).toEqual([]);
    expect(plan[0]!.notes.join('\n')).toMatch(/already lets repuser replicate/);

    const records = await tc.runSteps(['hba-config']);
    expect(records[0]!.changed).toBe(false);
    expect(await readFile(hba)).toEqual(bytes);
    expect((await stat(hba)).ino).toBe(inode);
    expect(await tc.primary.node.queryOne<{ t: string }>('SELECT pg_conf_load_time()::text AS t')).toEqual(loadTime);
    const blocks = (await readFile(hba, 'utf8')).split(HBA_BLOCK_BEGIN).length - 1;
    expect(blocks).toBe(1);
  });

  it('refuses a pg_hba.conf that already has an invalid line, naming file:line, before changing anything', async () => {
    tc = await createTestCluster({ plugins, standbys: [] });
    await tc.runSteps(['user-creation']);
    const hba = path.join(tc.primary.dataDir, 'pg_hba.conf');
    const broken = (await readFile(hba, 'utf8')) + 'host    all             all             127.0.0.1/32            no-such-method\n';
    await rewrite(hba, broken);
    const badLine = broken.split('\n').length - 1;
    const before = await readFile(hba);
    const loadTime = await tc.primary.node.queryOne<{ t: string }>('SELECT pg_conf_load_time()::text AS t');

    const error = await rejectionOf(tc.runSteps(['hba-config']));
    expect(error.code).toBe('CONFIG_FILE_ERRORS');
    expect((await readFile(hba, 'utf8')).includes(HBA_BLOCK_BEGIN), 'pg_hba.conf must not be changed before the refusal').toBe(false);
    expect(await readFile(hba), 'pg_hba.conf is untouched').toEqual(before);
    expect(error.message).toContain(`${hba}:${badLine}`);
    expect(error.where.line).toBe(badLine);
    expect(await tc.primary.node.queryOne<{ t: string }>('SELECT pg_conf_load_time()::text AS t')).toEqual(loadTime);
  });

  it('refuses the invalid pg_hba.conf in up() before any step changes anything', async () => {
    tc = await createTestCluster({ plugins, standbys: [] });
    const hba = path.join(tc.primary.dataDir, 'pg_hba.conf');
    const broken = (await readFile(hba, 'utf8')) + 'hostt   all             all             127.0.0.1/32            scram-sha-256\n';
    await rewrite(hba, broken);
    const badLine = broken.split('\n').length - 1;

    const error = await rejectionOf(tc.up());
    expect(error.code).toBe('CONFIG_FILE_ERRORS');
    expect(error.message).toContain(`${hba}:${badLine}`);
    expect(await readFile(hba, 'utf8')).toBe(broken);
    expect(await tc.primary.node.queryOne("SELECT 1 FROM pg_roles WHERE rolname = 'repuser'"), 'no role was created').toBeUndefined();
  });

  it('edits the target of a symlinked hba_file and leaves the link a link', async () => {
    tc = await createTestCluster({ plugins, standbys: [], stopped: true });
    const realDir = path.join(tc.primary.dir, 'etc-real');
    const linkDir = path.join(tc.primary.dir, 'etc');
    for (const d of [realDir, linkDir]) {
      await mkdir(d, { mode: 0o755 });
      await chown(d, tc.primary.serverUser.uid, tc.primary.serverUser.gid);
    }
    const target = path.join(realDir, 'pg_hba.conf');
    const link = path.join(linkDir, 'pg_hba.conf');
    await rename(path.join(tc.primary.dataDir, 'pg_hba.conf'), target);
    await symlink(target, link);
    await writeFile(path.join(tc.primary.dataDir, 'postgresql.conf'), `\nhba_file = '${link}'\n`, { flag: 'a' });
    await tc.primary.node.start();
    expect((await tc.primary.node.queryOne<{ f: string }>("SELECT current_setting('hba_file') AS f"))!.f).toBe(link);
    const original = await readFile(target, 'utf8');

    await tc.runSteps(['user-creation', 'hba-config']);

    const st = await lstat(link);
    expect(st.isSymbolicLink(), 'still a symlink').toBe(true);
    expect(await readlink(link)).toBe(target);
    const edited = await readFile(target, 'utf8');
    expect(edited).toContain(HBA_BLOCK_BEGIN);
    expect(cutBlock(edited).rest).toBe(original);
    expect(await readdir(linkDir)).toEqual(['pg_hba.conf']);
    expect(await readdir(tc.primary.dataDir)).not.toContain('pg_hba.conf');
    expect((await stat(target)).uid).toBe(tc.primary.serverUser.uid);
    await identifySystem(tc.primary.port, 'repuser', tc.replicationPassword);
  });

  it('lets the replication role connect only for replication', async () => {
    tc = await createTestCluster({ plugins, standbys: [] });
    await tc.runSteps(['user-creation', 'hba-config']);
    await identifySystem(tc.primary.port, 'repuser', tc.replicationPassword);
    const refused = await rejectionOf(normalLogin(tc.primary.port, 'repuser', tc.replicationPassword, 'postgres'));
    expect(refused.code).toBe('AUTH_FAILED');
    // The superuser's own access is unchanged.
    await normalLogin(tc.primary.port, 'postgres', tc.primary.superuserPassword);
  });
});
