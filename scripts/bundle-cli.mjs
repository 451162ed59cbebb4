// Bundles the `hotstandby` command (packages/cli/src/bin.ts) with esbuild into a few ES module files: an entry
// that loads only commander and the command definitions (--version, --help), and chunks loaded when a command
// runs. The engine (@hotstandby/core), the built-in plugins and their third-party dependencies are bundled too,
// so a command loads a handful of files instead of ~400 modules.
//
// Two layouts, one rule: in the bundle, `import.meta.url` of every workspace module is the URL that module has
// without a bundle, so files it reads relative to itself (core's config/default.json and esm-hooks.mjs, the CLI's
// package.json, the packages beside it) are found as before:
// - "sources" (the e2e tests): the module's TypeScript source in this checkout, bundled fresh per test run;
// - "published" (`pnpm build`): the module's compiled file in its package's dist/ (the CLI's next to the bundle,
//   the engine's and the plugins' in their installed packages), found from the bundle at run time.
// The bundle also sets `import.meta.hotstandbyBundle` (undefined without a bundle): where the bundle's own copy of
// @hotstandby/core is, so user plugins and configs that import it share the running CLI's instance.
//
// Command line: node scripts/bundle-cli.mjs [published|sources OUTDIR]
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI_DIR = path.join(REPO_ROOT, 'packages', 'cli');

// Where the published bundle goes (shipped in the CLI package's dist/, beside tsc's output it reads files from).
export const PUBLISHED_OUTDIR = path.join(CLI_DIR, 'dist', 'bundle');
// The file names of the bundle's two entries: the command, and the engine user plugins import.
export const BIN_FILE = 'hotstandby.js';
const CORE_FILE = 'hotstandby-core.js';
// esbuild's account of the "sources" bundle (inputs of each output file), beside it.
export const METAFILE = 'metafile.json';

// Optional dependencies of bundled packages that hotstandby never uses (pg's native driver, cosmiconfig's
// TypeScript loader, which hotstandby replaces with tsx): left as imports that are never reached.
const NEVER_LOADED = ['pg-native', 'typescript'];

// Bundle the CLI into outdir. mode "sources" (also writes METAFILE) or "published". outdir must be empty or
// not exist, except the published one, which is emptied first (it holds nothing but the previous bundle).
// Returns the entry's path.
export async function bundleCli({ outdir, mode }) {
  await bundleWithEngine({
    what: 'bundleCli',
    outdir,
    mode,
    publishedOutdir: PUBLISHED_OUTDIR,
    entryPoints: { [BIN_FILE.replace(/\.js$/, '')]: path.join(CLI_DIR, 'src', 'bin.ts') },
    extraPlugins: [engineWithoutZod()],
  });
  return path.join(outdir, BIN_FILE);
}

// Bundle entries together with the engine's own entry (CORE_FILE, which user plugins and configs import), the way
// every hotstandby bundle is made: ES modules with shared chunks, the workspace from its TypeScript sources with
// each module's unbundled `import.meta.url`, and `import.meta.hotstandbyBundle` naming the bundle's engine. outdir
// must be empty or not exist, except publishedOutdir, which is emptied first. `what` names the caller in errors.
export async function bundleWithEngine({ what, outdir, mode, publishedOutdir, entryPoints, extraPlugins = [] }) {
  if (mode !== 'sources' && mode !== 'published') throw new Error(`${what}: mode must be "sources" or "published", not ${mode}`);
  if (path.resolve(outdir) === publishedOutdir) await rm(outdir, { recursive: true, force: true });
  else if (existsSync(outdir) && readdirSync(outdir).length > 0) {
    throw new Error(`${what}: ${outdir} is not empty; bundle into an empty or new directory (nothing was written)`);
  }
  await mkdir(outdir, { recursive: true });
  const result = await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: { ...entryPoints, [CORE_FILE.replace(/\.js$/, '')]: path.join(REPO_ROOT, 'packages', 'core', 'src', 'index.ts') },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    // The workspace packages from their TypeScript sources, as the tests and tsc see them.
    conditions: ['source'],
    external: NEVER_LOADED,
    // The published bundle keeps the license comments of the code it includes (at the end of each file).
    legalComments: mode === 'published' ? 'eof' : 'none',
    logLevel: 'warning',
    plugins: [moduleUrls(mode), nodeOnlyPg(), englishOnlyZod(), ...extraPlugins],
    define: { 'import.meta.hotstandbyBundle': '__hotstandbyBundle' },
    metafile: mode === 'sources',
    banner: {
      js: [
        // Bundled CommonJS dependencies call require() (Node's built-ins, their own files).
        "import { createRequire as __hotstandbyCreateRequire } from 'node:module';",
        'const require = __hotstandbyCreateRequire(import.meta.url);',
        `const __hotstandbyBundle = { coreEntry: new URL(${JSON.stringify(`./${CORE_FILE}`)}, import.meta.url).href };`,
      ].join('\n'),
    },
  });
  // For the tests: which source files went into which output file.
  if (result.metafile) await writeFile(path.join(outdir, METAFILE), JSON.stringify(result.metafile));
}

