import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { configFromObject } from '../../src/config/resolve-config.js';
import { hotstandbyErrorFromAsync } from './support/expect-error.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

let dir: string;

beforeEach(async () => {
  dir = await makeTempDir('hotstandby-load-config-');
  // A package.json without a "hotstandby" key marks the project root, so discovery never climbs above the temp dir.
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'fixture', private: true }));
});

afterEach(async () => {
  await removeTempDir(dir);
});

async function put(relative: string, content: string): Promise<string> {
  const file = path.join(dir, relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
  return file;
}

describe('loadConfig discovery', () => {
  it('finds hotstandby.config.json', async () => {
    const file = await put('hotstandby.config.json', JSON.stringify({ primary: { port: 6000 }, standbys: [{ name: 's1', port: 6001 }] }));
    const spec = await loadConfig({ cwd: dir });
    expect(spec.source).toEqual({ kind: 'file', path: file, dir });
    expect(spec.primary.port).toBe(6000);
    expect(spec.primary.portFixed).toBe(true);
    expect(spec.standbys.map((s) => [s.name, s.port])).toEqual([['s1', 6001]]);
  });

  it('accepts a "$schema" key pointing at the schema shipped in the package, in JSON and YAML', async () => {
    await put('hotstandby.config.json', JSON.stringify({ $schema: './node_modules/@hotstandby/core/config.schema.json', primary: { port: 6050 } }));
    expect((await loadConfig({ cwd: dir })).primary.port).toBe(6050);
    const yaml = await put('other/hotstandby.config.yaml', '$schema: ../node_modules/@hotstandby/core/config.schema.json\nprimary:\n  port: 6051\n');
    expect((await loadConfig({ cwd: dir, configPath: yaml })).primary.port).toBe(6051);
  });

  it('the schema "$schema" points at ships in @hotstandby/core under a stable export', async () => {
    const schema = JSON.parse(await readFile(fileURLToPath(import.meta.resolve('@hotstandby/core/config.schema.json')), 'utf8')) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['$schema', 'primary', 'standbys']));
  });

  it('finds hotstandby.config.yaml', async () => {
    const file = await put('hotstandby.config.yaml', 'primary:\n  port: 6100\nstandbys:\n  - name: s1\n    port: 6101\n  - name: s2\n');
    const spec = await loadConfig({ cwd: dir });
    expect(spec.source.path).toBe(file);
    expect(spec.standbys.map((s) => [s.name, s.port, s.portFixed])).toEqual([
      ['s1', 6101, true],
      ['s2', 5430, false],
    ]);
  });

  it('finds .hotstandbyrc (YAML or JSON without an extension)', async () => {
    const file = await put('.hotstandbyrc', '{ "primary": { "name": "main", "port": 6200 } }\n');
    const spec = await loadConfig({ cwd: dir });
    expect(spec.source.path).toBe(file);
    expect(spec.primary.name).toBe('main');
  });

  it('finds the "hotstandby" key of package.json', async () => {
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'app', hotstandby: { primary: { port: 6300 }, replication: { user: 'streamer' } } }));
    const spec = await loadConfig({ cwd: dir });
    expect(spec.source.path).toBe(path.join(dir, 'package.json'));
    expect(spec.primary.port).toBe(6300);
    expect(spec.replication.user).toBe('streamer');
  });

  it('loads hotstandby.config.ts through tsx, types and all', async () => {
    const file = await put(
      'hotstandby.config.ts',
      [
        'interface Standby { name: string; port?: number }',
        "const standbys: Standby[] = ['s1', 's2'].map((name, i): Standby => ({ name, port: 6401 + i }));",
        'export default { primary: { port: 6400 as number }, standbys } satisfies Record<string, unknown>;',
        '',
      ].join('\n'),
    );
    const spec = await loadConfig({ cwd: dir });
    expect(spec.source.path).toBe(file);
    expect([spec.primary.port, ...spec.standbys.map((s) => s.port)]).toEqual([6400, 6401, 6402]);
  });

  it('loads hotstandby.config.ts in an ESM project ("type": "module")', async () => {
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'fixture', private: true, type: 'module' }));
    await put('hotstandby.config.ts', 'const port: number = 6450;\nexport default { primary: { port } };\n');
    expect((await loadConfig({ cwd: dir })).primary.port).toBe(6450);
  });

  it('loads a hotstandby.config.ts that imports defineConfig from @hotstandby/core in a project without node_modules', async () => {
    await put('hotstandby.config.ts', "import { defineConfig } from '@hotstandby/core';\nexport default defineConfig({ primary: { port: 6460 } });\n");
    expect((await loadConfig({ cwd: dir })).primary.port).toBe(6460);
  });

  it('says which import is missing instead of blaming the syntax', async () => {
    await put('hotstandby.config.ts', "import { x } from 'no-such-package-hs';\nexport default { primary: { port: x } };\n");
    const error = await hotstandbyErrorFromAsync(() => loadConfig({ cwd: dir }), 'CONFIG_PARSE');
    expect(error.fix).toBe('install no-such-package-hs where the config can import it (npm install --save-dev no-such-package-hs), or drop the import');
  });

  it('searches up from a subdirectory and resolves relative paths against the config file, not the cwd', async () => {
    await put('hotstandby.config.json', JSON.stringify({ stateDir: 'state', primary: { dataDir: 'pg/primary' }, standbys: [{ name: 's1', dataDir: '../elsewhere/s1' }] }));
    const cwd = path.join(dir, 'deep', 'down');
    await mkdir(cwd, { recursive: true });
    const spec = await loadConfig({ cwd });
    expect(spec.source.dir).toBe(dir);
    expect(spec.stateDir).toBe(path.join(dir, 'state'));
    expect(spec.primary.dataDir).toBe(path.join(dir, 'pg', 'primary'));
    expect(spec.standbys[0]!.dataDir).toBe(path.resolve(dir, '..', 'elsewhere', 's1'));
  });

  it('refuses to guess between two config files in one directory, naming both; --config picks one', async () => {
    await put('hotstandby.config.json', JSON.stringify({ primary: { port: 6000 } }));
    await put('hotstandby.config.yaml', 'primary:\n  port: 7000\n');
    const error = await hotstandbyErrorFromAsync(() => loadConfig({ cwd: dir }), 'CONFIG_CONFLICT');
    expect(error.message).toBe(`${dir} holds more than one hotstandby config: hotstandby.config.json and hotstandby.config.yaml`);
    expect(error.fix).toBe('keep one of them, or choose one with --config hotstandby.config.json');
    expect((await loadConfig({ cwd: dir, configPath: 'hotstandby.config.yaml' })).primary.port).toBe(7000);
  });

  it('counts a "hotstandby" key in package.json as a config beside a config file', async () => {
    await put('package.json', JSON.stringify({ name: 'fixture', private: true, hotstandby: { primary: { port: 6000 } } }));
    await put('.hotstandbyrc.json', JSON.stringify({ primary: { port: 7000 } }));
    await hotstandbyErrorFromAsync(() => loadConfig({ cwd: dir }), 'CONFIG_CONFLICT');
  });

  it('falls back to the built-in default config (movable ports, state beside the cwd) when nothing is found', async () => {
    const spec = await loadConfig({ cwd: dir });
    expect(spec.source).toEqual({ kind: 'default', path: undefined, dir });
    expect(spec.primary).toMatchObject({ name: 'master', port: 5432, portFixed: false, dataDir: path.join(dir, '.hotstandby', 'data', 'master') });
    expect(spec.standbys).toHaveLength(1);
    expect(spec.standbys[0]).toMatchObject({ name: 'slave1', port: 5431, portFixed: false, dataDir: path.join(dir, '.hotstandby', 'data', 'slave1') });
    expect(spec.stateDir).toBe(path.join(dir, '.hotstandby'));
  });
});

