import path from 'node:path';
import type { ClusterSpec, ConfigSource, NodeHostSpec, NodeSpec, TlsSpec } from './cluster-spec.js';
import { pluginSettings } from './plugin-settings.js';
import { configSchema } from './config-schema.js';
import { formatConfigIssues } from './format-config-issues.js';
import { sizeToMb } from './sizes.js';
import { parseMajor } from '../postgres/versions.js';
import { configName, invalidConfig } from '../errors/error-factories.js';
import { checkConflicts, conflict } from './check-conflicts.js';

// Environment variables read for passwords when the config names none.
export const DEFAULT_SUPERUSER_PASSWORD_ENV = 'HOTSTANDBY_SUPERUSER_PASSWORD';
export const DEFAULT_REPLICATION_PASSWORD_ENV = 'HOTSTANDBY_REPLICATION_PASSWORD';

// Validate raw config data and turn it into a ClusterSpec: defaults applied, paths absolute, conflicts refused.
export function resolveConfig(raw: unknown, source: ConfigSource): ClusterSpec {
  const where = configName(source);
  const parsed = configSchema.safeParse(raw ?? {}, { reportInput: true });
  if (!parsed.success) {
    const lines = formatConfigIssues(parsed.error.issues, configSchema);
    throw invalidConfig(source, lines[0]!, {
      key: lines[0]?.split(':')[0],
      detail: lines.length > 1 ? lines.slice(1).join('\n') : undefined,
      fix: 'correct the key named above (see README "Config reference" or the JSON Schema @hotstandby/core/config.schema.json)',
    });
  }
  const cfg = parsed.data;
  checkHostSettings(cfg, where, source.path);
  const at = (p: string) => path.resolve(source.dir, p);
  const stateDir = at(cfg.stateDir ?? '.hotstandby');
  const portsFixed = source.kind !== 'default';

  const primaryName = cfg.primary?.name ?? 'master';
  const primary: NodeSpec = {
    name: primaryName,
    role: 'primary',
    port: cfg.primary?.port ?? 5432,
    portFixed: portsFixed && cfg.primary?.port !== undefined,
    dataDir: cfg.primary?.dataDir ? at(cfg.primary.dataDir) : path.join(stateDir, 'data', primaryName),
    configDir: cfg.primary?.configDir ? at(cfg.primary.configDir) : undefined,
    ...hostOf(cfg.primary ?? {}, at),
  };
  const defaultStandbyPort = (i: number) => 5431 - i;
  const standbys: NodeSpec[] = (cfg.standbys ?? []).map((s, i) => ({
    name: s.name,
    role: 'standby',
    port: s.port ?? defaultStandbyPort(i),
    portFixed: portsFixed && s.port !== undefined,
    dataDir: s.dataDir ? at(s.dataDir) : path.join(stateDir, 'data', s.name),
    upstream: s.upstream ?? primaryName,
    slot: s.slot ?? s.name.replace(/-/g, '_'),
    synchronous: s.synchronous ?? false,
    applyDelay: s.applyDelay?.replace(/\s+/g, ''),
    ...hostOf(s, at),
  }));

  const archive =
    cfg.archive === undefined || cfg.archive === false ? undefined : { dir: cfg.archive === true || !cfg.archive.dir ? path.join(stateDir, 'archive') : at(cfg.archive.dir) };

  const spec: ClusterSpec = {
    source,
    stateDir,
    postgres: {
      binDir: cfg.postgres?.binDir === 'embedded' ? 'embedded' : cfg.postgres?.binDir ? at(cfg.postgres.binDir) : undefined,
      version: cfg.postgres?.version === undefined ? undefined : parseMajor(String(cfg.postgres.version)),
      osUser: cfg.postgres?.osUser,
    },
    superuser: {
      name: cfg.superuser?.name ?? 'postgres',
      password: {
        value: cfg.superuser?.password,
        env: cfg.superuser?.passwordEnv ?? DEFAULT_SUPERUSER_PASSWORD_ENV,
        envRequired: cfg.superuser?.passwordEnv !== undefined,
        key: 'superuser.password',
      },
    },
    replication: {
      user: cfg.replication?.user ?? 'repuser',
      password: {
        value: cfg.replication?.password,
        env: cfg.replication?.passwordEnv ?? DEFAULT_REPLICATION_PASSWORD_ENV,
        envRequired: cfg.replication?.passwordEnv !== undefined,
        key: 'replication.password',
      },
      connectionLimit: cfg.replication?.connectionLimit ?? 3,
      synchronous: {
        method: (cfg.replication?.synchronous?.method?.toUpperCase() ?? 'FIRST') as 'FIRST' | 'ANY',
        count: cfg.replication?.synchronous?.count ?? 1,
      },
    },
    archive,
    ...tlsOf(cfg.tls, at),
    durable: cfg.durable ?? true,
    wal: {
      keepSizeMb: sizeToMb(cfg.wal?.keepSize ?? '1GB'),
      maxSlotKeepSizeMb: cfg.wal?.maxSlotKeepSize === undefined ? undefined : sizeToMb(cfg.wal.maxSlotKeepSize),
      logHints: cfg.wal?.logHints ?? true,
    },
    primary,
    standbys,
    steps: cfg.steps ?? {},
    ...pluginSettings(cfg, source),
  };
  checkConflicts(spec, where);
  return spec;
}

