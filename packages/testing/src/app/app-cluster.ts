import {
  Cluster,
  HotstandbyError,
  loadConfig,
  logFrom,
  logSize,
  lsnReached,
  openSession,
  parseMajor,
  passwordFromPassfile,
  pollUntil,
  stateLayout,
  versionFacts,
  type ConnectionEnv,
  type PrimaryAndReplicas,
  type SqlClient,
  type VersionFacts,
} from '@hotstandby/core';
import { BUILTIN_PLUGINS, isVerifyProbe } from '@hotstandby/builtin-steps';
import { readAppClusterInfo, type AppClusterInfo } from './app-cluster-env.js';
import { writeAttemptsIn, type WriteAttempt } from './write-attempts.js';

// A place in a node's server log (its size then): assertNoWritesOn looks only at what was logged after it.
export interface LogMark {
  node: string;
  offset: number;
}

// The cluster the global setup started, for the tests: connection settings with the password read from the
// passfile at run time, and replication faults on demand.
export interface AppCluster {
  info: AppClusterInfo;
  env: ConnectionEnv;
  // The superuser password, read from env's passfile (never printed, never in the environment).
  password(): Promise<string>;
  // node-postgres configs for the primary and the read replicas of now, with the password.
  nodePostgres(): Promise<PrimaryAndReplicas>;
  // The name of the node that is the primary now (the one not in recovery).
  primaryName(): Promise<string>;
  // Stop / restart applying WAL on a replica: it keeps receiving, its data stays as it was.
  pauseReplay(name: string): Promise<void>;
  resumeReplay(name: string): Promise<void>;
  // Wait until every running replica in the read pools replayed the primary's WAL position of now.
  waitForReplicas(options?: { timeoutMs?: number }): Promise<string>;
  // The planned swap (nothing lost): the replica becomes the primary, the primary its standby. Default: the first
  // replica in the read pools. Returns the new primary's name.
  switchover(name?: string): Promise<string>;
  // Stop the primary the way a crash does (immediate shutdown: no checkpoint, connections cut). Returns its name.
  // Afterwards: promote a replica (a failover) and rejoin the old primary, or start it again.
  killPrimary(): Promise<string>;
  // A failover: the replica becomes the primary and the other replicas follow it (refused while a primary
  // runs: use switchover). Default: the first running replica in the read pools. Returns its name.
  promote(name?: string): Promise<string>;
  // Make a former primary (killed, then another node promoted) a replica of the primary of now.
  rejoin(name: string): Promise<void>;
  // Start a stopped node again (a killed primary that nobody replaced comes back as the primary).
  start(name: string): Promise<void>;
  // Where a node's server log is now.
  markLog(name: string): Promise<LogMark>;
  // The writes a node refused (read-only), from its server log since the mark (default: since the setup was done);
  // hotstandby's own verify probes are left out.
  writeAttemptsOn(name: string, since?: LogMark): Promise<WriteAttempt[]>;
  // Fail with every refused write and its statement when anything tried to write on the node since the mark.
  assertNoWritesOn(name: string, since?: LogMark): Promise<void>;
}

