import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dependencySpecs, describeSource, hotstandbySource } from '../../src/scaffold/hotstandby-source.js';

// A directory laid out like a checkout (packages/core, packages/testing) or an install (node_modules/@hotstandby/*).
const root = mkdtempSync(path.join(os.tmpdir(), 'hotstandby-source-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
function pkg(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '0.3.1' }));
  return dir;
}

describe('where a new plugin package gets @hotstandby/core and @hotstandby/testing', () => {
  it('from a checkout (core not under node_modules): file: dependencies on its packages/core and packages/testing', () => {
    const core = pkg(path.join(root, 'checkout', 'packages', 'core'), '@hotstandby/core');
    const testing = pkg(path.join(root, 'checkout', 'packages', 'testing'), '@hotstandby/testing');
    const source = hotstandbySource(core, '0.3.1');
    expect(source).toEqual({ kind: 'checkout', version: '0.3.1', coreDir: core, testingDir: testing });
    expect(dependencySpecs(source)).toEqual({ core: `file:${core}`, testing: `file:${testing}` });
    expect(describeSource(source)).toContain(`from the hotstandby checkout at ${path.join(root, 'checkout')} (file: dependencies`);
  });

  it('from an installed copy (core under node_modules): the version range of the registry', () => {
    const core = pkg(path.join(root, 'proj', 'node_modules', '@hotstandby', 'core'), '@hotstandby/core');
    pkg(path.join(root, 'proj', 'node_modules', '@hotstandby', 'testing'), '@hotstandby/testing');
    const source = hotstandbySource(core, '0.3.1');
    expect(source).toEqual({ kind: 'registry', version: '0.3.1' });
    expect(dependencySpecs(source)).toEqual({ core: '^0.3.1', testing: '^0.3.1' });
    expect(describeSource(source)).toContain('from the npm registry (^0.3.1');
    // pnpm's store is under node_modules too.
    expect(hotstandbySource(path.join(root, 'node_modules', '.pnpm', '@hotstandby+core@0.3.1', 'node_modules', '@hotstandby', 'core'), '0.3.1').kind).toBe('registry');
  });

  it('from the registry when core was not found as a package, or a checkout has no packages/testing', () => {
    expect(hotstandbySource(undefined, '0.3.1').kind).toBe('registry');
    const lone = pkg(path.join(root, 'lone', 'packages', 'core'), '@hotstandby/core');
    expect(hotstandbySource(lone, '0.3.1').kind).toBe('registry');
  });
});
