import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CLI_BUNDLE } from './cli-bundle.js';
import { resolvePackage } from './resolve-package.js';

// The part of tsx's ESM API hotstandby uses (typed here, so hotstandby's own types never depend on tsx).
export interface TypeScriptLoader {
  // Import a TypeScript module in its own namespace, leaving the rest of the process untouched.
  tsImport(specifier: string, parentURL: string): Promise<unknown>;
  // Let every later import() load TypeScript.
  register(): unknown;
}

// True when hotstandby itself runs from TypeScript sources (this checkout, under tsx or vitest): a TypeScript
// loader is active already. The built package and the bundled CLI (also one bundled from the sources) run
// JavaScript and load tsx only for a user's .ts file.
export const RUNNING_FROM_TYPESCRIPT = import.meta.url.endsWith('.ts') && CLI_BUNDLE === undefined;

// A user's TypeScript file (a config or a plugin) needs tsx, and neither its project nor hotstandby has it.
export class TypeScriptLoaderMissing extends Error {
  // How to get going: install tsx where the file is, or write the file in JavaScript.
  readonly fix: string;
  constructor(readonly file: string) {
    super(`${path.basename(file)} is TypeScript, and loading TypeScript needs tsx, which is not installed`);
    this.name = 'TypeScriptLoaderMissing';
    this.fix = `install the TypeScript loader next to it: npm install --save-dev tsx (in ${path.dirname(file)}), or write the file in JavaScript (.mjs or .js)`;
  }
}

let loader: Promise<TypeScriptLoader> | undefined;

// tsx (an optional peer dependency), imported only when a TypeScript file is loaded: from the file's own project
// first (where `npm install --save-dev tsx` puts it), else from beside hotstandby. JSON, YAML and JavaScript
// configs and plugins never load it.
export function typeScriptLoader(file: string): Promise<TypeScriptLoader> {
  if (loader) return loader;
  const found = [path.dirname(file), path.dirname(fileURLToPath(import.meta.url))].map((dir) => findTsx(dir)).find((entry) => entry !== undefined);
  if (!found) return Promise.reject(new TypeScriptLoaderMissing(file));
  loader = import(pathToFileURL(found).href) as Promise<TypeScriptLoader>;
  return loader;
}

function findTsx(fromDir: string): string | undefined {
  try {
    return resolvePackage('tsx/esm/api', fromDir)?.entry;
  } catch {
    return undefined;
  }
}
