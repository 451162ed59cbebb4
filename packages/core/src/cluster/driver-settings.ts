import { urlHost, type ConnectionEnv } from './connection-env.js';

// The client libraries `env --format` writes connection settings for.
export const DRIVER_FORMATS = ['node-postgres', 'postgres-js', 'prisma', 'drizzle', 'knex', 'kysely', 'jdbc'] as const;

// One of DRIVER_FORMATS.
export type DriverFormat = (typeof DRIVER_FORMATS)[number];

// A node-postgres ClientConfig / PoolConfig (also what Drizzle's and Kysely's node-postgres drivers take).
export interface PgClientSettings {
  host: string;
  port: number;
  user: string;
  database: string;
  password?: string;
}

// node-postgres (and Drizzle, Kysely): it takes one host per config and refuses libpq multi-host URLs, so the
// primary and each read replica get their own config; a router picks among them (docs/app-testing.md).
export interface PrimaryAndReplicas {
  primary: PgClientSettings;
  replicas: PgClientSettings[];
}

// postgres.js takes lists of hosts and ports with target_session_attrs, like libpq: these survive a switchover.
// It uses primary and standby, not read-write and read-only: postgres.js judges those by
// default_transaction_read_only alone, which is off on a standby, so read-write would accept a standby.
export interface PostgresJsSettings {
  host: string[];
  port: number[];
  user: string;
  database: string;
  password?: string;
  target_session_attrs: 'primary' | 'standby';
}

// The connection settings for each driver format, as JSON-able values (jdbc: variables).
export interface DriverSettingsByFormat {
  'node-postgres': PrimaryAndReplicas;
  drizzle: PrimaryAndReplicas;
  kysely: PrimaryAndReplicas;
  'postgres-js': { primary: PostgresJsSettings; replicas: PostgresJsSettings };
  // The datasource URL and the read-replicas extension's `replicas` list (@prisma/extension-read-replicas).
  prisma: { DATABASE_URL: string; replicas: string[] };
  // Knex's config for the primary and one per read replica (Knex has no replica routing of its own).
  knex: { write: KnexConfig; read: KnexConfig[] };
  // pgjdbc URLs: multi-host with targetServerType, so they survive a switchover like libpq's.
  jdbc: Record<string, string>;
}

// A Knex config for the pg client.
export interface KnexConfig {
  client: 'pg';
  connection: PgClientSettings;
}

// Whether a value names a driver format.
export function isDriverFormat(value: string): value is DriverFormat {
  return (DRIVER_FORMATS as readonly string[]).includes(value);
}

// The connection settings for one driver, from env's ConnectionEnv. The password is left out unless given: the
// drivers built on node-postgres and pgjdbc 42.3+ read PGPASSFILE themselves (the others see docs/app-testing.md).
export function driverSettings<F extends DriverFormat>(env: ConnectionEnv, format: F, password?: string): DriverSettingsByFormat[F] {
  return settingsOf(env, format, password) as DriverSettingsByFormat[F];
}

function settingsOf(env: ConnectionEnv, format: DriverFormat, password: string | undefined): DriverSettingsByFormat[DriverFormat] {
  const primary = env.nodes.find((n) => n.role === 'primary')!;
  const standbys = env.nodes.filter((n) => n.role === 'standby');
  // The standbys reads go to (not the delayed ones); with none, the primary.
  const readers = standbys.filter((n) => n.readPool);
  const replicaNodes = readers.length ? readers : [primary];
  // Multi-host lists: every node for writes; the readers then the primary for reads (skipped while primary).
  const writeList = [primary, ...standbys];
  const readList = [...readers, primary];
  const secret = password === undefined ? {} : { password };
  const pgConfig = (n: { host: string; port: number }): PgClientSettings => ({ host: n.host, port: n.port, user: env.user, database: env.database, ...secret });
  const url = (n: { host: string; port: number }) => {
    const auth = encodeURIComponent(env.user) + (password === undefined ? '' : `:${encodeURIComponent(password)}`);
    return `postgresql://${auth}@${urlHost(n.host)}:${n.port}/${encodeURIComponent(env.database)}`;
  };
  switch (format) {
    case 'node-postgres':
    case 'drizzle':
    case 'kysely':
      return { primary: pgConfig(primary), replicas: replicaNodes.map(pgConfig) };
    case 'knex':
      return { write: { client: 'pg', connection: pgConfig(primary) }, read: replicaNodes.map((n) => ({ client: 'pg', connection: pgConfig(n) })) };
    case 'postgres-js': {
      const multi = (nodes: typeof writeList, attrs: PostgresJsSettings['target_session_attrs']): PostgresJsSettings => ({
        host: nodes.map((n) => n.host),
        port: nodes.map((n) => n.port),
        user: env.user,
        database: env.database,
        ...secret,
        target_session_attrs: attrs,
      });
      return { primary: multi(writeList, 'primary'), replicas: multi(readList, 'standby') };
    }
    case 'prisma':
      return { DATABASE_URL: url(primary), replicas: replicaNodes.map(url) };
    case 'jdbc': {
      const jdbc = (nodes: typeof writeList, query: string) =>
        `jdbc:postgresql://${nodes.map((n) => `${urlHost(n.host)}:${n.port}`).join(',')}/${encodeURIComponent(env.database)}?${query}`;
      return {
        JDBC_URL: jdbc(writeList, 'targetServerType=primary'),
        JDBC_READ_ONLY_URL: jdbc(readList, 'targetServerType=secondary'),
        JDBC_READ_ONLY_BALANCED_URL: jdbc(readList, 'targetServerType=secondary&loadBalanceHosts=true'),
        JDBC_PREFER_STANDBY_URL: jdbc(readList, 'targetServerType=preferSecondary'),
        JDBC_USER: env.user,
        ...(password === undefined ? {} : { JDBC_PASSWORD: password }),
      };
    }
  }
}
