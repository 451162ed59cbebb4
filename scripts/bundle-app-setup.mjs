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
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWithEngine } from './bundle-cli.mjs';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const APP_SOURCES = path.join(REPO_ROOT, 'packages', 'testing', 'src', 'app');

// Where the published bundle goes: the package's exports name these files.
export const APP_SETUP_OUTDIR = path.join(REPO_ROOT, 'packages', 'testing', 'dist', 'bundle');
// The bundled entries: each is `./<name>` in the package's exports and `<name>.js` in the bundle.
export const APP_SETUP_ENTRIES = ['vitest-setup', 'jest-setup', 'jest-teardown'];

// Bundle the setup entries into outdir (mode "sources", which also writes METAFILE, or "published"). outdir must be
// empty or not exist, except the published one, which is emptied first. Returns the path of each entry's file.
export async function bundleAppSetup({ outdir, mode }) {
  await bundleWithEngine({
    what: 'bundleAppSetup',
    outdir,
    mode,
    publishedOutdir: APP_SETUP_OUTDIR,
    entryPoints: Object.fromEntries(APP_SETUP_ENTRIES.map((name) => [name, path.join(APP_SOURCES, `${name}.ts`)])),
  });
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
