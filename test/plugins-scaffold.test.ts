// `hotstandby plugin new NAME`: a plugin package whose own test (against a real PostgreSQL, through
// @hotstandby/testing) passes as generated, which typechecks, and which a config can load straight away.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { describeRun, parseJson, REPO_ROOT, runProgram } from './support/cli.js';
import { expectUserError } from './support/cluster-json.js';
import { listTree } from './support/files.js';
import { clusterConfig, createProject, type Project } from './support/project.js';

// What `npm install` would put into the new package's node_modules, linked from this workspace.
async function linkDependencies(dir: string): Promise<void> {
  const links: Record<string, string> = {
    '@hotstandby/core': path.join(REPO_ROOT, 'packages', 'core'),
    '@hotstandby/testing': path.join(REPO_ROOT, 'packages', 'testing'),
    vitest: path.join(REPO_ROOT, 'node_modules', 'vitest'),
    typescript: path.join(REPO_ROOT, 'node_modules', 'typescript'),
    '@types/node': path.join(REPO_ROOT, 'node_modules', '@types', 'node'),
  };
  for (const [name, target] of Object.entries(links)) {
    const link = path.join(dir, 'node_modules', name);
    await mkdir(path.dirname(link), { recursive: true });
    await symlink(target, link);
  }
}

async function scaffold(project: Project, name = 'demo-step'): Promise<string> {
  const result = await project.run(['plugin', 'new', name, '--dir', 'plugins/demo']);
  expect(result.code, describeRun(result)).toBe(0);
  expect(result.stdout).toContain(`Created hotstandby-plugin-${name} in plugins/demo:`);
  return project.path('plugins', 'demo');
}

describe('hotstandby plugin new', () => {
  test('scaffolds a package whose test passes against a real PostgreSQL as generated, and which typechecks', async () => {
    const project = await createProject('hotstandby-e2e-scaffold-');
    const dir = await scaffold(project);
    expect(listTree(dir)).toEqual(['.gitignore', 'README.md', 'package.json', 'src', 'src/index.ts', 'test', 'test/demo-step.test.ts', 'tsconfig.json', 'vitest.config.ts']);
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | string>;
    expect(pkg).toMatchObject({ name: 'hotstandby-plugin-demo-step', type: 'module', exports: { '.': './src/index.ts' } });
    expect(Object.keys(pkg.dependencies as Record<string, string>)).toEqual(['@hotstandby/core']);
    expect(pkg.devDependencies).toMatchObject({ '@hotstandby/testing': expect.stringMatching(/^\^\d/), vitest: expect.stringMatching(/^\^4/) });
    const source = readFileSync(path.join(dir, 'src', 'index.ts'), 'utf8');
    expect(source).toMatch(/^import \{[^}]+\} from '@hotstandby\/core';$/m);
    expect(source.match(/from '([^']+)'/g)).toEqual(["from '@hotstandby/core'"]);
    expect(readFileSync(path.join(dir, 'README.md'), 'utf8')).toContain('"plugins": ["hotstandby-plugin-demo-step"]');

    await linkDependencies(dir);
    const tests = await runProgram(process.execPath, [path.join(dir, 'node_modules', 'vitest', 'vitest.mjs'), 'run'], { cwd: dir, timeoutMs: 120_000, env: { NO_COLOR: '1', FORCE_COLOR: undefined } });
    expect(tests.code, describeRun(tests)).toBe(0);
    expect(tests.stdout.replace(/\x1b\[[0-9;]*m/g, ''), describeRun(tests)).toMatch(/Tests\s+1 passed \(1\)/);
    const types = await runProgram(process.execPath, [path.join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', dir], { cwd: dir, timeoutMs: 120_000 });
    expect(types.code, describeRun(types)).toBe(0);
  });

  test('the new package loads from a config as a directory path, placed before base-backup', async () => {
    const project = await createProject('hotstandby-e2e-scaffold-');
    const dir = await scaffold(project);
    await linkDependencies(dir);
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

  test('refuses a name that is not a step name, and a directory that is not empty, writing nothing', async () => {
    const project = await createProject('hotstandby-e2e-scaffold-');
    expectUserError(await project.run(['plugin', 'new', 'Demo_Step']), ['"Demo_Step" is not a step name', '(PLUGIN_SCAFFOLD)']);
    expect(listTree(project.dir)).toEqual([]);
    await mkdir(project.path('taken'));
    await writeFile(project.path('taken', 'keep.txt'), 'mine\n');
    expectUserError(await project.run(['plugin', 'new', 'demo-step', '--dir', 'taken']), [`the directory ${project.path('taken')} exists and is not empty; nothing was written`]);
    expect(listTree(project.path('taken'))).toEqual(['keep.txt']);
    expect(existsSync(project.path('hotstandby-plugin-demo-step'))).toBe(false);
  });
});
