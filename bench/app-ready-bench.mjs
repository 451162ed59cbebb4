// `pnpm bench:app-ready [runs]`: how long an application's test run waits for the cluster of @hotstandby/testing's
// vitest global setup (1 primary + 2 replicas), as an installed package gives it (the built dist/, loaded by Node).
// A report, not a timed assertion. Each of `runs` rounds (default 5) runs `vitest run` on a one-test project twice,
// taking turns: with the global setup and without it. Prints the medians and ranges of
// - ready: startAppCluster's readyMs (from the setup's start until every node is up and verified);
// - first test: from starting vitest until the first test runs, with and without the setup, and per round the
//   difference (what the setup adds before the first test: loading the kit and the engine, and ready), and that
//   difference minus ready (loading the setup and handing the cluster over).
// With --unbundled, a third run per round loads the setup from the package's unbundled dist/app/ files instead of
// its bundle (what each adds before the first test, side by side).
// The template cache lives in a temporary HOTSTANDBY_CACHE_DIR, warmed by one unmeasured run (as on any machine after
// the first run). Needs `pnpm build` first (the script does it) and, as root, the `postgres` OS user.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const vitest = path.join(repo, 'node_modules', 'vitest', 'vitest.mjs');
const unbundled = process.argv.includes('--unbundled');
const runsArg = process.argv.slice(2).find((a) => !a.startsWith('--'));
const runs = Number(runsArg ?? 5);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`bench:app-ready: runs must be a whole number of 1 or more (got ${runsArg})`);
  process.exit(2);
}

// A project as an application has it: @hotstandby/testing in node_modules (this checkout's package, linked), the
// one-line global setup file of docs/app-testing.md, and one test that says when it ran. preserveSymlinks keeps
// the linked package under node_modules for vitest, which then leaves it to Node, as for a package from the registry.
function makeProject(dir) {
  mkdirSync(path.join(dir, 'node_modules', '@hotstandby'), { recursive: true });
  symlinkSync(path.join(repo, 'packages', 'testing'), path.join(dir, 'node_modules', '@hotstandby', 'testing'));
  writeFileSync(path.join(dir, 'global-setup.mjs'), "export { default } from '@hotstandby/testing/vitest-setup';\n");
  // The same setup from the unbundled files (by path: the package exports only the bundle).
  const unbundledEntry = path.join(dir, 'node_modules', '@hotstandby', 'testing', 'dist', 'app', 'vitest-setup.js');
  writeFileSync(path.join(dir, 'global-setup-unbundled.mjs'), `export { default } from ${JSON.stringify(unbundledEntry)};\n`);
  writeFileSync(path.join(dir, 'first.test.mjs'), "test('first', () => { process.stdout.write(`FIRST_TEST_AT ${Date.now()}\\n`); });\n");
  for (const [variant, setup] of [
    ['with', 'global-setup.mjs'],
    ['unbundled', 'global-setup-unbundled.mjs'],
    ['without', undefined],
  ]) {
    const test = { globals: true, include: ['first.test.mjs'], ...(setup ? { globalSetup: [setup] } : {}) };
    writeFileSync(path.join(dir, `vitest.${variant}.config.mjs`), `export default ${JSON.stringify({ resolve: { preserveSymlinks: true }, test })};\n`);
  }
}

// Run vitest on the project with a variant's config (with, unbundled, without the setup); when its first test ran (ms
// after the start), the setup's readyMs, the whole run's wall time (with the setup: its teardown too).
function runVitest(dir, variant, env) {
  const withSetup = variant !== 'without';
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [vitest, 'run', '--config', `vitest.${variant}.config.mjs`], {
      cwd: dir,
      env: { ...env, HOTSTANDBY_APP_TIMING: '1', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const wall = Date.now() - started;
      const first = /FIRST_TEST_AT (\d+)/.exec(out);
      const ready = /cluster ready in (\d+) ms/.exec(out);
      if (code !== 0 || !first || (withSetup && !ready)) return reject(new Error(`vitest (${variant} the setup) failed (exit ${code}):\n${out}`));
      resolve({ firstTest: Number(first[1]) - started, ready: ready ? Number(ready[1]) : undefined, wall });
    });
  });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const seconds = (ms) => (ms / 1000).toFixed(2);
const row = (name, values) => `${name.padEnd(60)} ${seconds(median(values)).padStart(6)}   ${seconds(Math.min(...values))}–${seconds(Math.max(...values))}`;

const dir = mkdtempSync(path.join(os.tmpdir(), 'hotstandby-app-ready-'));
// The postgres OS user (servers run as it when root) must reach the template cache.
chmodSync(dir, 0o755);
const cacheDir = path.join(dir, 'cache');
mkdirSync(cacheDir);
const env = { ...process.env, HOTSTANDBY_CACHE_DIR: cacheDir };
try {
  makeProject(dir);
  const loadBefore = os.loadavg();
  // Warm-up: builds the template cache (and the OS's file cache) once.
  await runVitest(dir, 'with', env);
  const withSetup = [];
  const fromUnbundled = [];
  const without = [];
  for (let i = 0; i < runs; i++) {
    withSetup.push(await runVitest(dir, 'with', env));
    if (unbundled) fromUnbundled.push(await runVitest(dir, 'unbundled', env));
    without.push(await runVitest(dir, 'without', env));
  }
  const load = (l) => l.map((x) => x.toFixed(1)).join(' ');
  console.log(
    `1 primary + 2 replicas, ${runs} runs each, with${unbundled ? ', unbundled' : ''} and without the setup taking turns; load average ${load(loadBefore)} before, ${load(os.loadavg())} after\n`,
  );
  const adds = (runsOf) => runsOf.map((r, i) => r.firstTest - without[i].firstTest);
  // What the setup adds besides readyMs: loading the kit and the engine, handing the cluster over.
  const besidesReady = (runsOf) => runsOf.map((r, i) => r.firstTest - without[i].firstTest - r.ready);
  const rows = [
    ['ready (startAppCluster readyMs)', withSetup.map((r) => r.ready)],
    ['first test runs, with the setup (from vitest start)', withSetup.map((r) => r.firstTest)],
    ['first test runs, without the setup', without.map((r) => r.firstTest)],
    ['what the setup adds before the first test (per round)', adds(withSetup)],
    ['  of which besides ready (loading the setup, per round)', besidesReady(withSetup)],
    ['whole vitest run with the setup (teardown included)', withSetup.map((r) => r.wall)],
    ...(unbundled
      ? [
          ['unbundled setup: ready', fromUnbundled.map((r) => r.ready)],
          ['unbundled setup: adds before the first test (per round)', adds(fromUnbundled)],
          ['  of which besides ready (loading the setup, per round)', besidesReady(fromUnbundled)],
        ]
      : []),
  ];
  console.log(`${'WHAT'.padEnd(60)} MEDIAN s  RANGE s`);
  for (const [name, values] of rows) console.log(row(name, values));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
