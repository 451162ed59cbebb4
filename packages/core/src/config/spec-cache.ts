import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClusterSpec, ConfigSource } from './cluster-spec.js';
import { writeFileAtomic } from '../util/atomic-write.js';

// Validating a config means loading zod and its schema, the largest part of what a quick command such as `status`
// loads. The spec a config resolves to depends on nothing but the config's data, where it came from and the code
// that resolves it, so the last one resolved is kept in the state directory (owner-only, like the passwords there)
// under a key made of those, and a config whose key matches is not validated again. A changed or new config, a
// moved one, another version of hotstandby: another key, validated exactly as before (and its errors unchanged).

// The file, inside the state directory, that holds the last resolved spec.
export const SPEC_CACHE_FILE = 'resolved-config.json';

// What the cache file holds.
interface CacheEntry {
  key: string;
  spec: unknown;
}

// Stands for `undefined` in the cache file (JSON has none, and a key set to undefined is not a key left out).
const UNDEFINED = { $undefined: true };

// The spec a config's data resolves to: the cached one when the key matches, else resolveConfig's (which is loaded
// only then), cached when the state directory exists. `code` names the resolving code (tests give their own).
export async function resolveConfigCached(raw: unknown, source: ConfigSource, code: string = resolvingCode()): Promise<ClusterSpec> {
  const key = isPlainData(raw) ? specCacheKey(raw, source, code) : undefined;
  const file = key ? path.join(path.resolve(source.dir, stateDirOf(raw)), SPEC_CACHE_FILE) : undefined;
  if (key && file) {
    const cached = readEntry(file);
    if (cached?.key === key) return revive(cached.spec) as ClusterSpec;
  }
  const { resolveConfig } = await import('./resolve-config.js');
  const spec = resolveConfig(raw, source);
  // Only where the state directory is already there (status of a cluster never brought up creates nothing), and
  // only where the state directory is the one looked in above.
  // Never a config that holds a password: the cache would be one more file with the secret in it.
  const holdsSecret = spec.superuser.password.value !== undefined || spec.replication.password.value !== undefined;
  if (key && file && !holdsSecret && path.dirname(file) === spec.stateDir && existsSync(spec.stateDir)) {
    const entry: CacheEntry = { key, spec: JSON.parse(JSON.stringify(spec, keepUndefined)) };
    // A cache it cannot write (a read-only or foreign state directory) costs the next command a validation, no more.
    await writeFileAtomic(file, `${JSON.stringify(entry)}\n`, { mode: 0o600, exact: true }).catch(() => undefined);
  }
  return spec;
}

// The key of a config's resolved spec: its data, its source (file, directory, kind), the resolving code, the platform.
function specCacheKey(raw: unknown, source: ConfigSource, code: string): string {
  return createHash('sha256')
    .update(JSON.stringify({ raw, source: { kind: source.kind, path: source.path ?? null, dir: source.dir }, code, platform: process.platform }))
    .digest('hex');
}

// The resolving code: hotstandby's version, and when the modules that turn a config into a spec were last written
// (a rebuild of the same version, an edit of the sources): every module of this directory, and the version facts and
// TLS decisions its checks ask.
function resolvingCode(): string {
  try {
    const here = fileURLToPath(import.meta.url);
    const dir = path.dirname(here);
    const ext = path.extname(here);
    const modules = [
      ...readdirSync(dir)
        .filter((name) => name.endsWith(ext))
        .map((name) => path.join(dir, name)),
      path.join(dir, '..', 'postgres', `versions${ext}`),
      path.join(dir, '..', 'tls', `tls-decisions${ext}`),
    ];
    const { version } = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version: string };
    return `${version} ${modules.map((file) => statSync(file).mtimeMs).join(' ')}`;
  } catch {
    return `unknown ${Date.now()} ${Math.random()}`;
  }
}

// The state directory a config names (its default when it names none or names it wrongly: then validation runs).
function stateDirOf(raw: unknown): string {
  const value = raw && typeof raw === 'object' ? (raw as { stateDir?: unknown }).stateDir : undefined;
  return typeof value === 'string' && value !== '' ? value : '.hotstandby';
}

// True for data JSON writes back as it is: plain objects, arrays, strings, finite numbers, booleans, null (a JS
// config exporting a function, a Date or a class instance is validated every time).
function isPlainData(value: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every((v) => isPlainData(v, depth + 1));
  if (typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.entries(value).every(([k, v]) => k !== '$undefined' && isPlainData(v, depth + 1));
}

function readEntry(file: string): CacheEntry | undefined {
  try {
    const entry = JSON.parse(readFileSync(file, 'utf8')) as CacheEntry;
    return typeof entry?.key === 'string' ? entry : undefined;
  } catch {
    return undefined;
  }
}

function keepUndefined(this: unknown, _key: string, value: unknown): unknown {
  return value === undefined ? UNDEFINED : value;
}

// The spec as it was before it was written: the placeholders back to undefined.
function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive);
  if (value && typeof value === 'object') {
    if ((value as { $undefined?: unknown }).$undefined === true && Object.keys(value).length === 1) return undefined;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v)]));
  }
  return value;
}
