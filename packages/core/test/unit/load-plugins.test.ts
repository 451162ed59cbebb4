import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { loadPlugins } from '../../src/plugin/load-plugins.js';
import { exportTarget } from '../../src/plugin/resolve-package.js';
import { hotstandbyErrorFromAsync } from './support/expect-error.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

const CORE = fileURLToPath(new URL('../..', import.meta.url));
const STEP = (name: string, extra = '') => `{ name: '${name}', description: 'test step ${name}', scope: 'primary', async plan() { return { actions: [] }; }${extra} }`;

let dir: string;
let config: string;
beforeEach(async () => {
  dir = await makeTempDir('hotstandby-plugins-');
  config = path.join(dir, 'hotstandby.config.json');
});
afterEach(async () => removeTempDir(dir));

// Write files under the temp project.
async function files(entries: Record<string, string>): Promise<void> {
  for (const [rel, content] of Object.entries(entries)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), content);
  }
}

// Load the plugins a config with this "plugins" list names (the config file itself need not exist).
function load(plugins: unknown[]) {
  return loadPlugins(resolveConfig({ plugins }, { kind: 'file', path: config, dir }));
}

// Make @hotstandby/core importable from the temp project, as installing hotstandby would.
async function linkCore(): Promise<void> {
  await mkdir(path.join(dir, 'node_modules', '@hotstandby'), { recursive: true });
  await symlink(CORE, path.join(dir, 'node_modules', '@hotstandby', 'core'));
}

describe('loadPlugins: local files', () => {
  it('loads TypeScript and JavaScript files relative to the config, in order, with their options and entries', async () => {
    await linkCore();
    await files({
      'steps/seed.ts': `import { definePlugin, z } from '@hotstandby/core';\nconst options = z.strictObject({ rows: z.int().default(1) });\nexport default definePlugin<z.infer<typeof options>>(${STEP('seed', ', options')});\n`,
      'steps/plain.js': `export default ${STEP('plain')};\n`,
      'steps/common.cjs': `module.exports = ${STEP('common')};\n`,
      'steps/module.mts': `const n: number = 1;\nexport default ${STEP('module')};\n`,
    });
    const loaded = await load(['./steps/seed.ts', ['./steps/plain.js', { a: 1 }], './steps/common.cjs', './steps/module.mts']);
    expect(loaded.map((l) => l.plugin.name)).toEqual(['seed', 'plain', 'common', 'module']);
    expect(loaded.map((l) => l.origin)).toEqual(['seed.ts', 'plain.js', 'common.cjs', 'module.mts'].map((f) => path.join(dir, 'steps', f)));
    expect(loaded.map((l) => l.configKey)).toEqual(['plugins[0]', 'plugins[1]', 'plugins[2]', 'plugins[3]']);
    expect(loaded[1]!.options).toEqual({ a: 1 });
    expect(loaded[0]!.options).toBeUndefined();
    expect(loaded[0]!.plugin.options!.parse({})).toEqual({ rows: 1 });
    expect(loaded.some((l) => l.builtin)).toBe(false);
  });

  it('refuses a missing file, naming the entry, the config and the directory paths are relative to', async () => {
    const error = await hotstandbyErrorFromAsync(() => load(['./steps/nope.ts']), 'PLUGIN_INVALID');
    expect(error.message).toBe(`the plugin file ${path.join(dir, 'steps', 'nope.ts')} (plugins[0]: "./steps/nope.ts" in ${config}) does not exist`);
    expect(error.where).toMatchObject({ key: 'plugins[0]', file: config });
    expect(error.fix).toContain(dir);
  });

  it('refuses a module whose default export is not a step plugin, saying what is wrong', async () => {
    const cases: [string, string, RegExp][] = [
      ['none.js', 'export const x = 1;\n', /it has no default export/],
      ['fn.js', 'export default function () {}\n', /default export is a function/],
      ['noplan.js', "export default { name: 'noplan', description: 'd', scope: 'primary' };\n", /"plan" must be a function/],
      ['scope.js', "export default { name: 'scope', description: 'd', scope: 'standbys', plan() {} };\n", /scope "standbys"; it must be "primary", "standby" or "cluster"/],
      ['name.js', "export default { name: 'My Step', description: 'd', scope: 'primary', plan() {} };\n", /"My Step" is not a step name/],
      ['opts.js', "export default { name: 'opts', description: 'd', scope: 'primary', plan() {}, options: { rows: 1 } };\n", /"options" must be a zod schema/],
    ];
    for (const [file, content, problem] of cases) {
      await files({ [file]: content });
      const error = await hotstandbyErrorFromAsync(() => load([`./${file}`]), 'PLUGIN_INVALID');
      expect(error.message, file).toMatch(problem);
      expect(error.message, file).toContain(`the plugin ${path.join(dir, file)} (plugins[0] in ${config}) is not a step plugin`);
      expect(error.fix).toContain('definePlugin');
    }
  });

  it('refuses a step whose before/after names itself, saying to remove the name from that list', async () => {
    await files({ 'self.js': "export default { name: 'self', description: 'd', scope: 'primary', plan() {}, before: ['base-backup', 'self'] };\n" });
    const error = await hotstandbyErrorFromAsync(() => load(['./self.js']), 'PLUGIN_INVALID');
    expect(error.message).toBe(`the plugin ${path.join(dir, 'self.js')} (plugins[0] in ${config}) is not a step plugin: step "self": "before" names the step itself`);
    expect(error.fix).toBe('remove "self" from "before" (before and after name the other steps this one runs relative to)');
  });

  it('refuses a module that fails to load, with its error and entry', async () => {
    await files({ 'broken.ts': 'export default { name: ;\n' });
    const error = await hotstandbyErrorFromAsync(() => load(['./broken.ts']), 'PLUGIN_INVALID');
    expect(error.message).toContain(`the plugin ${path.join(dir, 'broken.ts')} (plugins[0] in ${config}) failed to load:`);
    expect(error.where.key).toBe('plugins[0]');
  });

  it('says how to install @hotstandby/core when a plugin file cannot import it', async () => {
    await files({ 'needs-core.ts': `import { definePlugin } from '@hotstandby/core';\nexport default definePlugin(${STEP('needs-core')});\n` });
    const error = await hotstandbyErrorFromAsync(() => load(['./needs-core.ts']), 'PLUGIN_INVALID');
    expect(error.message).toContain('failed to load');
    expect(error.fix).toContain('npm install --save-dev @hotstandby/core');
  });
});

