// `hotstandby plugin new NAME`: a plugin package whose own test (against a real PostgreSQL, through
// @hotstandby/testing) passes as generated, which typechecks, and which a config can load straight away.
import { existsSync, lstatSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { describeRun, parseJson, REPO_ROOT, runProgram } from './support/cli.js';
import { expectUserError } from './support/cluster-json.js';
import { listTree } from './support/files.js';
import { clusterConfig, createProject, type Project } from './support/project.js';
import { expectJsonError, jsonResult } from './support/json-output.js';
import type { PluginNewJson } from 'hotstandby';

// What the README says to run in the new package, as a user runs it: npm with the registry (--prefer-offline
// reuses npm's cache; the lookups that remain are for vitest, typescript and @types/node).
function npm(dir: string, args: readonly string[]) {
  return runProgram('npm', args, { cwd: dir, timeoutMs: 50_000, env: { NO_COLOR: '1', FORCE_COLOR: undefined } });
}

async function scaffold(project: Project, name = 'demo-step'): Promise<string> {
  const result = await project.run(['plugin', 'new', name, '--dir', 'plugins/demo']);
  expect(result.code, describeRun(result)).toBe(0);
  expect(result.stdout).toContain(`Created hotstandby-plugin-${name} in plugins/demo:`);
  expect(result.stdout).toContain(
    `Dependencies: @hotstandby/core and @hotstandby/testing come from the hotstandby checkout at ${REPO_ROOT.replace(/\/$/, '')} (file: dependencies, which npm links`,
  );
  return project.path('plugins', 'demo');
}

describe('hotstandby plugin new', () => {
  test('scaffolds a package whose test passes against a real PostgreSQL as generated, and which typechecks', async () => {
    const project = await createProject('hotstandby-e2e-scaffold-');
    const dir = await scaffold(project);
    expect(listTree(dir)).toEqual(['.gitignore', 'README.md', 'package.json', 'src', 'src/index.ts', 'test', 'test/demo-step.test.ts', 'tsconfig.json', 'vitest.config.ts']);
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | string>;
    expect(pkg).toMatchObject({ name: 'hotstandby-plugin-demo-step', type: 'module', exports: { '.': './src/index.ts' } });
    // This hotstandby runs from a checkout, whose packages are on no registry: the package links them.
    expect(pkg.dependencies).toEqual({ '@hotstandby/core': `file:${path.join(REPO_ROOT, 'packages', 'core')}` });
    expect(pkg.devDependencies).toMatchObject({ '@hotstandby/testing': `file:${path.join(REPO_ROOT, 'packages', 'testing')}`, vitest: expect.stringMatching(/^\^4/) });
    const source = readFileSync(path.join(dir, 'src', 'index.ts'), 'utf8');
    expect(source).toMatch(/^import \{[^}]+\} from '@hotstandby\/core';$/m);
    expect(source.match(/from '([^']+)'/g)).toEqual(["from '@hotstandby/core'"]);
    const readme = readFileSync(path.join(dir, 'README.md'), 'utf8');
    expect(readme).toContain('"plugins": ["hotstandby-plugin-demo-step"]');
    expect(readme).toContain(`come from the hotstandby checkout at ${REPO_ROOT.replace(/\/$/, '')} (file: dependencies`);

    // Exactly what the README says: npm install, npm test, npm run typecheck.
    expect(readme).toMatch(/npm install\nnpm test .*\nnpm run typecheck\n/);
    const install = await npm(dir, ['install', '--no-audit', '--no-fund', '--prefer-offline']);
    expect(install.code, describeRun(install)).toBe(0);
    const linked = path.join(dir, 'node_modules', '@hotstandby', 'core');
    expect(lstatSync(linked).isSymbolicLink() && realpathSync(linked)).toBe(path.join(REPO_ROOT, 'packages', 'core'));
    const tests = await npm(dir, ['test']);
    expect(tests.code, describeRun(tests)).toBe(0);
    expect(tests.stdout.replace(/\x1b\[[0-9;]*m/g, ''), describeRun(tests)).toMatch(/Tests\s+1 passed \(1\)/);
    const types = await npm(dir, ['run', 'typecheck']);
    expect(types.code, describeRun(types)).toBe(0);
  });

  test('the new package loads from a config as a directory path, placed before base-backup', async () => {
    const project = await createProject('hotstandby-e2e-scaffold-');
    // No npm install: a plugin importing @hotstandby/core finds the running hotstandby's own copy. (Scaffolded
    // with --json: the document names the package, its directory and files.)
    const created = jsonResult<PluginNewJson>(await project.run(['plugin', 'new', 'demo-step', '--dir', 'plugins/demo', '--json']));
    const dir = project.path('plugins', 'demo');
    expect(created).toEqual({
      dir,
      packageName: 'hotstandby-plugin-demo-step',
      files: expect.arrayContaining(['src/index.ts', 'README.md', 'package.json']),
      source: expect.objectContaining({ kind: 'checkout' }),
    });
    expect(listTree(dir)).toEqual(expect.arrayContaining(created.files));
    await project.writeConfig('hotstandby.config.json', await clusterConfig({ plugins: ['./plugins/demo'], steps: { 'demo-step': { schema: 'app' } } }));
    const result = await project.run(['plugins', '--json']);
    expect(result.code, describeRun(result)).toBe(0);
    const steps = parseJson<{ steps: { name: string; origin: string; placement: string }[] }>(result).steps;
    expect(steps.map((s) => s.name)).toEqual(['user-creation', 'hba-config', 'wal-config', 'demo-step', 'base-backup', 'recovery-config', 'verify']);
    expect(steps[3]).toMatchObject({ origin: `hotstandby-plugin-demo-step@0.1.0 (${dir})`, placement: 'before/after' });
    const dryRun = await project.run(['up', '--dry-run']);
    expect(dryRun.code, describeRun(dryRun)).toBe(0);
    expect(dryRun.stdout, describeRun(dryRun)).toMatch(/── demo-step · primary\n\s+\[primary\] SQL: CREATE SCHEMA "app"/);
  });

  test("refuses a name that is not a step name, a built-in step's name, and a directory that is not empty, writing nothing", async () => {
    const project = await createProject('hotstandby-e2e-scaffold-');
    expectUserError(await project.run(['plugin', 'new', 'Demo_Step']), ['"Demo_Step" is not a step name', '(PLUGIN_SCAFFOLD)']);
    // The template is a primary step before base-backup: under a built-in's name it could not load.
    expectUserError(await project.run(['plugin', 'new', 'verify']), [
      '"verify" is the name of a built-in step (built-in steps: user-creation, hba-config, wal-config, base-backup, recovery-config, verify); nothing was written',
      'fix: pick another name, e.g. hotstandby plugin new my-verify. To replace the built-in verify instead, give your step the name "verify" and its scope "cluster"',
      'docs/plugins.md',
      '(PLUGIN_SCAFFOLD)',
    ]);
    expectUserError(await project.run(['plugin', 'new', 'base-backup']), ['"base-backup" is the name of a built-in step', 'its scope "standby" (it runs on each standby)']);
    expectJsonError(await project.run(['plugin', 'new', 'Demo_Step', '--json']), { exitCode: 1, code: 'PLUGIN_SCAFFOLD', mentions: ['"Demo_Step" is not a step name'] });
    expect(listTree(project.dir)).toEqual([]);
    await mkdir(project.path('taken'));
    await writeFile(project.path('taken', 'keep.txt'), 'mine\n');
    expectUserError(await project.run(['plugin', 'new', 'demo-step', '--dir', 'taken']), [`the directory ${project.path('taken')} exists and is not empty; nothing was written`]);
    expect(listTree(project.path('taken'))).toEqual(['keep.txt']);
    expect(existsSync(project.path('hotstandby-plugin-demo-step'))).toBe(false);
  });
});
