import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, makeTempDir, removeTempDir, testBinaries } from '@hotstandby/testing';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, chown, lstat, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chownIfRoot } from '../../src/util/atomic-write.js';
import { createDataDir, type NewDataDir } from '../../src/cluster/create-data-dir.js';
import type { PgBinaries } from '../../src/postgres/binaries.js';
import { resolveServerUser, type ServerUser } from '../../src/postgres/os-user.js';
import { PgNode } from '../../src/postgres/pg-node.js';
import { runProgramAllowFailure, runProgram } from '../../src/postgres/process-runner.js';
import { readSystemIdentifier } from '../../src/postgres/data-dir.js';
import { TemplateCache, TemplateCorrupt, templateFacts, templateKey } from '../../src/postgres/template-cache.js';
import { runningProgramGroups } from '../../src/postgres/program-registry.js';
import { nativeTreeCopyAvailable } from '../../src/util/native-tree-copy.js';
import { isHotstandbyError } from '../../src/errors/hotstandby-error.js';
import { INITDB_FIXED_ARGS } from '../../src/postgres/pg-node.js';
import { pollUntil } from '../../src/util/poll.js';
import { versionFacts } from '../../src/postgres/versions.js';

const PASSWORD = 'template-test-Pw-1';
let binaries: PgBinaries;
let serverUser: ServerUser;
let dir: string;
const started: PgNode[] = [];

beforeAll(async () => {
  binaries = await testBinaries();
  serverUser = resolveServerUser();
});

afterEach(async () => {
  await Promise.all(started.splice(0).map((n) => n.stop('immediate').catch(() => undefined)));
  if (dir) await removeTempDir(dir);
});

async function setup(): Promise<TemplateCache> {
  dir = await makeTempDir();
  await chownIfRoot(dir, serverUser.uid, serverUser.gid);
  const run = path.join(dir, 'run');
  await mkdir(run, { mode: 0o755 });
  return new TemplateCache(path.join(dir, 'cache'));
}

function request(cache: TemplateCache | undefined, name: string, log: string[] = [], base = dir): NewDataDir {
  return {
    dataDir: path.join(base, name),
    binaries,
    serverUser,
    superuser: { name: 'postgres', password: PASSWORD },
    extraInitdbArgs: versionFacts(binaries.major).dataChecksumsByDefault ? [] : ['--data-checksums'],
    runDir: path.join(base, 'run'),
    cache,
    log: (m) => log.push(m),
  };
}

async function emptyDataDir(name: string): Promise<string> {
  const dataDir = path.join(dir, name);
  await mkdir(dataDir, { mode: 0o700 });
  await chownIfRoot(dataDir, serverUser.uid, serverUser.gid);
  return dataDir;
}

async function startNode(name: string, settings = ''): Promise<PgNode> {
  const dataDir = path.join(dir, name);
  const port = await freePort();
  await writeFile(path.join(dataDir, 'postgresql.auto.conf'), `port = ${port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n${settings}`);
  await chownIfRoot(path.join(dataDir, 'postgresql.auto.conf'), serverUser.uid, serverUser.gid);
  const node = new PgNode({
    name,
    role: 'primary',
    port,
    dataDir,
    binaries,
    osUser: serverUser,
    logFile: path.join(dir, `${name}.log`),
    superuser: { name: 'postgres', password: PASSWORD },
  });
  started.push(node);
  await node.start();
  return node;
}

async function makeCluster(cache: TemplateCache | undefined, name: string, log: string[] = []) {
  await emptyDataDir(name);
  return createDataDir(request(cache, name, log));
}

