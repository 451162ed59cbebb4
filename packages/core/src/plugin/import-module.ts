import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { CLI_BUNDLE } from './cli-bundle.js';
import { RUNNING_FROM_TYPESCRIPT, typeScriptLoader } from './typescript-loader.js';

let hooksRegistered = false;
let typeScriptRegistered = RUNNING_FROM_TYPESCRIPT;

// Import a plugin module by absolute path. TypeScript works through the loader hotstandby runs under from its
// sources (tsx, or vite under vitest), else through tsx registered on the first .ts plugin (JavaScript plugins
// never load it); plugin files are ES modules even without "type": "module"; and a plugin file that imports
// @hotstandby/core without having it installed gets the running hotstandby's copy.
export async function importModule(file: string): Promise<unknown> {
  if (!typeScriptRegistered && /\.[cm]?ts$/.test(file)) {
    (await typeScriptLoader(file)).register();
    typeScriptRegistered = true;
  }
  useHostPackages();
  return import(pathToFileURL(file).href);
}

// From now on, a module that imports @hotstandby/core without having it installed (a plugin file, a
// hotstandby.config.ts in a project that only runs the CLI) gets the running hotstandby's copy. In the bundled
// CLI every import of it does (also an installed one's): the engine is inside the bundle, and a second copy
// would not share its state (the secrets to mask, above all).
export function useHostPackages(): void {
  if (hooksRegistered) return;
  // The package's entry next to this module: index.ts when running from sources, index.js in the built package.
  const entry = CLI_BUNDLE?.coreEntry ?? new URL(import.meta.url.endsWith('.ts') ? '../index.ts' : '../index.js', import.meta.url).href;
  register(new URL('./esm-hooks.mjs', import.meta.url), { data: { hostPackages: { '@hotstandby/core': entry }, alwaysHost: CLI_BUNDLE !== undefined } });
  hooksRegistered = true;
}

// The value a plugin module exports: its default export (unwrapping the { default } a CommonJS build adds).
export function defaultExport(mod: unknown): unknown {
  if (!isObject(mod) || !('default' in mod)) return undefined;
  let value = mod.default;
  for (let i = 0; i < 2 && isObject(value) && 'default' in value && Object.keys(value).every((k) => k === 'default' || k === '__esModule'); i++) value = value.default;
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