// esbuild plugin: replaces `import.meta.url` in each workspace source file by the URL the module has unbundled.
function moduleUrls(mode) {
  return {
    name: 'hotstandby-module-urls',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        const relative = path.relative(REPO_ROOT, args.path);
        if (relative.startsWith('..') || relative.split(path.sep).includes('node_modules')) return undefined;
        const source = await readFile(args.path, 'utf8');
        if (!source.includes('import.meta.url')) return { contents: source, loader: 'ts' };
        return { contents: source.replaceAll('import.meta.url', unbundledUrl(args.path, mode)), loader: 'ts' };
      });
    },
  };
}

// esbuild plugin: pg decides at load whether it runs on Cloudflare Workers by constructing a Response, which on
// Node 20 (no navigator global) loads Node's whole fetch implementation, ~80 ms of every command's start. The
// bundle runs on Node only, so the check answers false at once.
function nodeOnlyPg() {
  const check = 'function isCloudflareRuntime() {';
  return {
    name: 'hotstandby-node-only-pg',
    setup(build) {
      build.onLoad({ filter: /[\\/]node_modules[\\/](\.pnpm[\\/][^\\/]+[\\/]node_modules[\\/])?pg[\\/]lib[\\/]stream\.js$/ }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        if (!source.includes(check)) {
          return { contents: source, loader: 'js', warnings: [{ text: `${check} not found: pg changed; its Cloudflare check is left as it is` }] };
        }
        return { contents: source.replace(check, `${check}\n  return false;`), loader: 'js' };
      });
    },
  };
}

// esbuild plugin: zod's classic API and its core re-export every one of its ~50 message locales (`z.locales`,
// `z.core.locales`), about 370 KB of the engine's 1.7 MB that every command would compile at start. hotstandby's
// messages are English, and zod uses English unless told otherwise, so in the bundle both hold `en` only (a
// plugin that wants another locale imports it from zod itself: `import fr from 'zod/v4/locales/fr.js'`).
function englishOnlyZod() {
  return {
    name: 'hotstandby-english-only-zod',
    setup(build) {
      build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
        if (!/[\\/]zod[\\/]v4[\\/](classic[\\/]external|core[\\/]index)\.js$/.test(args.importer)) return undefined;
        return { path: path.join(path.dirname(args.importer), '..', 'locales', 'index.js'), namespace: 'zod-english-locales' };
      });
      build.onLoad({ filter: /.*/, namespace: 'zod-english-locales' }, (args) => ({
        contents: `export { default as en } from ${JSON.stringify(path.join(path.dirname(args.path), 'en.js'))};`,
        loader: 'js',
        resolveDir: path.dirname(args.path),
      }));
    },
  };
}