// A node on another host names its data directory there as an absolute path (nothing on this machine says where it
// would go), and ssh settings belong to a node with a host.
function checkHostSettings(
  cfg: { primary?: { host?: string; ssh?: unknown; dataDir?: string }; standbys?: { host?: string; ssh?: unknown; dataDir?: string }[]; archive?: unknown },
  where: string,
  file: string | undefined,
): void {
  const nodes = [...(cfg.primary ? [{ key: 'primary', node: cfg.primary }] : []), ...(cfg.standbys ?? []).map((node, i) => ({ key: `standbys[${i}]`, node }))];
  for (const { key, node } of nodes) {
    if (node.ssh !== undefined && node.host === undefined) {
      throw conflict(where, `${key}.ssh is set, but ${key} has no host`, `${key}.ssh`, `add "host" (the host the node lives on) or remove "ssh"`, file);
    }
    if (node.host !== undefined && (node.dataDir === undefined || !path.posix.isAbsolute(node.dataDir))) {
      throw conflict(
        where,
        `${key} lives on ${node.host}, so its dataDir must be an absolute path on that host${node.dataDir === undefined ? '' : ` (it is "${node.dataDir}")`}`,
        `${key}.dataDir`,
        `set ${key}.dataDir to where its data directory goes on ${node.host}, e.g. "/var/lib/postgresql/hotstandby/${key === 'primary' ? 'master' : 'standby'}"`,
        file,
      );
    }
  }
  if (cfg.archive !== undefined && cfg.archive !== false && nodes.some((n) => n.node.host !== undefined)) {
    throw conflict(
      where,
      'archive is set, but some nodes live on other hosts: the WAL archive is a directory on one machine, which the other hosts cannot read',
      'archive',
      'remove "archive" (replication slots keep the WAL each standby needs)',
      file,
    );
  }
}

// The host part of a node's config (nothing for a node on this machine); the key file is resolved like other paths.
function hostOf(node: { host?: string; ssh?: { user?: string; port?: number; identityFile?: string; options?: string[] } }, at: (p: string) => string): { host?: NodeHostSpec } {
  if (node.host === undefined) return {};
  const ssh = node.ssh ?? {};
  return { host: { host: node.host, user: ssh.user, port: ssh.port, identityFile: ssh.identityFile ? at(ssh.identityFile) : undefined, options: ssh.options } };
}

// The tls part of the config (nothing when absent: "auto"); its files are resolved like other paths.
function tlsOf(
  tls: 'auto' | false | { ca: string; caKey?: string; certs?: Record<string, { cert: string; key: string }> } | undefined,
  at: (p: string) => string,
): { tls?: TlsSpec } {
  if (tls === undefined) return {};
  if (tls === 'auto') return { tls: { mode: 'auto' } };
  if (tls === false) return { tls: { mode: 'off' } };
  const certs = tls.certs ? Object.fromEntries(Object.entries(tls.certs).map(([name, c]) => [name, { cert: at(c.cert), key: at(c.key) }])) : undefined;
  return { tls: { mode: 'auto', ca: at(tls.ca), ...(tls.caKey ? { caKey: at(tls.caKey) } : {}), ...(certs ? { certs } : {}) } };
}

// Validate an inline config object (library use); relative paths resolve against dir.
export function configFromObject(config: unknown, dir = process.cwd()): ClusterSpec {
  return resolveConfig(config, { kind: 'inline', dir });
}
