import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

// An npm package found in a node_modules directory: its name, version, directory and entry file.
export interface ResolvedPackage {
  name: string;
  version: string;
  dir: string;
  entry: string;
}

// The conditions an ES module import matches in a package's "exports". Running from this checkout's TypeScript
// sources (no build), also "source": the workspace packages export their src/ under it, as the running code was.
const CONDITIONS = new Set(['import', 'node', 'default', ...(import.meta.url.endsWith('.ts') ? ['source'] : [])]);

// Find a package the way Node does from a directory (node_modules here, then in every parent) and the file its
// "exports" (or "main") names for an import. Undefined when no node_modules holds it.
export function resolvePackage(specifier: string, fromDir: string): ResolvedPackage | undefined {
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  const subpath = '.' + specifier.slice(name.length);
  for (let dir = path.resolve(fromDir); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return packageInDir(realpathSync(candidate), subpath);
    if (path.dirname(dir) === dir) return undefined;
  }
}

// The package whose package.json is in dir, and the file it exports for the subpath ("." for the package itself).
export function packageInDir(dir: string, subpath = '.'): ResolvedPackage {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string; exports?: unknown; main?: string };
  const target = manifest.exports !== undefined ? exportTarget(manifest.exports, subpath) : subpath === '.' ? (manifest.main ?? 'index.js') : subpath;
  if (target === undefined) {
    throw new Error(`its package.json "exports" has no entry for ${subpath === '.' ? 'the package itself' : subpath} under the conditions import, node or default`);
  }
  let entry = path.resolve(dir, target);
  if (existsSync(entry) && statSync(entry).isDirectory()) entry = path.join(entry, 'index.js');
  if (!existsSync(entry)) throw new Error(`its entry file ${entry} does not exist (is the package built?)`);
  return { name: manifest.name ?? path.basename(dir), version: manifest.version ?? '0.0.0', dir, entry };
}

// The target of a subpath in an "exports" field (a string, a conditions object, a subpath map, or an array).
export function exportTarget(exportsField: unknown, subpath: string): string | undefined {
  if (typeof exportsField === 'string' || Array.isArray(exportsField)) return subpath === '.' ? conditional(exportsField) : undefined;
  if (typeof exportsField !== 'object' || exportsField === null) return undefined;
  const map = exportsField as Record<string, unknown>;
  const isSubpathMap = Object.keys(map).some((k) => k.startsWith('.'));
  if (!isSubpathMap) return subpath === '.' ? conditional(map) : undefined;
  return map[subpath] === undefined ? undefined : conditional(map[subpath]);
}

function conditional(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    for (const v of value) {
      const found = conditional(v);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [condition, target] of Object.entries(value)) {
    if (!CONDITIONS.has(condition)) continue;
    const found = conditional(target);
    if (found !== undefined) return found;
  }
  return undefined;
}