// esbuild plugin: zod (the config's and the steps' schemas) is the largest part of the engine, and a command that
// finds its config already validated (core's spec-cache.ts) and runs no step (status) needs none of it. The CLI's
// own imports of @hotstandby/core therefore get core's index without the exports that are zod or validate with it
// (the library's entry and the steps get all of it, the same modules), so esbuild leaves zod, the config schema and
// resolveConfig to files loaded when a config is validated or a step is loaded. The rest of the engine must not
// import those modules: the startup-bundle test checks that status loads no zod.
const SCHEMA_MODULES = ['zod', './config/config-schema.js', './config/json-schema.js', './config/resolve-config.js'];
// What index.ts exports from them and the CLI's bundle leaves out; anything else they export fails the build.
const ZOD_EXPORTS = ['z', 'configSchema', 'defineConfig', 'configFromObject', 'configJsonSchema', 'DEFAULT_REPLICATION_PASSWORD_ENV', 'DEFAULT_SUPERUSER_PASSWORD_ENV'];
function engineWithoutZod() {
  const coreSources = path.join(REPO_ROOT, 'packages', 'core', 'src');
  const cliSources = path.join(CLI_DIR, 'src') + path.sep;
  return {
    name: 'hotstandby-engine-without-zod',
    setup(build) {
      build.onResolve({ filter: /^@hotstandby\/core$/ }, (args) =>
        args.importer.startsWith(cliSources) ? { path: 'hotstandby-engine', namespace: 'engine-without-zod' } : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: 'engine-without-zod' }, async () => {
        const index = await readFile(path.join(coreSources, 'index.ts'), 'utf8');
        const errors = [];
        const left = new Set();
        const contents = index.replace(/^export \{([^}]*)\} from '([^']+)';$/gm, (statement, names, from) => {
          if (!SCHEMA_MODULES.includes(from)) return statement;
          for (const name of names
            .split(',')
            .map((n) => n.trim())
            .filter((n) => n && !n.startsWith('type '))) {
            if (ZOD_EXPORTS.includes(name)) left.add(name);
            else
              errors.push({
                text: `core's index exports ${name} from ${from}, which the CLI's bundle leaves out: export it from a module without zod, or add it to ZOD_EXPORTS in scripts/bundle-cli.mjs`,
              });
          }
          return '';
        });
        const missing = ZOD_EXPORTS.filter((name) => !left.has(name));
        if (missing.length) errors.push({ text: `core's index no longer exports ${missing.join(', ')} from ${SCHEMA_MODULES.join(', ')}: update scripts/bundle-cli.mjs` });
        return errors.length ? { errors } : { contents, loader: 'ts', resolveDir: coreSources };
      });
    },
  };
}

// The JavaScript expression for a source file's unbundled URL.
function unbundledUrl(file, mode) {
  if (mode === 'sources') return JSON.stringify(pathToFileURL(file).href);
  const packageDir = packageDirOf(file);
  const compiled = path.relative(path.join(packageDir, 'src'), file).replace(/\.ts$/, '.js').split(path.sep).join('/');
  if (packageDir === CLI_DIR) {
    // The CLI's dist/ is the bundle directory's parent.
    return `new URL(${JSON.stringify(`../${compiled}`)}, import.meta.url).href`;
  }
  // Another package: where it is installed, as the CLI resolves it.
  return `new URL(${JSON.stringify(`dist/${compiled}`)}, import.meta.resolve(${JSON.stringify(`${packageNameOf(packageDir)}/package.json`)})).href`;
}

function packageDirOf(file) {
  const parts = path.relative(REPO_ROOT, file).split(path.sep);
  if (!['packages', 'plugins'].includes(parts[0]) || parts[2] !== 'src') throw new Error(`bundleCli: ${file} is not in a workspace package's src/`);
  return path.join(REPO_ROOT, parts[0], parts[1]);
}

const packageNames = new Map();
function packageNameOf(packageDir) {
  if (!packageNames.has(packageDir)) {
    packageNames.set(packageDir, JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')).name);
  }
  return packageNames.get(packageDir);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [mode = 'published', outdir] = process.argv.slice(2);
  const started = Date.now();
  try {
    const bin = await bundleCli({ mode, outdir: outdir ? path.resolve(outdir) : PUBLISHED_OUTDIR });
    console.log(`bundled ${path.relative(process.cwd(), bin)} (${mode}) in ${Date.now() - started} ms`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
}
