import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  Cluster,
  HotstandbyError,
  loadConfig,
  configFromObject,
  logSize,
  resolveBinaries,
  resolveServerUser,
  stateLayout,
  type ClusterSpec,
  type ConfigInput,
} from '@hotstandby/core';
import { BUILTIN_PLUGINS } from '@hotstandby/builtin-steps';
import { freePort } from '../free-port.js';
import { makeTempDir, removeTempDir } from '../temp-dir.js';
import { testBinaries } from '../test-binaries.js';
import type { AppClusterInfo } from './app-cluster-env.js';
import { startCleanupWatchdog } from './cleanup-watchdog.js';

// How the global setup makes the cluster.
export interface AppClusterOptions {
  // How many read replicas beside the primary (default 2), named replica1, replica2, … Ignored with configFile.
  replicas?: number;
  // More config merged key by key over the generated one (e.g. { postgres: { version: 16 }, settings: { … } }):
  // postgres and primary keys not given keep the generated binaries, free port and data directory.
  config?: Partial<ConfigInput>;
  // Your project's hotstandby config instead (its own ports and state directory): the setup runs up before the
  // tests and stops the nodes after them, keeping their data for the next run.
  configFile?: string;
  // The database in the connection settings (default postgres).
  database?: string;
}

// A cluster started for a test run, and how to tear it down (idempotent: a second call waits for the first).
export interface AppClusterHandle {
  info: AppClusterInfo;
  // Milliseconds from the start of startAppCluster until every node was up and verified.
  readyMs: number;
  stop(): Promise<void>;
}

// Start a primary and its replicas with the library (up: the built-in steps, every standby verified) and collect
// env's connection settings. A failed start leaves nothing behind.
export async function startAppCluster(options: AppClusterOptions = {}): Promise<AppClusterHandle> {
  const started = Date.now();
  const own = options.configFile === undefined;
  const dir = own ? await makeTempDir('hotstandby-app-') : undefined;
  let cluster: Cluster | undefined;
  let watchdog: { dismiss(): void } | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      // Only what the tool created is deleted (purge); with your own config the data stays for the next run.
      if (cluster) await cluster.down({ purge: own });
      if (dir) await removeTempDir(dir);
      // Done by the book: the watchdog has nothing left to do. (After a failed teardown it cleans up when the
      // runner's process ends.)
      watchdog?.dismiss();
    })();
    return stopping;
  };
  try {
    const { spec, configFile } = dir
      ? await generatedConfig(dir, options)
      : { spec: await loadConfig({ configPath: options.configFile }), configFile: path.resolve(options.configFile!) };
    const serverUser = resolveServerUser(spec.postgres.osUser);
    const dataDirs = [spec.primary, ...spec.standbys].map((n) => n.dataDir);
    // When the runner's process ends without the teardown (Ctrl-C, a crash, SIGKILL), the watchdog stops the
    // servers and removes the run's directory. Started before up (the binaries up will use are found first), so
    // an interrupted start is cleaned up too.
    const binaries = await resolveBinaries({ binDir: spec.postgres.binDir, major: spec.postgres.version, download: true });
    watchdog = startCleanupWatchdog({ pgCtl: binaries.path('pg_ctl'), dataDirs, serverUser, removeDir: dir });
    cluster = new Cluster(spec, { plugins: BUILTIN_PLUGINS });
    await cluster.up({ renderer: 'silent', print: () => undefined });
    const env = await cluster.env(options.database);
    const layout = stateLayout(spec.stateDir);
    const logOffsets: Record<string, number> = {};
    for (const node of env.nodes) logOffsets[node.name] = await logSize(layout.logFile(node.name));
    return { info: { configFile, env, logOffsets }, readyMs: Date.now() - started, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

// A config for 1 primary + N replicas on free ports, everything in dir; written there (no password in it: the
// superuser password is generated and kept in the state directory), so the tests' processes can open the cluster.
async function generatedConfig(dir: string, options: AppClusterOptions): Promise<{ spec: ClusterSpec; configFile: string }> {
  const replicas = options.replicas ?? 2;
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw new HotstandbyError('CONFIG_INVALID', `replicas must be a whole number of 0 or more (got ${replicas})`, {
      fix: 'pass replicas: 2 (or another count) to the global setup',
    });
  }
  // Merged key by key: what the options give wins, the rest (binaries, free ports, directories in dir) is filled in.
  const extra = options.config ?? {};
  const standbys = [];
  for (let i = 1; i <= replicas; i++) standbys.push({ name: `replica${i}`, port: await freePort(), dataDir: path.join(dir, `replica${i}`) });
  const config: ConfigInput = {
    stateDir: path.join(dir, 'state'),
    // A cluster for one test run, deleted after it: what the tool writes is not waited for on the disk.
    durable: false,
    ...extra,
    // A version without binaries: the setup finds (or fetches) that major's; else the tests' binaries.
    postgres: { ...(extra.postgres?.version === undefined ? { binDir: (await testBinaries()).binDir } : {}), ...extra.postgres },
    primary: { name: 'primary', port: await freePort(), dataDir: path.join(dir, 'primary'), ...extra.primary },
    standbys: extra.standbys ?? standbys,
  };
  const configFile = path.join(dir, 'hotstandby.config.json');
  await writeFile(configFile, JSON.stringify(config, null, 2) + '\n', { mode: 0o644 });
  return { spec: configFromObject(config, dir), configFile };
}
