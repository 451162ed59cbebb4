import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConfigSource } from '../../src/config/cluster-spec.js';
import { isFileSpecifier } from '../../src/config/plugin-settings.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { hotstandbyErrorFrom } from './support/expect-error.js';

const DIR = path.resolve('/srv/clusters/demo');
const FILE: ConfigSource = { kind: 'file', path: path.join(DIR, 'hotstandby.config.json'), dir: DIR };

describe('the plugins, pipeline and disable keys of the config', () => {
  it('resolves local files against the config directory and keeps package names and options', () => {
    const spec = resolveConfig({ plugins: ['./steps/seed.ts', 'hotstandby-plugin-x', ['@acme/plugin-y', { rows: 3 }], ['../shared/z.js', {}]] }, FILE);
    expect(spec.plugins).toEqual([
      { kind: 'file', specifier: './steps/seed.ts', path: path.join(DIR, 'steps', 'seed.ts'), baseDir: DIR, options: undefined, key: 'plugins[0]' },
      { kind: 'package', specifier: 'hotstandby-plugin-x', path: undefined, baseDir: DIR, options: undefined, key: 'plugins[1]' },
      { kind: 'package', specifier: '@acme/plugin-y', path: undefined, baseDir: DIR, options: { rows: 3 }, key: 'plugins[2]' },
      { kind: 'file', specifier: '../shared/z.js', path: path.resolve(DIR, '../shared/z.js'), baseDir: DIR, options: {}, key: 'plugins[3]' },
    ]);
  });

  it('has no plugins, pipeline or disable when the config gives none', () => {
    const spec = resolveConfig({}, FILE);
    expect(spec.plugins).toEqual([]);
    expect(spec.pipeline).toBeUndefined();
    expect(spec.disable).toBeUndefined();
  });

  it('keeps the pipeline in order and disable as given', () => {
    const spec = resolveConfig({ pipeline: ['user-creation', 'seed-schema', 'verify'], disable: ['wal-config'] }, FILE);
    expect(spec.pipeline).toEqual(['user-creation', 'seed-schema', 'verify']);
    expect(spec.disable).toEqual(['wal-config']);
  });

  it('tells files from packages', () => {
    for (const file of ['./a.ts', '../a.js', '/abs/a.ts', '.', '..', 'C:\\steps\\a.ts', '.\\a.ts']) expect(isFileSpecifier(file), file).toBe(true);
    for (const pkg of ['hotstandby-plugin-x', '@scope/pkg', 'pkg/sub', '.hidden-pkg']) expect(isFileSpecifier(pkg), pkg).toBe(false);
  });

  it('refuses a plugins entry that is neither a name nor [name, options], naming the entry', () => {
    const error = hotstandbyErrorFrom(() => resolveConfig({ plugins: ['./ok.ts', 5] }, FILE), 'CONFIG_INVALID');
    expect(error.message).toContain('plugins[1]');
    expect(error.message).toMatch(/a path .* a package name, or \["package-or-path", \{ options \}\]/);
    const options = hotstandbyErrorFrom(() => resolveConfig({ plugins: [['./ok.ts', 'rows=3']] }, FILE), 'CONFIG_INVALID');
    expect(options.message).toContain('plugins[0]');
  });

  it('refuses a pipeline entry that is not a step name', () => {
    const error = hotstandbyErrorFrom(() => resolveConfig({ pipeline: ['user-creation', 'Seed Schema'] }, FILE), 'CONFIG_INVALID');
    expect(error.message).toContain('pipeline[1]');
    expect(error.message).toContain('step name');
  });

  it('refuses a step that is both in pipeline and in disable', () => {
    const error = hotstandbyErrorFrom(() => resolveConfig({ pipeline: ['user-creation', 'verify'], disable: ['verify'] }, FILE), 'CONFIG_CONFLICT');
    expect(error.message).toContain('"verify" is both in "pipeline" and in "disable"');
    expect(error.where).toMatchObject({ key: 'disable', file: FILE.path });
  });
});
