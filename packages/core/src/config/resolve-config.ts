import path from 'node:path';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { ClusterSpec, ConfigSource, NodeHostSpec, NodeSpec, TlsSpec } from './cluster-spec.js';
import { pluginSettings } from './plugin-settings.js';
import { configSchema } from './config-schema.js';
import { formatConfigIssues } from './format-config-issues.js';
import { sizeToMb } from './sizes.js';
import { parseMajor } from '../postgres/versions.js';
import { isInside } from '../util/is-inside.js';
import { configName, invalidConfig } from '../errors/error-factories.js';
import { servesTls } from '../tls/tls-decisions.js';

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

function conflict(where: string, message: string, key: string, fix: string, file?: string): HotstandbyError {
  return new HotstandbyError('CONFIG_CONFLICT', `invalid config in ${where}: ${message}`, { where: { file, key }, fix });
}

// Refuse a spec whose nodes contradict each other (names, ports, slots, upstreams, directories, role name).
export function checkConflicts(spec: ClusterSpec, where: string): void {
  const file = spec.source.path;
  const nodes = [spec.primary, ...spec.standbys];
  const keyOf = (n: NodeSpec, field: string) => (n.role === 'primary' ? `primary.${field}` : `standbys[${spec.standbys.indexOf(n)}].${field}`);

  const names = new Map<string, NodeSpec>();
  for (const n of nodes) {
    const before = names.get(n.name);
    if (before)
      throw conflict(where, `node name "${n.name}" is used twice (${keyOf(before, 'name')} and ${keyOf(n, 'name')})`, keyOf(n, 'name'), 'give every node its own name', file);
    names.set(n.name, n);
  }
  // Nodes on different hosts may listen on the same port number.
  const ports = new Map<string, NodeSpec>();
  for (const n of nodes) {
    const key = `${n.host?.host ?? ''}:${n.port}`;
    const before = ports.get(key);
    if (before)
      throw conflict(
        where,
        `port ${n.port} is used by both ${before.name} (${keyOf(before, 'port')}) and ${n.name} (${keyOf(n, 'port')})`,
        keyOf(n, 'port'),
        'give every node its own port',
        file,
      );
    ports.set(key, n);
  }
  const slots = new Map<string, NodeSpec>();
  for (const n of spec.standbys) {
    const key = `${n.upstream}/${n.slot}`;
    const before = slots.get(key);
    if (before)
      throw conflict(
        where,
        `standbys ${before.name} and ${n.name} would share the replication slot "${n.slot}" on ${n.upstream}`,
        keyOf(n, 'slot'),
        `set a distinct "slot" for ${n.name}`,
        file,
      );
    slots.set(key, n);
  }
  for (const n of spec.standbys) {
    if (!names.has(n.upstream!)) {
      throw conflict(
        where,
        `standby ${n.name} streams from "${n.upstream}", which is not a node of this cluster`,
        keyOf(n, 'upstream'),
        `name the primary or another standby (${[...names.keys()].join(', ')})`,
        file,
      );
    }
    if (n.upstream === n.name) throw conflict(where, `standby ${n.name} cannot stream from itself`, keyOf(n, 'upstream'), 'remove "upstream" or name another node', file);
    const seen = new Set<string>([n.name]);
    for (let up = names.get(n.upstream!)!; up.role === 'standby'; up = names.get(up.upstream!)!) {
      if (seen.has(up.name))
        throw conflict(where, `the upstreams of ${[...seen].join(' → ')} form a cycle`, keyOf(n, 'upstream'), 'every chain of upstreams must end at the primary', file);
      seen.add(up.name);
    }
    if (n.synchronous && n.upstream !== spec.primary.name) {
      throw conflict(
        where,
        `standby ${n.name} is synchronous but streams from ${n.upstream}; only standbys connected to the primary can be synchronous`,
        keyOf(n, 'synchronous'),
        `remove "synchronous" or "upstream" from ${n.name}`,
        file,
      );
    }
  }
  const sync = spec.standbys.filter((n) => n.synchronous).length;
  if (sync > 0 && spec.replication.synchronous.count > sync) {
    throw conflict(
      where,
      `replication.synchronous.count is ${spec.replication.synchronous.count}, but only ${sync} standby(s) are synchronous; every commit would wait forever`,
      'replication.synchronous.count',
      `lower the count to at most ${sync} or mark more standbys "synchronous": true`,
      file,
    );
  }
  for (const a of nodes) {
    for (const b of nodes) {
      if (a === b) continue;
      // Nodes on different machines may use the same paths.
      if ((a.host?.host ?? '') !== (b.host?.host ?? '')) continue;
      if (a.dataDir === b.dataDir) {
        throw conflict(where, `${a.name} and ${b.name} have the same data directory ${a.dataDir}`, keyOf(b, 'dataDir'), 'give every node its own data directory', file);
      }
      if (isInside(b.dataDir, a.dataDir)) {
        throw conflict(
          where,
          `the data directory of ${b.name} (${b.dataDir}) is inside the data directory of ${a.name} (${a.dataDir})`,
          keyOf(b, 'dataDir'),
          `move ${b.name}'s data directory outside ${a.dataDir}`,
          file,
        );
      }
    }
    if (!a.host && (a.dataDir === spec.stateDir || isInside(spec.stateDir, a.dataDir))) {
      throw conflict(where, `the state directory ${spec.stateDir} is inside the data directory of ${a.name}`, 'stateDir', 'set stateDir outside every data directory', file);
    }
  }
  if (spec.archive) {
    for (const n of nodes) {
      if (spec.archive.dir === n.dataDir || isInside(spec.archive.dir, n.dataDir)) {
        throw conflict(
          where,
          `the archive directory ${spec.archive.dir} is inside the data directory of ${n.name}`,
          'archive.dir',
          'put the archive outside every data directory',
          file,
        );
      }
    }
  }
  checkTlsCerts(spec, where);
  const user = spec.replication.user;
  if (Buffer.byteLength(user) > 63)
    throw conflict(
      where,
      `replication.user is ${Buffer.byteLength(user)} bytes; PostgreSQL would silently cut it to 63`,
      'replication.user',
      'use a role name of at most 63 bytes',
      file,
    );
  if (/[\0-\x1f\x7f]/.test(user)) throw conflict(where, 'replication.user contains a control character', 'replication.user', 'use a role name without control characters', file);
  if (/^pg_/.test(user))
    throw conflict(where, `replication.user "${user}" starts with pg_, which PostgreSQL reserves`, 'replication.user', 'choose a name that does not start with pg_', file);
  if (user === spec.superuser.name)
    throw conflict(where, `replication.user is the superuser "${user}"`, 'replication.user', 'use a separate role for replication (least privilege)', file);
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

// Certificates given by node name name nodes of the cluster; with a CA but not its key, every node that serves TLS
// needs its certificate given (nothing could sign one).
function checkTlsCerts(spec: ClusterSpec, where: string): void {
  const tls = spec.tls;
  if (!tls?.ca) return;
  const nodes = [spec.primary, ...spec.standbys];
  for (const name of Object.keys(tls.certs ?? {})) {
    if (!nodes.some((n) => n.name === name))
      throw conflict(
        where,
        `tls.certs names "${name}", which is not a node of this cluster`,
        `tls.certs.${name}`,
        `use node names (${nodes.map((n) => n.name).join(', ')})`,
        spec.source.path,
      );
  }
  if (tls.caKey) return;
  const missing = nodes.filter((n) => servesTls(spec, n) && !tls.certs?.[n.name]).map((n) => n.name);
  if (missing.length > 0)
    throw conflict(
      where,
      `tls.ca is set without tls.caKey, so every node serving replication between hosts needs its certificate in tls.certs; ${missing.join(', ')} ${missing.length === 1 ? 'has' : 'have'} none`,
      'tls.certs',
      `add tls.certs.${missing[0]}: { "cert": "...", "key": "..." }, or give tls.caKey so hotstandby signs certificates with your CA`,
      spec.source.path,
    );
}