describe('loadConfig --config', () => {
  it('reads the named file, relative to the cwd, wherever it lives', async () => {
    const file = await put('configs/cluster.yaml', 'stateDir: ../run\nprimary:\n  dataDir: data/p\n');
    const spec = await loadConfig({ cwd: dir, configPath: 'configs/cluster.yaml' });
    expect(spec.source).toEqual({ kind: 'file', path: file, dir: path.join(dir, 'configs') });
    expect(spec.stateDir).toBe(path.join(dir, 'run'));
    expect(spec.primary.dataDir).toBe(path.join(dir, 'configs', 'data', 'p'));
  });

  it('prefers the named file over a discoverable one', async () => {
    await put('hotstandby.config.json', JSON.stringify({ primary: { port: 6000 } }));
    await put('other.json', JSON.stringify({ primary: { port: 7000 } }));
    expect((await loadConfig({ cwd: dir, configPath: 'other.json' })).primary.port).toBe(7000);
  });

  it('refuses a missing file with CONFIG_NOT_FOUND naming the absolute path', async () => {
    const error = await hotstandbyErrorFromAsync(() => loadConfig({ cwd: dir, configPath: 'nope.json' }), 'CONFIG_NOT_FOUND');
    expect(error.message).toContain(path.join(dir, 'nope.json'));
    expect(error.where.file).toBe(path.join(dir, 'nope.json'));
    expect(error.fix).toContain('--config');
  });

  it('refuses a directory with CONFIG_NOT_FOUND', async () => {
    await mkdir(path.join(dir, 'a-dir'));
    await hotstandbyErrorFromAsync(() => loadConfig({ cwd: dir, configPath: 'a-dir' }), 'CONFIG_NOT_FOUND');
  });
});

