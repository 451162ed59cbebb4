import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cosmiconfig, type Loader } from 'cosmiconfig';
import { useHostPackages } from '../plugin/import-module.js';
import { TypeScriptLoaderMissing, typeScriptLoader } from '../plugin/typescript-loader.js';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { ClusterSpec } from './cluster-spec.js';
import { DEFAULT_CONFIG_PATH, readDefaultConfig } from './default-config.js';
import type { ConfigSource } from './cluster-spec.js';
import { resolveConfigCached } from './spec-cache.js';

// How to find the config.
export interface LoadConfigOptions {
  // An explicit file (--config); relative to cwd.
  configPath?: string;
  // Where discovery starts and what relative CLI paths mean (default process.cwd()).
  cwd?: string;
  // Keep the resolved spec in the state directory (when it exists) and use it while the config is unchanged, so
  // zod is not loaded to validate it again (hotstandby status, a quick command run often). Off: validate each time.
  rememberResolved?: boolean;
}

// The module name cosmiconfig searches for: hotstandby.config.*, .hotstandbyrc*, package.json "hotstandby".
export const CONFIG_MODULE_NAME = 'hotstandby';

const SEARCH_PLACES = [
  'package.json',
  '.hotstandbyrc',
  '.hotstandbyrc.json',
  '.hotstandbyrc.yaml',
  '.hotstandbyrc.yml',
  '.hotstandbyrc.js',
  '.hotstandbyrc.mjs',
  '.hotstandbyrc.ts',
  'hotstandby.config.json',
  'hotstandby.config.yaml',
  'hotstandby.config.yml',
  'hotstandby.config.js',
  'hotstandby.config.mjs',
  'hotstandby.config.cjs',
  'hotstandby.config.ts',
  'hotstandby.config.mts',
];

// TypeScript configs load through tsx (imported only then), so users need no build step.
const loadTypeScript: Loader = async (filepath) => {
  const { tsImport } = await typeScriptLoader(filepath);
  useHostPackages();
  return unwrapDefault(await tsImport(pathToFileURL(filepath).href, import.meta.url));
};

// The config a module exports: its default export, also when a CommonJS build wraps it twice
// ({ default: { default: config } }, as tsx produces in a project without "type": "module").
function unwrapDefault(mod: unknown): unknown {
  let value = mod;
  for (let i = 0; i < 3; i++) {
    if (value && typeof value === 'object' && 'default' in value && Object.keys(value).every((k) => k === 'default' || k === '__esModule' || k === 'module.exports')) {
      value = (value as { default: unknown }).default;
    } else break;
  }
  return value;
}

const loadModule: Loader = async (filepath) => {
  useHostPackages();
  return unwrapDefault(await import(pathToFileURL(filepath).href));
};

function explorer() {
  return cosmiconfig(CONFIG_MODULE_NAME, {
    searchPlaces: SEARCH_PLACES,
    searchStrategy: 'project',
    loaders: { '.ts': loadTypeScript, '.mts': loadTypeScript, '.mjs': loadModule, '.js': loadModule },
    cache: false,
  });
}

// Find, read and validate the config: --config, else discovery from cwd, else the built-in default.
export async function loadConfig(options: LoadConfigOptions = {}): Promise<ClusterSpec> {
  const cwd = options.cwd ?? process.cwd();
  const resolve = async (raw: unknown, source: ConfigSource): Promise<ClusterSpec> =>
    options.rememberResolved ? resolveConfigCached(raw, source) : (await import('./resolve-config.js')).resolveConfig(raw, source);
  if (options.configPath) {
    const file = path.resolve(cwd, options.configPath);
    if (!existsSync(file) || !statSync(file).isFile()) {
      throw new HotstandbyError('CONFIG_NOT_FOUND', `config file ${file} does not exist`, {
        where: { file },
        fix: 'check the path given to --config (relative paths are relative to your current directory)',
      });
    }
    const result = await readConfigFile(() => explorer().load(file), file);
    return resolve(result?.config ?? {}, { kind: 'file', path: file, dir: path.dirname(file) });
  }
  const found = await readConfigFile(() => explorer().search(cwd), cwd);
  if (found && !found.isEmpty) {
    refuseSecondConfigFile(found.filepath);
    return resolve(found.config, { kind: 'file', path: found.filepath, dir: path.dirname(found.filepath) });
  }
  return resolve(readDefaultConfig(), { kind: 'default', path: undefined, dir: cwd });
}

// Two config files side by side (hotstandby.config.json and .yaml, say): which one wins is a rule nobody remembers,
// so discovery refuses to guess. package.json is not counted: its "hotstandby" key is found only when no file is.
function refuseSecondConfigFile(found: string): void {
  const dir = path.dirname(found);
  const others = SEARCH_PLACES.filter((name) => name !== 'package.json' && path.join(dir, name) !== found && existsSync(path.join(dir, name)));
  if (others.length === 0) return;
  throw new HotstandbyError('CONFIG_CONFLICT', `${dir} holds more than one hotstandby config: ${path.basename(found)} and ${others.join(', ')}`, {
    where: { file: found },
    fix: `keep one of them, or choose one with --config ${path.basename(found)}`,
  });
}

async function readConfigFile<T>(read: () => Promise<T>, where: string): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof TypeScriptLoaderMissing) {
      throw new HotstandbyError('CONFIG_PARSE', `cannot read config ${error.file}: ${error.message}`, { where: { file: error.file }, fix: error.fix });
    }
    const { file, reason, frame } = parseFailure(error as Error & { filepath?: string; codeFrame?: string }, where);
    const missing = /Cannot find (package|module) '([^']+)'/.exec(reason)?.[2];
    throw new HotstandbyError('CONFIG_PARSE', `cannot read config ${file}: ${reason}`, {
      where: { file },
      detail: frame,
      fix: missing
        ? `install ${missing} where the config can import it (npm install --save-dev ${missing}), or drop the import`
        : frame
          ? 'fix the syntax of the config file at the place shown'
          : /end of (JSON )?input/i.test(reason)
            ? `${path.basename(file)} ends before its content is complete: a closing } or ] is missing`
            : `fix the syntax of ${path.basename(file)}`,
      cause: error,
    });
  }
}

// The file, the parser's reason and the code frame from a loader error (cosmiconfig puts the frame in the message).
function parseFailure(error: Error & { filepath?: string; codeFrame?: string }, where: string): { file: string; reason: string; frame?: string } {
  const file = error.filepath ?? where;
  // The code frame is coloured when the environment asks for colour (CI=true, FORCE_COLOR); colour is noise here.
  const plain = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');
  const lines = plain(error.message).split('\n');
  const frameLines = lines.filter((l) => /^\s*(>\s*)?\d+\s*\||^\s*\|/.test(l));
  const reason =
    lines
      .map((l) =>
        l
          .replace(/^(JSON|YAML) Error in [^:]+:\s*/, '')
          .replace(/ while parsing .*$/, '')
          .trim(),
      )
      .find((l) => l !== '' && !frameLines.includes(l) && !/^\s*(>\s*)?\d+\s*\|/.test(l) && !/^\|/.test(l)) ?? error.message;
  return { file, reason, frame: error.codeFrame ? plain(error.codeFrame) : frameLines.length ? frameLines.join('\n') : undefined };
}

export { DEFAULT_CONFIG_PATH };