describe('loadPlugins: npm packages', () => {
  it('resolves a package from the config directory upwards, names it package@version, and follows "exports" for import', async () => {
    await files({
      'node_modules/hotstandby-plugin-x/package.json': JSON.stringify({
        name: 'hotstandby-plugin-x',
        version: '1.4.2',
        exports: { '.': { require: './cjs.cjs', import: './esm.js' } },
      }),
      'node_modules/hotstandby-plugin-x/esm.js': `export default ${STEP('x')};\n`,
      'node_modules/@acme/plugin-y/package.json': JSON.stringify({ name: '@acme/plugin-y', version: '0.0.9', type: 'module', main: 'lib/index.js' }),
      'node_modules/@acme/plugin-y/lib/index.js': `export default ${STEP('y')};\n`,
    });
    config = path.join(dir, 'sub', 'deeper', 'hotstandby.config.json');
    const loaded = await loadPlugins(
      resolveConfig({ plugins: ['hotstandby-plugin-x', ['@acme/plugin-y', { rows: 2 }]] }, { kind: 'file', path: config, dir: path.dirname(config) }),
    );
    expect(loaded.map((l) => [l.plugin.name, l.origin, l.configKey])).toEqual([
      ['x', 'hotstandby-plugin-x@1.4.2', 'plugins[0]'],
      ['y', '@acme/plugin-y@0.0.9', 'plugins[1]'],
    ]);
    expect(loaded[1]!.options).toEqual({ rows: 2 });
  });

  it('loads a plugin package from a directory path (what `plugin new` makes)', async () => {
    await files({
      'my-plugin/package.json': JSON.stringify({ name: 'hotstandby-plugin-mine', version: '0.1.0', type: 'module', exports: { '.': './src/index.ts' } }),
      'my-plugin/src/index.ts': `const scope: 'primary' = 'primary';\nexport default { name: 'mine', description: 'd', scope, async plan() { return { actions: [] }; } };\n`,
    });
    const [loaded] = await load(['./my-plugin']);
    expect(loaded!.plugin.name).toBe('mine');
    expect(loaded!.origin).toBe(`hotstandby-plugin-mine@0.1.0 (${path.join(dir, 'my-plugin')})`);
  });

  it('refuses a package that is not installed, and suggests ./ for what looks like a path', async () => {
    const missing = await hotstandbyErrorFromAsync(() => load(['hotstandby-plugin-nope']), 'PLUGIN_INVALID');
    expect(missing.message).toContain('the plugin package "hotstandby-plugin-nope" (plugins[0]');
    expect(missing.message).toContain('is not installed');
    expect(missing.fix).toContain('npm install --save-dev hotstandby-plugin-nope');
    const pathLike = await hotstandbyErrorFromAsync(() => load(['steps/seed.ts']), 'PLUGIN_INVALID');
    expect(pathLike.fix).toContain('"./steps/seed.ts"');
  });

  it('refuses a package whose exports name no entry for import', async () => {
    await files({ 'node_modules/only-require/package.json': JSON.stringify({ name: 'only-require', version: '1.0.0', exports: { require: './x.cjs' } }) });
    const error = await hotstandbyErrorFromAsync(() => load(['only-require']), 'PLUGIN_INVALID');
    expect(error.message).toContain('"exports" has no entry for the package itself');
  });
});

describe('exportTarget', () => {
  it('follows strings, condition objects, subpath maps and arrays the way an ES import does', () => {
    expect(exportTarget('./a.js', '.')).toBe('./a.js');
    expect(exportTarget({ import: './esm.js', require: './cjs.cjs' }, '.')).toBe('./esm.js');
    expect(exportTarget({ require: './cjs.cjs', default: './d.js' }, '.')).toBe('./d.js');
    expect(exportTarget({ '.': { node: { import: './n.mjs' } }, './sub': './sub.js' }, '.')).toBe('./n.mjs');
    expect(exportTarget({ '.': './i.js', './sub': './sub.js' }, './sub')).toBe('./sub.js');
    expect(exportTarget([{ browser: './b.js' }, './fallback.js'], '.')).toBe('./fallback.js');
    expect(exportTarget({ require: './only.cjs' }, '.')).toBeUndefined();
    expect(exportTarget('./a.js', './sub')).toBeUndefined();
  });
});