describe('new data directories from the initdb template cache', () => {
  it('gives two clusters made one after the other different system identifiers, each as its server reports it', async () => {
    const cache = await setup();
    const first = await makeCluster(cache, 'one');
    const second = await makeCluster(cache, 'two');
    expect(first.method).toBe('template');
    expect(second.method).toBe('template');
    expect(first.systemIdentifier!.template).toBe(second.systemIdentifier!.template);
    const ids = [first.systemIdentifier!.copy, second.systemIdentifier!.copy, first.systemIdentifier!.template];
    expect(new Set(ids).size).toBe(3);
    for (const [name, made] of [
      ['one', first],
      ['two', second],
    ] as const) {
      // Embedded binaries ship only the server programs; the server's own start checks pg_control's CRC too.
      if (binaries.has('pg_controldata')) {
        const controldata = await runProgram(binaries.path('pg_controldata'), [path.join(dir, name)], { user: serverUser });
        expect(controldata.stdout + controldata.stderr).not.toMatch(/CRC|incorrect checksum/i);
        expect(controldata.stdout).toContain(`Database system identifier:           ${made.systemIdentifier!.copy}`);
      }
      if (existsSync(path.join(binaries.binDir, 'pg_checksums'))) {
        const checksums = await runProgramAllowFailure(path.join(binaries.binDir, 'pg_checksums'), ['--check', '-D', path.join(dir, name)], { user: serverUser });
        expect(checksums.stderr).toBe('');
        expect(checksums.exitCode).toBe(0);
      }
      const node = await startNode(name);
      const row = await node.queryOne<{ id: string }>('SELECT system_identifier::text AS id FROM pg_control_system()');
      expect(row!.id).toBe(made.systemIdentifier!.copy);
    }
  });

  it('sets the superuser password on the copy, and the cached template holds none', async () => {
    const cache = await setup();
    await makeCluster(cache, 'one');
    const node = await startNode('one');
    await expect(node.queryOne('SELECT 1 AS one')).resolves.toEqual({ one: 1 });
    const wrong = new PgNode({
      name: 'wrong',
      role: 'primary',
      port: node.port,
      dataDir: node.dataDir,
      binaries,
      osUser: serverUser,
      logFile: node.logFile,
      superuser: { name: 'postgres', password: 'not-it' },
    });
    await expect(wrong.queryOne('SELECT 1')).rejects.toThrow(/password/);
    await wrong.closeConnections();
    const key = (await readdir(cache.root)).find((n) => !n.startsWith('.'))!;
    const template = path.join(cache.root, key, 'data');
    expect((await stat(cache.root)).mode & 0o755).toBe(0o755);
    expect((await stat(template)).mode & 0o777).toBe(0o700);
    // A plain copy of the template (no password set yet) has a superuser without a password.
    const raw = await emptyDataDir('raw-copy');
    await cache.copyTo((await cache.find(key))!, raw, serverUser);
    const single = await runProgram(binaries.path('postgres'), ['--single', '-D', raw, 'postgres'], {
      user: serverUser,
      input: "SELECT 'has-password:' || (rolpassword IS NOT NULL)::text FROM pg_authid WHERE rolname = 'postgres';\n",
    });
    expect(single.stdout).toMatch(/has-password:false/);
  });

  // pg_basebackup makes the standby; embedded binaries do not ship it.
  it('lets a standby of one cluster stream, and PostgreSQL refuses a standby pointed at another cluster made from the same template', async (context) => {
    if (!binaries.has('pg_basebackup')) return context.skip();
    const cache = await setup();
    await makeCluster(cache, 'one');
    await makeCluster(cache, 'two');
    const settings = 'wal_level = replica\nmax_wal_senders = 5\n';
    const one = await startNode('one', settings);
    const two = await startNode('two', settings);
    for (const n of [one, two]) {
      await writeFile(path.join(n.dataDir, 'pg_hba.conf'), 'host replication postgres 127.0.0.1/32 scram-sha-256\nhost all all 127.0.0.1/32 scram-sha-256\n');
      await n.reload();
    }
    const standbyDir = path.join(dir, 'standby');
    const passfile = path.join(dir, 'run', 'pgpass');
    await writeFile(passfile, `*:*:*:postgres:${PASSWORD}\n`, { mode: 0o600 });
    await chownIfRoot(passfile, serverUser.uid, serverUser.gid);
    await runProgram(binaries.path('pg_basebackup'), ['-h', '127.0.0.1', '-p', String(one.port), '-U', 'postgres', '-D', standbyDir, '-X', 'stream', '-c', 'fast', '-R'], {
      user: serverUser,
      env: { PGPASSFILE: passfile },
    });
    await writeFile(
      path.join(standbyDir, 'postgresql.auto.conf'),
      `port = ${await freePort()}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\nprimary_conninfo = 'host=127.0.0.1 port=${one.port} user=postgres passfile=${passfile}'\n`,
    );
    await chownIfRoot(path.join(standbyDir, 'postgresql.auto.conf'), serverUser.uid, serverUser.gid);
    const standbyPort = Number(/port = (\d+)/.exec(await readFile(path.join(standbyDir, 'postgresql.auto.conf'), 'utf8'))![1]);
    const standby = new PgNode({
      name: 'standby',
      role: 'standby',
      port: standbyPort,
      dataDir: standbyDir,
      binaries,
      osUser: serverUser,
      logFile: path.join(dir, 'standby.log'),
      superuser: { name: 'postgres', password: PASSWORD },
    });
    started.push(standby);
    await standby.start();
    // A fresh base backup's first start syncs its data directory with one syncfs where the server can (14+ on Linux).
    const syncMethod = (n: PgNode) => n.queryOne<{ m: string | null }>("SELECT current_setting('recovery_init_sync_method', true) AS m").then((r) => r?.m ?? null);
    const hasSetting = versionFacts(binaries.major).recoveryInitSyncMethod;
    expect(await syncMethod(standby)).toBe(hasSetting ? (process.platform === 'linux' ? 'syncfs' : 'fsync') : null);
    expect(await syncMethod(one), 'a start without a backup_label keeps the default').toBe(hasSetting ? 'fsync' : null);
    await pollUntil(async () => ((await one.queryOne<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_replication'))!.n === 1 ? true : undefined), {
      timeoutMs: 30_000,
      what: 'the standby to stream',
    });

    // The same standby pointed at the other cluster's primary: PostgreSQL's walreceiver refuses it.
    await standby.stop('fast');
    await writeFile(
      path.join(standbyDir, 'postgresql.auto.conf'),
      `port = ${standbyPort}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\nprimary_conninfo = 'host=127.0.0.1 port=${two.port} user=postgres passfile=${passfile}'\n`,
    );
    await standby.start();
    await pollUntil(async () => ((await readFile(standby.logFile, 'utf8')).includes('database system identifier differs') ? true : undefined), {
      timeoutMs: 30_000,
      what: 'the walreceiver to refuse the other cluster',
    });
    // The refused walreceiver's walsender on the other primary ends once the standby hangs up (it may still be
    // listed for a moment after the standby logged the refusal): none stays.
    await pollUntil(async () => ((await two.queryOne<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_replication'))!.n === 0 ? true : undefined), {
      timeoutMs: 30_000,
      what: 'no walsender left on the other primary',
    });
  });
});

describe('the template cache itself', () => {
  it('builds one entry when two runs need it at the same time, and leaves no build directory behind', async () => {
    const cache = await setup();
    await Promise.all([emptyDataDir('one'), emptyDataDir('two')]);
    const [a, b] = await Promise.all([createDataDir(request(cache, 'one')), createDataDir(request(cache, 'two'))]);
    expect([a.method, b.method]).toEqual(['template', 'template']);
    expect(a.systemIdentifier!.copy).not.toBe(b.systemIdentifier!.copy);
    expect(await readdir(cache.root)).toHaveLength(1);
    await startNode('one');
    await startNode('two');
  });

  it('finds a damaged entry, builds it again and still makes a working cluster', async () => {
    const cache = await setup();
    const first = await makeCluster(cache, 'one');
    const key = (await readdir(cache.root))[0]!;
    const pgVersion = path.join(cache.root, key, 'data', 'global', 'pg_control');
    const bytes = await readFile(pgVersion);
    bytes[100] = bytes[100]! ^ 0xff;
    await writeFile(pgVersion, bytes);
    const log: string[] = [];
    const second = await makeCluster(cache, 'two', log);
    expect(log.join('\n')).toMatch(/damaged/);
    expect(second.method).toBe('template');
    expect(second.systemIdentifier!.template).not.toBe(first.systemIdentifier!.template);
    await startNode('two');
  });

  it('builds again an entry whose manifest is missing (a build that was interrupted)', async () => {
    const cache = await setup();
    await makeCluster(cache, 'one');
    const key = (await readdir(cache.root))[0]!;
    await rm(path.join(cache.root, key, 'manifest.json'));
    const log: string[] = [];
    const second = await makeCluster(cache, 'two', log);
    expect(log.join('\n')).toMatch(/building the initdb template/);
    expect(second.method).toBe('template');
    await startNode('two');
  });

  it('removes the build directory of a run that was killed', async () => {
    const cache = await setup();
    await mkdir(cache.root, { recursive: true });
    const abandoned = path.join(cache.root, '.build-999999-deadbeef');
    await mkdir(path.join(abandoned, 'data'), { recursive: true });
    await makeCluster(cache, 'one');
    expect((await readdir(cache.root)).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('builds the copy beside the data directory and renames it into place, removing what a killed run left there', async () => {
    const cache = await setup();
    const leftover = path.join(dir, '.one.hotstandby-template-dead');
    await mkdir(leftover);
    await writeFile(path.join(leftover, 'PG_VERSION'), '15\n');
    const made = await makeCluster(cache, 'one');
    expect(made.method).toBe('template');
    expect((await readdir(dir)).filter((n) => n.startsWith('.one.'))).toEqual([]);
    expect((await stat(path.join(dir, 'one'))).mode & 0o777).toBe(0o700);
    expect(await readSystemIdentifier(path.join(dir, 'one'))).toBe(made.systemIdentifier!.copy);
  });

  it('keys entries by the binaries: other binaries in the same place make another key, and the outdated entry goes', async () => {
    const cache = await setup();
    const facts = await templateFacts(binaries, 'postgres', INITDB_FIXED_ARGS, serverUser);
    const changed = { ...facts, binaryStamps: { ...facts.binaryStamps, postgres: 'other' } };
    expect(templateKey(changed)).not.toBe(templateKey(facts));
    expect(templateKey({ ...facts, initdbArgs: [...facts.initdbArgs, '--data-checksums'] })).not.toBe(templateKey(facts));
    expect(templateKey({ ...facts, superuser: 'admin' })).not.toBe(templateKey(facts));
    // An entry recorded for the same bin directory with other binaries is removed when the current one is built.
    await mkdir(path.join(cache.root, 'outdated'), { recursive: true });
    await writeFile(path.join(cache.root, 'outdated', 'manifest.json'), JSON.stringify({ format: 1, key: 'outdated', facts: changed, systemIdentifier: '1', dirs: [], files: [] }));
    await makeCluster(cache, 'one');
    expect(await readdir(cache.root)).not.toContain('outdated');
  });

  it('falls back to initdb when the cache cannot be written, and says why', async () => {
    dir = await makeTempDir();
    await chownIfRoot(dir, serverUser.uid, serverUser.gid);
    await mkdir(path.join(dir, 'run'), { mode: 0o755 });
    await writeFile(path.join(dir, 'cache-is-a-file'), '');
    await chmod(path.join(dir, 'cache-is-a-file'), 0o644);
    const log: string[] = [];
    const made = await makeCluster(new TemplateCache(path.join(dir, 'cache-is-a-file', 'templates')), 'one', log);
    expect(made.method).toBe('initdb');
    expect(log.join('\n')).toMatch(/could not be used/);
    const node = await startNode('one');
    await expect(node.queryOne('SELECT 1 AS one')).resolves.toEqual({ one: 1 });
    expect(await readSystemIdentifier(node.dataDir)).toBeDefined();
  });
});

// Every directory and file under root, with its owner.
async function owners(root: string): Promise<{ path: string; uid: number; gid: number }[]> {
  const found: { path: string; uid: number; gid: number }[] = [];
  const walk = async (at: string) => {
    const st = await lstat(at);
    found.push({ path: at, uid: st.uid, gid: st.gid });
    if (st.isDirectory()) for (const name of await readdir(at)) await walk(path.join(at, name));
  };
  await walk(root);
  return found;
}

// The data directory of the one entry in a cache.
async function entryData(cache: TemplateCache): Promise<string> {
  const key = (await readdir(cache.root)).find((n) => !n.startsWith('.'))!;
  return path.join(cache.root, key, 'data');
}

describe('the template copied with one cp run and checked against the manifest', () => {
  beforeAll(async () => {
    // Linux has coreutils' cp: the damage below must be found by the one-run copy, not by Node's file-by-file one.
    if (process.platform === 'linux') expect(await nativeTreeCopyAvailable()).toBe(true);
  });

  const damages: { what: string; found: RegExp; rootOnly?: boolean; damage: (data: string) => Promise<void> }[] = [
    {
      what: 'one byte changed in a file, its size the same',
      found: /SHA-256/,
      damage: async (data) => {
        const file = path.join(data, 'global', '1262');
        const bytes = await readFile(file);
        bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x01;
        await writeFile(file, bytes);
      },
    },
    { what: 'a file missing', found: /PG_VERSION is missing/, damage: (data) => rm(path.join(data, 'PG_VERSION')) },
    {
      what: 'a file the manifest does not list',
      found: /extra\.conf is a file the manifest does not list/,
      damage: async (data) => {
        await writeFile(path.join(data, 'extra.conf'), 'x\n', { mode: 0o600 });
        await chownIfRoot(path.join(data, 'extra.conf'), serverUser.uid, serverUser.gid);
      },
    },
    {
      what: 'a directory the manifest does not list',
      found: /extra-dir is a directory the manifest does not list/,
      damage: async (data) => {
        await mkdir(path.join(data, 'extra-dir'), { mode: 0o700 });
        await chownIfRoot(path.join(data, 'extra-dir'), serverUser.uid, serverUser.gid);
      },
    },
    { what: 'a file of another mode', found: /postgresql\.conf has mode 644, the manifest says 600/, damage: (data) => chmod(path.join(data, 'postgresql.conf'), 0o644) },
    { what: 'a directory of another mode', found: /pg_wal has mode 755, the manifest says 700/, damage: (data) => chmod(path.join(data, 'pg_wal'), 0o755) },
    {
      what: 'a file owned by another user',
      found: /pg_hba\.conf is owned by 0:0, not by the server user/,
      rootOnly: true,
      damage: (data) => chown(path.join(data, 'pg_hba.conf'), 0, 0),
    },
  ];

  // One entry built once; each damage is done to a copy of it (a cache of its own), and the copy of that entry
  // into a data directory must refuse it. What follows a refusal (the entry built again, a working cluster) is the
  // same whatever the damage, and is shown end to end below.
  let pristine: { root: string; cache: TemplateCache };
  beforeAll(async () => {
    if (process.platform !== 'linux') return;
    const root = await makeTempDir();
    await chownIfRoot(root, serverUser.uid, serverUser.gid);
    await mkdir(path.join(root, 'run'), { mode: 0o755 });
    const cache = new TemplateCache(path.join(root, 'cache'));
    await mkdir(path.join(root, 'first'), { mode: 0o700 });
    await chownIfRoot(path.join(root, 'first'), serverUser.uid, serverUser.gid);
    await createDataDir(request(cache, 'first', [], root));
    pristine = { root, cache };
  });
  afterAll(async () => {
    if (pristine) await removeTempDir(pristine.root);
  });

  it.for(damages)('refuses a copy of an entry with $what, naming what differs', async ({ found, rootOnly, damage }, context) => {
    if (process.platform !== 'linux') return context.skip();
    if (rootOnly && process.getuid?.() !== 0) return context.skip();
    dir = await makeTempDir();
    await chownIfRoot(dir, serverUser.uid, serverUser.gid);
    await runProgram('cp', ['-a', pristine.cache.root, path.join(dir, 'cache')], { purpose: 'copy the pristine cache' });
    const cache = new TemplateCache(path.join(dir, 'cache'));
    const data = await entryData(cache);
    const manifest = (await cache.find(path.basename(path.dirname(data))))!;
    await damage(data);
    const target = await emptyDataDir('copy');
    // Unsynced, as a throwaway cluster's copy is: the check runs all the same (the end-to-end case below syncs).
    const refused = await cache.copyTo(manifest, target, serverUser, undefined, { sync: false }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(TemplateCorrupt);
    expect((refused as Error).message).toMatch(found);
  });

  it('finds a damaged entry while copying it, builds the entry again and makes a working cluster', async (context) => {
    if (process.platform !== 'linux') return context.skip();
    const cache = await setup();
    const first = await makeCluster(cache, 'one');
    await damages[0]!.damage(await entryData(cache));
    const log: string[] = [];
    const second = await makeCluster(cache, 'two', log);
    expect(log.join('\n')).toMatch(/damaged/);
    expect(log.join('\n')).toMatch(damages[0]!.found);
    expect(second.method).toBe('template');
    expect(second.systemIdentifier!.template, 'the entry was built again').not.toBe(first.systemIdentifier!.template);
    expect((await readdir(dir)).filter((n) => n.startsWith('.two.'))).toEqual([]);
    const node = await startNode('two');
    await expect(node.queryOne('SELECT 1 AS one')).resolves.toEqual({ one: 1 });
  });

  it("makes every file and directory of the copy the server user's, with the modes initdb gave them", async () => {
    const cache = await setup();
    await makeCluster(cache, 'one');
    const copied = await owners(path.join(dir, 'one'));
    expect(copied.length).toBeGreaterThan(900);
    // As root cp keeps the entry's owner (initdb ran as the server user); as the server user the files are its own.
    const wrong = copied.filter((f) => f.uid !== serverUser.uid || (process.getuid?.() === 0 && f.gid !== serverUser.gid));
    expect(wrong).toEqual([]);
    const manifest = (await cache.find((await readdir(cache.root))[0]!))!;
    for (const entry of [...manifest.dirs, ...manifest.files]) {
      expect((await lstat(path.join(dir, 'one', entry.path))).mode & 0o7777, entry.path).toBe(entry.mode);
    }
  });

  it('ends cp when interrupted, and leaves neither the hidden copy nor anything in the data directory', async (context) => {
    if (!(await nativeTreeCopyAvailable())) return context.skip();
    const cache = await setup();
    await makeCluster(cache, 'one');
    await emptyDataDir('two');
    const interrupt = new AbortController();
    let settled = false;
    const making = createDataDir({ ...request(cache, 'two'), signal: interrupt.signal }).finally(() => {
      settled = true;
    });
    const isCopy = (group: number) => {
      try {
        return readFileSync(`/proc/${group}/cmdline`, 'utf8').startsWith('cp\0-R\0');
      } catch {
        return false;
      }
    };
    let cp: number | undefined;
    while (cp === undefined && !settled) {
      cp = runningProgramGroups().find(isCopy);
      if (cp === undefined) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(cp, 'cp ran').toBeDefined();
    interrupt.abort();
    const error = await making.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isHotstandbyError(error) && error.code).toBe('ABORTED');
    expect(existsSync(`/proc/${cp}`), 'cp was ended').toBe(false);
    expect((await readdir(dir)).filter((n) => n.startsWith('.two.'))).toEqual([]);
    expect(await readdir(path.join(dir, 'two'))).toEqual([]);
  });

  it("copies file by file where cp cannot be used, and still finds a changed byte and makes the copy the server user's", async () => {
    const cache = await setup();
    const fileByFile = new TemplateCache(cache.root, { nativeCopy: false });
    const first = await makeCluster(fileByFile, 'one');
    const copied = await owners(path.join(dir, 'one'));
    expect(copied.filter((f) => f.uid !== serverUser.uid || (process.getuid?.() === 0 && f.gid !== serverUser.gid))).toEqual([]);
    const file = path.join(await entryData(fileByFile), 'global', '1262');
    const bytes = await readFile(file);
    bytes[0] = bytes[0]! ^ 0x01;
    await writeFile(file, bytes);
    const log: string[] = [];
    const second = await makeCluster(fileByFile, 'two', log);
    expect(log.join('\n')).toMatch(/damaged/);
    expect(second.systemIdentifier!.template).not.toBe(first.systemIdentifier!.template);
    await startNode('two');
  });
});
