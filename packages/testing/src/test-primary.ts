import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { editAutoConf, PgNode, resolveServerUser, writeFileAtomic, chownIfRoot, type PgBinaries, type ServerUser } from '@hotstandby/core';
import { mkdir, readFile } from 'node:fs/promises';
import { freePort } from './free-port.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';
import { testBinaries } from './test-binaries.js';

// A real, running PostgreSQL primary in a temporary directory, made without hotstandby (as a user's own server).
export interface TestPrimary {
  node: PgNode;
  // The temporary directory holding the data directory, the log and anything the test adds.
  dir: string;
  dataDir: string;
  port: number;
  superuserPassword: string;
  serverUser: ServerUser;
  binaries: PgBinaries;
  // Stop the server and remove the directory (kept with KEEP_PGDATA=1).
  cleanup(): Promise<void>;
}

// How to make a test primary.
export interface TestPrimaryOptions {
  // Extra settings for postgresql.auto.conf before the first start.
  settings?: Record<string, string>;
  binaries?: PgBinaries;
  superuserPassword?: string;
  // Leave it stopped.
  stopped?: boolean;
  // Listen on this port instead of a free one (to play another program on a port a test chose).
  port?: number;
}

// initdb (scram-sha-256, a known superuser password, no fsync) and start on a free port, as the PostgreSQL OS user.
export async function createTestPrimary(options: TestPrimaryOptions = {}): Promise<TestPrimary> {
  const binaries = options.binaries ?? (await testBinaries());
  const serverUser = resolveServerUser();
  const dir = await makeTempDir();
  const dataDir = path.join(dir, 'primary');
  const port = options.port ?? (await freePort());
  const superuserPassword = options.superuserPassword ?? `pw-${randomBytes(6).toString('hex')}`;
  const node = new PgNode({
    name: 'primary',
    role: 'primary',
    port,
    dataDir,
    binaries,
    osUser: serverUser,
    logFile: path.join(dir, 'primary.log'),
    superuser: { name: 'postgres', password: superuserPassword },
  });
  const cleanup = async () => {
    await node.stop('immediate').catch(() => undefined);
    await removeTempDir(dir);
  };
  try {
    await mkdir(dataDir, { mode: 0o700 });
    await chownIfRoot(dataDir, serverUser.uid, serverUser.gid);
    await chownIfRoot(dir, serverUser.uid, serverUser.gid);
    await node.initdb({ password: superuserPassword, pwfileDir: dir, extraArgs: ['--no-sync'] });
    const autoConf = path.join(dataDir, 'postgresql.auto.conf');
    const settings = { port: String(port), listen_addresses: '127.0.0.1', unix_socket_directories: dir, fsync: 'off', ...options.settings };
    await writeFileAtomic(autoConf, editAutoConf(await readFile(autoConf, 'utf8').catch(() => undefined), settings), { mode: 0o600, uid: serverUser.uid, gid: serverUser.gid });
    if (!options.stopped) await node.start();
  } catch (error) {
    await cleanup();
    throw error;
  }
  return { node, dir, dataDir, port, superuserPassword, serverUser, binaries, cleanup };
}
