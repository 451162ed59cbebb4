import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ClusterSpec, PluginReference } from '../config/cluster-spec.js';
import type { LoadedPlugin } from '../cluster/resolve-steps.js';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import { checkPlugin, DEFINE_PLUGIN_FIX } from './check-plugin.js';
import { defaultExport, importModule } from './import-module.js';
import { packageInDir, resolvePackage, type ResolvedPackage } from './resolve-package.js';
import { TypeScriptLoaderMissing } from './typescript-loader.js';

// Load every plugin the config's "plugins" list names, in order: local files (TypeScript or JavaScript, relative
// to the config file) and npm packages (resolved from the config file's directory). Refuses a missing file or
// package, a module that fails to load, and one whose default export is not a step plugin, naming the entry.
export async function loadPlugins(spec: Pick<ClusterSpec, 'plugins' | 'source'>): Promise<LoadedPlugin[]> {
  const loaded: LoadedPlugin[] = [];
  for (const ref of spec.plugins ?? []) loaded.push(await loadPlugin(ref, spec.source.path));
  return loaded;
}

// Load one entry of the "plugins" list.
export async function loadPlugin(ref: PluginReference, configFile?: string): Promise<LoadedPlugin> {
  const { file, origin } = locate(ref, configFile);
  let mod: unknown;
  try {
    mod = await importModule(file);
  } catch (error) {
    throw loadFailure(ref, origin, file, configFile, error);
  }
  const plugin = defaultExport(mod);
  const found = checkPlugin(plugin);
  if (found) {
    throw new HotstandbyError('PLUGIN_INVALID', `the plugin ${origin} (${ref.key} in ${configName(configFile)}) is not a step plugin: ${found.problem}`, {
      where: { plugin: origin, key: ref.key, file: configFile },
      fix: found.fix ?? DEFINE_PLUGIN_FIX,
    });
  }
  return { plugin: plugin as LoadedPlugin['plugin'], origin, options: ref.options, configKey: ref.key };
}

// The file to import and how messages name it: the file's absolute path, or "package@version".
function locate(ref: PluginReference, configFile?: string): { file: string; origin: string } {
  if (ref.kind === 'file') {
    const file = ref.path!;
    // A directory holding a package.json is a plugin package on disk (what `hotstandby plugin new` makes).
    if (existsSync(path.join(file, 'package.json'))) {
      const pkg = packageAt(file, ref, configFile);
      return { file: pkg.entry, origin: `${pkg.name}@${pkg.version} (${file})` };
    }
    if (!existsSync(file) || !statSync(file).isFile()) {
      throw new HotstandbyError('PLUGIN_INVALID', `the plugin file ${file} (${ref.key}: "${ref.specifier}" in ${configName(configFile)}) does not exist`, {
        where: { key: ref.key, file: configFile, plugin: ref.specifier },
        fix: `check the path; relative paths in "plugins" are relative to the config file's directory ${ref.baseDir}`,
      });
    }
    return { file, origin: file };
  }
  const found = packageAt(undefined, ref, configFile);
  if (!found) {
    const looksLikePath = /\.(c|m)?(t|j)s$/.test(ref.specifier) || ref.specifier.includes('\\');
    throw new HotstandbyError(
      'PLUGIN_INVALID',
      `the plugin package "${ref.specifier}" (${ref.key} in ${configName(configFile)}) is not installed: no node_modules from ${ref.baseDir} upwards has it`,
      {
        where: { key: ref.key, file: configFile, plugin: ref.specifier },
        fix: looksLikePath
          ? `for a local file write "./${ref.specifier.replace(/^\/+/, '')}" (paths start with ./, ../ or /)`
          : `install it next to the config (npm install --save-dev ${ref.specifier}), or fix the name`,
      },
    );
  }
  return { file: found.entry, origin: `${found.name}@${found.version}` };
}

// The package in a directory (dir given) or found from the config's directory; a broken one is refused.
function packageAt(dir: string, ref: PluginReference, configFile?: string): ResolvedPackage;
function packageAt(dir: undefined, ref: PluginReference, configFile?: string): ResolvedPackage | undefined;
function packageAt(dir: string | undefined, ref: PluginReference, configFile?: string): ResolvedPackage | undefined {
  try {
    return dir ? packageInDir(dir) : resolvePackage(ref.specifier, ref.baseDir);
  } catch (error) {
    throw new HotstandbyError('PLUGIN_INVALID', `the plugin package "${ref.specifier}" (${ref.key} in ${configName(configFile)}) cannot be loaded: ${(error as Error).message}`, {
      where: { key: ref.key, file: configFile, plugin: ref.specifier },
      fix: 'reinstall or build the package, or make its package.json "exports" (or "main") name its entry for "import"',
    });
  }
}

function loadFailure(ref: PluginReference, origin: string, file: string, configFile: string | undefined, error: unknown): HotstandbyError {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
  const missing = /Cannot find (?:package|module) '([^']+)'/.exec(message)?.[1];
  const fix =
    error instanceof TypeScriptLoaderMissing
      ? error.fix
      : missing?.startsWith('@hotstandby/')
        ? `the plugin imports ${missing}, which is not installed where the plugin can find it: run npm install --save-dev ${missing} in ${ref.baseDir} (or in the plugin's package)`
        : missing
          ? `install ${missing} where the plugin can find it, or fix the import`
          : 'fix the error in the plugin module (--verbose shows its stack trace)';
  return new HotstandbyError('PLUGIN_INVALID', `the plugin ${origin} (${ref.key} in ${configName(configFile)}) failed to load: ${message}`, {
    where: { key: ref.key, file: configFile, plugin: file === origin ? origin : `${origin} (${file})` },
    fix,
    cause: error,
  });
}

function configName(configFile: string | undefined): string {
  return configFile ?? 'the config';
}
