// @hotstandby/testing's global setup entries as the package publishes them: bundled with the engine, so a test
// run's wait for its cluster does not start with Node loading ~400 modules; and the bundle still starts the cluster,
// hands it to the tests and removes it, for vitest (ES module) and jest (require from CommonJS).
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isPortFree } from '@hotstandby/core';
import type { AppClusterInfo } from '@hotstandby/testing/app';
// @ts-expect-error: a plain ES module of the repository's scripts, without type declarations.
import { APP_SETUP_ENTRIES, bundleAppSetup } from '../scripts/bundle-app-setup.mjs';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
// Preloaded with --import: prints the URL of every file module Node loads to stderr, one "LOADED url" per line.
const LOG_LOADS = fileURLToPath(new URL('./support/log-module-loads.mjs', import.meta.url));

// The environment of a process that runs a setup: this one's, without a cluster handed down to it.
function setupEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && key !== 'HOTSTANDBY_APP_CLUSTER') env[key] = value;
  return env;
}

// The cluster a setup printed (its HOTSTANDBY_APP_CLUSTER line) once its teardown was done.
function printedCluster(stdout: string): AppClusterInfo {
  const line = stdout.split('\n').find((l) => l.startsWith('CLUSTER '));
  if (!line) throw new Error(`the setup printed no cluster:\n${stdout}`);
  return JSON.parse(line.slice('CLUSTER '.length)) as AppClusterInfo;
}

// Run a script that starts and tears down a cluster through setup files (as module or commonjs, the files as its
// arguments), and return the cluster it printed.
async function clusterOfSetupScript(inputType: 'module' | 'commonjs', script: string, files: string[]): Promise<AppClusterInfo> {
  const result = await execa(process.execPath, [`--input-type=${inputType}`, '-e', script, ...files], { env: setupEnv(), extendEnv: false, reject: false, encoding: 'utf8' });
  expect(result.exitCode, String(result.stderr)).toBe(0);
  return printedCluster(String(result.stdout));
}

// What a teardown must leave: no server on any node's port, and not the run's directory.
async function expectRemoved(info: AppClusterInfo): Promise<void> {
  for (const node of info.env.nodes) expect(await isPortFree(node.port), `port of ${node.name}`).toBe(true);
  expect(existsSync(path.dirname(info.configFile)), 'the run directory removed').toBe(false);
}

describe("@hotstandby/testing's bundled global setup", () => {
  let outdir: string;
  let entries: Record<string, string>;

  beforeAll(async () => {
    outdir = await mkdtemp(path.join(os.tmpdir(), 'hotstandby-app-setup-bundle-'));
    entries = (await bundleAppSetup({ outdir, mode: 'sources' })) as Record<string, string>;
  });
  afterAll(async () => {
    if (outdir) await rm(outdir, { recursive: true, force: true });
  });

  test('the package exports each setup entry from the bundle', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'packages', 'testing', 'package.json'), 'utf8')) as {
      exports: Record<string, Record<string, string>>;
      publishConfig: { exports: Record<string, Record<string, string>> };
    };
    expect(APP_SETUP_ENTRIES).toEqual(['vitest-setup', 'jest-setup', 'jest-teardown']);
    for (const name of APP_SETUP_ENTRIES as string[]) {
      expect(path.basename(entries[name]!)).toBe(`${name}.js`);
      for (const exports of [pkg.exports, pkg.publishConfig.exports]) {
        expect(exports[`./${name}`], name).toMatchObject({ import: `./dist/bundle/${name}.js`, default: `./dist/bundle/${name}.js` });
      }
    }
  });

  test('loading a setup entry loads the engine from a handful of bundle files, none of its modules one by one', async () => {
    for (const name of APP_SETUP_ENTRIES as string[]) {
      const result = await execa(process.execPath, ['--import', LOG_LOADS, '--input-type=module', '-e', 'await import(process.argv[1]);', entries[name]!], {
        reject: false,
        encoding: 'utf8',
      });
      expect(result.exitCode, String(result.stderr)).toBe(0);
      const loaded = String(result.stderr)
        .split('\n')
        .filter((l) => l.startsWith('LOADED '))
        .map((l) => fileURLToPath(l.slice('LOADED '.length)));
      expect(
        loaded.filter((file) => path.dirname(file) !== outdir && !file.startsWith(path.dirname(LOG_LOADS))),
        name,
      ).toEqual([]);
      expect(loaded.length, name).toBeLessThan(12);
    }
  });

  test('the bundled vitest setup starts 1 primary + 2 replicas, hands them over in the environment, and its teardown removes them', async () => {
    const script = [
      'const { default: setup, appGlobalSetup } = await import(process.argv[1]);',
      "if (typeof appGlobalSetup !== 'function') throw new Error('no appGlobalSetup beside the default setup');",
      'const teardown = await setup();',
      'const info = process.env.HOTSTANDBY_APP_CLUSTER;',
      'await teardown();',
      'process.stdout.write(`CLUSTER ${info}\\n`);',
    ].join('\n');
    const info = await clusterOfSetupScript('module', script, [entries['vitest-setup']!]);
    expect(info.env.nodes.map((n) => [n.name, n.role])).toEqual([
      ['primary', 'primary'],
      ['replica1', 'standby'],
      ['replica2', 'standby'],
    ]);
    await expectRemoved(info);
  });

  test("jest's setup and teardown, required from CommonJS as jest loads them, share the cluster and remove it; the setup takes options", async () => {
    const script = [
      '(async () => {',
      '  const setup = require(process.argv[1]);',
      '  const teardown = require(process.argv[2]);',
      "  if (typeof setup.default !== 'function' || teardown.default !== teardown.jestGlobalTeardown) throw new Error('the default exports are not the setup and teardown');",
      '  await setup.jestGlobalSetup({ replicas: 1 })();',
      '  const info = process.env.HOTSTANDBY_APP_CLUSTER;',
      '  await teardown.default();',
      '  process.stdout.write(`CLUSTER ${info}\\n`);',
      '})().catch((e) => { console.error(e); process.exit(1); });',
    ].join('\n');
    const info = await clusterOfSetupScript('commonjs', script, [entries['jest-setup']!, entries['jest-teardown']!]);
    expect(info.env.nodes.map((n) => n.role)).toEqual(['primary', 'standby']);
    await expectRemoved(info);
  });
});
