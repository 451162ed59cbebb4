// Module hooks registered by import-module.ts (node:module register): plugin files outside node_modules load as
// ES modules when they are TypeScript (.ts) or JavaScript (.js) with import/export statements, also where no
// package.json says "type": "module" (a project folder with only a config and a steps/ directory). Without
// this, tsx would load such a file as CommonJS and Node would refuse the ES syntax in it. Relative imports
// between such files ("./helpers.js" for helpers.ts, as TypeScript writes them) are resolved here as well.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ESM_SYNTAX = /^\s*(import\s*[\w{*'"]|export\s+(default|const|let|var|function|async|class|\{|\*))/m;
const TS_FOR_JS = { '.js': '.ts', '.mjs': '.mts', '.cjs': '.cts' };

// Packages of the running hotstandby a plugin or config file may import without installing them ("@hotstandby/core"):
// a local file in a project that has no node_modules gets the host's copy, so it shares the host's instance.
let hostPackages = {};
// True when every import of those packages gets the host's copy, installed or not (the bundled CLI).
let alwaysHost = false;

// Receives { hostPackages: { name: url }, alwaysHost } from import-module.ts.
export function initialize(data) {
  hostPackages = data?.hostPackages ?? {};
  alwaysHost = data?.alwaysHost === true;
}

// Resolve relative imports of plugin files ourselves; decide the format of plugin files after the next resolver.
export async function resolve(specifier, context, nextResolve) {
  if (context.parentURL && isPluginFile(context.parentURL) && /^\.{1,2}\//.test(specifier)) {
    const url = resolveLocal(specifier, context.parentURL);
    if (url) return { url, format: formatOf(url), shortCircuit: true };
  }
  if (alwaysHost && hostPackages[specifier]) return { url: hostPackages[specifier], format: 'module', shortCircuit: true };
  let result;
  try {
    result = await nextResolve(specifier, context);
  } catch (error) {
    const host = hostPackages[specifier];
    if (host && context.parentURL && isUserFile(context.parentURL)) return { url: host, format: 'module', shortCircuit: true };
    throw error;
  }
  if (!isPluginFile(result.url) || result.format === 'module' || result.format === 'module-typescript') return result;
  const format = formatOf(result.url);
  return format ? { ...result, format } : result;
}

// A file of a plugin: a file: URL without a query, outside node_modules, with a TypeScript or JavaScript extension.
function isPluginFile(url) {
  return url.startsWith('file:') && !url.includes('?') && !url.includes('/node_modules/') && /\.(ts|js)$/.test(url);
}

// A user's own module (a plugin file, or a hotstandby.config.ts that tsx loads with a ?namespace query): a file:
// URL outside node_modules. Installed packages resolve their own dependencies and get no fallback.
function isUserFile(url) {
  return url.startsWith('file:') && !url.split('?')[0].includes('/node_modules/');
}

// "module" for .ts files and for .js files written with import/export; undefined otherwise (left to Node).
function formatOf(url) {
  if (url.endsWith('.ts')) return 'module';
  if (url.endsWith('.js') && looksLikeEsm(url)) return 'module';
  return undefined;
}

// The file a relative specifier means: itself, its TypeScript source (./x.js -> ./x.ts), or with an extension.
function resolveLocal(specifier, parentURL) {
  const base = new URL(specifier, parentURL);
  const ext = Object.keys(TS_FOR_JS).find((e) => base.pathname.endsWith(e));
  const candidates = ext
    ? [base.href.slice(0, -ext.length) + TS_FOR_JS[ext], base.href]
    : [base.href, `${base.href}.ts`, `${base.href}.js`, `${base.href}/index.ts`, `${base.href}/index.js`];
  return candidates.find((c) => isFile(c));
}

function isFile(url) {
  const file = fileURLToPath(url);
  return existsSync(file) && statSync(file).isFile();
}

function looksLikeEsm(url) {
  try {
    return ESM_SYNTAX.test(readFileSync(fileURLToPath(url), 'utf8'));
  } catch {
    return false;
  }
}
