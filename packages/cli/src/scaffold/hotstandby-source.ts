import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

// Where a new plugin package gets @hotstandby/core and @hotstandby/testing from.
// - 'checkout': this hotstandby runs from a source checkout, whose packages are not on any registry under this
//   version: the package depends on the checkout's directories (file:<absolute path>; npm links them).
// - 'registry': this hotstandby is an installed copy: the package depends on the same version from the registry.
export type HotstandbySource = { kind: 'checkout'; version: string; coreDir: string; testingDir: string } | { kind: 'registry'; version: string };

// Decide from the real directory of the running @hotstandby/core (symlinks resolved): inside a node_modules
// directory means installed; anywhere else means a checkout, whose packages/testing sits next to packages/core.
// Undefined coreDir (core not found as a package) counts as installed.
export function hotstandbySource(coreDir: string | undefined, version: string): HotstandbySource {
  if (coreDir === undefined || coreDir.split(/[/\\]/).includes('node_modules')) return { kind: 'registry', version };
  const testingDir = path.join(path.dirname(coreDir), 'testing');
  if (packageName(testingDir) !== '@hotstandby/testing') return { kind: 'registry', version };
  return { kind: 'checkout', version, coreDir, testingDir };
}

// The dependency specifiers for package.json: file:<dir> from a checkout, ^version from a registry.
export function dependencySpecs(source: HotstandbySource): { core: string; testing: string } {
  return source.kind === 'checkout' ? { core: `file:${source.coreDir}`, testing: `file:${source.testingDir}` } : { core: `^${source.version}`, testing: `^${source.version}` };
}

// One sentence saying where the dependencies come from (printed by `plugin new` and written into the README).
export function describeSource(source: HotstandbySource): string {
  return source.kind === 'checkout'
    ? `@hotstandby/core and @hotstandby/testing come from the hotstandby checkout at ${path.dirname(path.dirname(source.coreDir))} (file: dependencies, which npm links; change them to "^${source.version}" to publish the package)`
    : `@hotstandby/core and @hotstandby/testing come from the npm registry (^${source.version}, the version of the hotstandby that made this package)`;
}

function packageName(dir: string): string | undefined {
  const manifest = path.join(dir, 'package.json');
  if (!existsSync(manifest)) return undefined;
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name;
  } catch {
    return undefined;
  }
}