describe('loadConfig errors', () => {
  it('reports broken JSON given with --config as CONFIG_PARSE naming the file', async () => {
    const file = await put('broken.json', '{ "primary": { "port": 6000, } ');
    const error = await hotstandbyErrorFromAsync(() => loadConfig({ cwd: dir, configPath: 'broken.json' }), 'CONFIG_PARSE');
    expect(error.message).toContain(file);
    expect(error.where.file).toBe(file);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('reports a broken discovered file as CONFIG_PARSE', async () => {
    await put('hotstandby.config.yaml', 'primary:\n  port: [unclosed\n');
    const error = await hotstandbyErrorFromAsync(() => loadConfig({ cwd: dir }), 'CONFIG_PARSE');
    expect(error.message).toContain('cannot read config');
  });

  it('reports a TypeScript config that does not compile as CONFIG_PARSE', async () => {
    await put('hotstandby.config.ts', 'export default { primary: { port: 6000 ;\n');
    await hotstandbyErrorFromAsync(() => loadConfig({ cwd: dir }), 'CONFIG_PARSE');
  });

  it('reports invalid content as CONFIG_INVALID naming the file and the key', async () => {
    const file = await put('hotstandby.config.json', JSON.stringify({ standbys: [{ name: 's1', prot: 5431 }] }));
    const error = await hotstandbyErrorFromAsync(() => loadConfig({ cwd: dir }), 'CONFIG_INVALID');
    expect(error.message).toContain(file);
    expect(error.where).toEqual({ file, key: 'standbys[0].prot' });
    expect(error.message).toContain('did you mean "port"?');
  });
});

describe('configFromObject', () => {
  it('validates an inline object and resolves paths against the given directory', () => {
    const spec = configFromObject({ primary: { port: 6500, dataDir: 'p' } }, dir);
    expect(spec.source).toEqual({ kind: 'inline', dir });
    expect(spec.primary).toMatchObject({ port: 6500, portFixed: true, dataDir: path.join(dir, 'p') });
  });
});
