// The cluster as the config describes it, with defaults applied and every path absolute.

// Which side of replication a node is on.
export type NodeRole = 'primary' | 'standby';

// One node (server) of the cluster.
export interface NodeSpec {
  name: string;
  role: NodeRole;
  port: number;
  // False when the port came from the built-in default config and may move to a free one.
  portFixed: boolean;
  dataDir: string;
  // For an existing primary: where its postgresql.conf lives when not in the data directory.
  configDir?: string;
  // For a standby: the node it streams from, and the physical slot it uses there.
  upstream?: string;
  slot?: string;
  // For a standby: listed in synchronous_standby_names; WAL applied this long after commit ("5min").
  synchronous?: boolean;
  applyDelay?: string;
  // The host the node lives on, reached over SSH (absent: this machine).
  host?: NodeHostSpec;
}

// Another host a node lives on, and how to reach it with OpenSSH.
export interface NodeHostSpec {
  host: string;
  user?: string;
  port?: number;
  identityFile?: string;
  options?: string[];
}

// How replication between hosts is encrypted.
export interface TlsSpec {
  mode: 'auto' | 'off';
  // The user's CA certificate (absent: the tool's own CA in <stateDir>/tls), and its key when the tool may sign with it.
  ca?: string;
  caKey?: string;
  // Server certificates the user made, by node name.
  certs?: Record<string, { cert: string; key: string }>;
}

// Where the config came from.
export interface ConfigSource {
  kind: 'file' | 'default' | 'inline';
  // The file, for kind "file".
  path?: string;
  // The directory relative paths were resolved against.
  dir: string;
}

// A password setting before the secret is looked up.
export interface PasswordSpec {
  value?: string;
  env: string;
  // The config named the variable (passwordEnv): then it must be set; no password is generated in its place.
  envRequired?: boolean;
  // The config key, for messages.
  key: string;
}

// The whole cluster, ready for the engine.
export interface ClusterSpec {
  source: ConfigSource;
  stateDir: string;
  // binDir is a directory or "embedded"; version is a major (150000 for 15).
  postgres: { binDir?: string; version?: number; osUser?: string };
  superuser: { name: string; password: PasswordSpec };
  replication: { user: string; password: PasswordSpec; connectionLimit: number; synchronous: { method: 'FIRST' | 'ANY'; count: number } };
  archive?: { dir: string };
  // TLS for replication between hosts (absent or "auto": on when some standby streams across hosts).
  tls?: TlsSpec;
  // false: a throwaway cluster, whose data directories the tool does not make durable (no syncs after copies,
  // --no-sync for pg_basebackup and initdb, fsync off in single-user mode). The servers' own settings are untouched.
  durable: boolean;
  wal: { keepSizeMb: number; maxSlotKeepSizeMb?: number; logHints: boolean };
  primary: NodeSpec;
  standbys: NodeSpec[];
  // Nodes the tool knows but keeps out of the pipeline: former primaries waiting for `rejoin`.
  detached?: NodeSpec[];
  steps: Record<string, Record<string, unknown>>;
  // Custom step plugins from the config's "plugins" list, in the order written.
  plugins?: PluginReference[];
  // The config's "pipeline": step names in the order to run them (absent: the built-in order).
  pipeline?: string[];
  // The config's "disable": steps not to run.
  disable?: string[];
}

// One entry of the config's "plugins" list: a local file or an npm package, with options given next to it.
export interface PluginReference {
  // A file (a path starting with ./, ../ or /) or a package (anything else, resolved from the config's directory).
  kind: 'file' | 'package';
  // As written in the config ("./steps/seed.ts", "hotstandby-plugin-x").
  specifier: string;
  // For a file: its absolute path.
  path?: string;
  // The directory packages are resolved from (the config file's).
  baseDir: string;
  // Options from ["name", { options }]; "steps.<step>" in the config wins key by key.
  options?: Record<string, unknown>;
  // Where in the config it is written ("plugins[2]"), for messages.
  key: string;
}

// Every node, primary first.
export function allNodes(spec: ClusterSpec): NodeSpec[] {
  return [spec.primary, ...spec.standbys];
}

// The node with this name, if any.
export function findNode(spec: ClusterSpec, name: string): NodeSpec | undefined {
  return allNodes(spec).find((n) => n.name === name);
}

// The node a standby streams from (the primary unless it is cascaded).
export function upstreamOf(spec: ClusterSpec, standby: NodeSpec): NodeSpec {
  return findNode(spec, standby.upstream ?? spec.primary.name) ?? spec.primary;
}

// How deep a node sits in the replication tree: 0 for the primary, 1 for its standbys, 2 below them ...
export function depthOf(spec: ClusterSpec, node: NodeSpec): number {
  let depth = 0;
  for (let current = node; current.role === 'standby' && depth <= spec.standbys.length; depth++) current = upstreamOf(spec, current);
  return depth;
}