// The cluster of this test run, from the environment the global setup set.
export function appCluster(env: NodeJS.ProcessEnv = process.env): AppCluster {
  const info = readAppClusterInfo(env);
  const connection = info.env;
  const nodeNamed = (name: string) => {
    const node = connection.nodes.find((n) => n.name === name);
    if (!node) {
      throw new HotstandbyError('UNKNOWN_NODE', `the cluster has no node named "${name}"`, {
        fix: `name one of ${connection.nodes.map((n) => n.name).join(', ')}`,
      });
    }
    return node;
  };
  const password = async () => {
    const primary = connection.nodes[0]!;
    const found = await passwordFromPassfile(connection.passfile, { host: primary.host, port: primary.port, database: connection.database, user: connection.user });
    if (found === undefined) {
      throw new HotstandbyError('AUTH_FAILED', `${connection.passfile} holds no password for ${connection.user}`, {
        fix: 'the cluster was not started by this run or its state directory was changed; restart the test run',
      });
    }
    return found;
  };
  const session = async (name: string): Promise<SqlClient> => {
    const node = nodeNamed(name);
    return openSession({
      host: node.host,
      port: node.port,
      user: connection.user,
      database: connection.database,
      password: await password(),
      node: name,
      connectTimeoutMs: 10_000,
    });
  };
  const withSession = async <T>(name: string, fn: (client: SqlClient, facts: VersionFacts) => Promise<T>): Promise<T> => {
    const client = await session(name);
    try {
      const version = (await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]!.v;
      return await fn(client, versionFacts(parseMajor(version)));
    } finally {
      await client.end();
    }
  };
  // Each node's role now, as the servers say; a node that does not answer is left out.
  const roles = async () => {
    const found: { name: string; inRecovery: boolean }[] = [];
    for (const node of connection.nodes) {
      const inRecovery = await withSession(node.name, async (c) => (await c.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0]!.r).catch(() => undefined);
      if (inRecovery !== undefined) found.push({ name: node.name, inRecovery });
    }
    return found;
  };
  const primaryName = async () => {
    const primary = (await roles()).find((r) => !r.inRecovery);
    if (!primary)
      throw new HotstandbyError('CONNECTION_FAILED', 'no node of the cluster runs as a primary', {
        fix: 'after killPrimary(): promote a replica with app.promote() (then app.rejoin(<old primary>)), or start the old primary again with app.start(<name>)',
      });
    return primary.name;
  };
  const cluster = async () => new Cluster(await loadConfig({ configPath: info.configFile }), { plugins: BUILTIN_PLUGINS });
  const logFile = async (name: string) => stateLayout((await loadConfig({ configPath: info.configFile })).stateDir).logFile(nodeNamed(name).name);
  const setReplay = (name: string, pause: boolean) =>
    withSession(name, async (c, facts) => {
      if (!(await c.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0]!.r) {
        throw new HotstandbyError('TOPOLOGY_CONFLICT', `${name} is the primary: only a replica replays WAL`, { fix: 'name a replica' });
      }
      await c.query(`SELECT ${pause ? facts.fn.replayPause : facts.fn.replayResume}()`);
    });
  // hotstandby's verify step tries a write on every standby on purpose (to prove it refuses writes): not the app's.
  // Without a mark: from where the log was when the setup was done (earlier runs' entries do not count).
  const writeAttemptsOn = async (name: string, since?: LogMark) =>
    writeAttemptsIn(await logFrom(await logFile(name), since?.offset ?? info.logOffsets?.[name] ?? 0)).filter((a) => !a.statement || !isVerifyProbe(a.statement));

  return {
    info,
    env: connection,
    password,
    nodePostgres: async () => {
      const pw = await password();
      const current = await roles();
      const config = (n: { host: string; port: number }) => ({ host: n.host, port: n.port, user: connection.user, database: connection.database, password: pw });
      const primary = nodeNamed(current.find((r) => !r.inRecovery)?.name ?? connection.nodes[0]!.name);
      const replicas = connection.nodes.filter((n) => n.readPool && current.some((r) => r.name === n.name && r.inRecovery));
      return { primary: config(primary), replicas: replicas.map(config) };
    },
    primaryName,
    pauseReplay: (name) => setReplay(name, true),
    resumeReplay: (name) => setReplay(name, false),
    waitForReplicas: async (options = {}) => {
      const primary = await primaryName();
      const target = await withSession(primary, async (c, f) => (await c.query<{ lsn: string }>(`SELECT ${f.fn.currentWalLsn}() AS lsn`)).rows[0]!.lsn);
      const replicas = (await roles()).filter((r) => r.inRecovery && nodeNamed(r.name).readPool).map((r) => r.name);
      const behind = new Map<string, string | null>();
      await pollUntil(
        async () => {
          for (const name of replicas) {
            const replayed = await withSession(name, async (c, f) => (await c.query<{ lsn: string | null }>(`SELECT ${f.fn.lastReplayLsn}() AS lsn`)).rows[0]!.lsn);
            if (lsnReached(replayed, target)) behind.delete(name);
            else behind.set(name, replayed);
          }
          return behind.size === 0 ? true : undefined;
        },
        {
          what: `every replica to replay ${target}`,
          timeoutMs: options.timeoutMs ?? 30_000,
          fix: 'a replica whose replay a test paused catches up only after resumeReplay',
        },
        () => [...behind].map(([n, lsn]) => `${n} at ${lsn ?? 'none'}`).join(', '),
      );
      return target;
    },
    switchover: async (name) => {
      const target = name ?? (await roles()).find((r) => r.inRecovery && nodeNamed(r.name).readPool)?.name;
      if (!target) throw new HotstandbyError('TOPOLOGY_CONFLICT', 'no running replica to switch over to', { fix: 'start a replica first' });
      await (await cluster()).switchover(target, { renderer: 'silent', print: () => undefined });
      return target;
    },
    killPrimary: async () => {
      const primary = await primaryName();
      await (await cluster()).stop([primary], { mode: 'immediate' });
      return primary;
    },
    promote: async (name) => {
      const target = name ?? (await roles()).find((r) => r.inRecovery && nodeNamed(r.name).readPool)?.name;
      if (!target) throw new HotstandbyError('TOPOLOGY_CONFLICT', 'no running replica to promote', { fix: 'start a replica first: app.start(<name>)' });
      await (await cluster()).promote(nodeNamed(target).name, { renderer: 'silent', print: () => undefined });
      return target;
    },
    rejoin: async (name) => {
      await (await cluster()).rejoin(nodeNamed(name).name, { renderer: 'silent', print: () => undefined });
    },
    start: async (name) => {
      await (await cluster()).start([nodeNamed(name).name]);
    },
    markLog: async (name) => ({ node: name, offset: await logSize(await logFile(name)) }),
    writeAttemptsOn,
    assertNoWritesOn: async (name, since) => {
      const attempts = await writeAttemptsOn(name, since);
      if (attempts.length === 0) return;
      const listed = attempts.map((a) => `  ${a.error}${a.statement ? `: ${a.statement}` : ''}`).join('\n');
      throw new WritesOnReplicaError(`${attempts.length} write${attempts.length === 1 ? '' : 's'} went to ${name}, which is read-only:\n${listed}`, attempts);
    },
  };
}

// What assertNoWritesOn throws: the refused writes, each with its statement.
export class WritesOnReplicaError extends Error {
  constructor(
    message: string,
    readonly attempts: WriteAttempt[],
  ) {
    super(message);
    this.name = 'WritesOnReplicaError';
  }
}
