// Bundles @hotstandby/testing's global setup entries (vitest-setup, jest-setup, jest-teardown) with esbuild, the
// engine (@hotstandby/core), the built-in steps and their third-party dependencies included: unbundled, Node loads
// ~400 modules for them before the cluster's start can begin, 0.45 s at load average 1 and 0.8 s at 4 on the test
// machine (bundled: 0.2 s and 0.25 s), in every test run's wait for its cluster.
// The entries share their chunks, so jest's setup and teardown share one engine; like the CLI's bundle it sets
// `import.meta.hotstandbyBundle`, so a config or plugin the setup loads (configFile) that imports @hotstandby/core
// gets the bundle's engine (one instance, one secret registry). Everything else of the package (the /app helpers
// the tests import in their own processes) stays unbundled.
//
// Layouts as scripts/bundle-cli.mjs's, with its plugins: `import.meta.url` of every workspace module is the URL it
// has without a bundle (files core reads relative to itself are found as before):
// - "sources" (the tests): the TypeScript sources of this checkout, into an empty directory, with esbuild's metafile;
// - "published" (`pnpm build`): into packages/testing/dist/bundle/, the engine's files found in its installed package.
//
// Command line: node scripts/bundle-app-setup.mjs [published|sources OUTDIR]
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { englishOnlyZod, METAFILE, moduleUrls, nodeOnlyPg } from './bundle-cli.mjs';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const APP_SOURCES = path.join(REPO_ROOT, 'packages', 'testing', 'src', 'app');

// Where the published bundle goes: the package's exports name these files.
export const APP_SETUP_OUTDIR = path.join(REPO_ROOT, 'packages', 'testing', 'dist', 'bundle');
// The bundled entries: each is `./<name>` in the package's exports and `<name>.js` in the bundle.
export const APP_SETUP_ENTRIES = ['vitest-setup', 'jest-setup', 'jest-teardown'];
// The bundle's own @hotstandby/core entry (loaded only when a config or plugin module imports the engine).
const CORE_FILE = 'hotstandby-core.js';

// Optional dependencies the kit never loads (pg's native driver, cosmiconfig's TypeScript loader).
const NEVER_LOADED = ['pg-native', 'typescript'];

// Bundle the setup entries into outdir (mode "sources", which also writes METAFILE, or "published"). outdir must be
// empty or not exist, except the published one, which is emptied first. Returns the path of each entry's file.
export async function bundleAppSetup({ outdir, mode }) {
  if (mode !== 'sources' && mode !== 'published') throw new Error(`bundleAppSetup: mode must be "sources" or "published", not ${mode}`);
  if (path.resolve(outdir) === APP_SETUP_OUTDIR) await rm(outdir, { recursive: true, force: true });
  else if (existsSync(outdir) && readdirSync(outdir).length > 0) {
    throw new Error(`bundleAppSetup: ${outdir} is not empty; bundle into an empty or new directory (nothing was written)`);
  }
  await mkdir(outdir, { recursive: true });
  const result = await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: {
      ...Object.fromEntries(APP_SETUP_ENTRIES.map((name) => [name, path.join(APP_SOURCES, `${name}.ts`)])),
      [CORE_FILE.replace(/\.js$/, '')]: path.join(REPO_ROOT, 'packages', 'core', 'src', 'index.ts'),
    },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    conditions: ['source'],
    external: NEVER_LOADED,
    legalComments: mode === 'published' ? 'eof' : 'none',
    logLevel: 'warning',
    plugins: [moduleUrls(mode), nodeOnlyPg(), englishOnlyZod()],
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
  if (result.metafile) await writeFile(path.join(outdir, METAFILE), JSON.stringify(result.metafile));
  return Object.fromEntries(APP_SETUP_ENTRIES.map((name) => [name, path.join(outdir, `${name}.js`)]));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [mode = 'published', outdir] = process.argv.slice(2);
  const started = Date.now();
  try {
    await bundleAppSetup({ mode, outdir: outdir ? path.resolve(outdir) : APP_SETUP_OUTDIR });
    console.log(`bundled @hotstandby/testing's setup entries (${mode}) in ${Date.now() - started} ms`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
}
