// The public types as a consumer gets them: the declarations of hotstandby and @hotstandby/core, compiled by a
// project made with `tsc --init` (its default settings) that has no @types/pg, so no public type may come from pg.
import { cpSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { describeRun, REPO_ROOT, runProgram } from './support/cli.js';
import { createProject } from './support/project.js';

const TSC = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsc');

// Every .d.ts reachable from entry through relative imports.
function reachable(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  for (const [, spec] of readFileSync(entry, 'utf8').matchAll(/from '(\.[^']+)'/g)) reachable(path.resolve(path.dirname(entry), spec!.replace(/\.js$/, '.d.ts')), seen);
  return seen;
}

describe('the public types in a consumer project', () => {
  test('compile under tsc --init defaults without @types/pg, and name no pg type', async () => {
    const project = await createProject('hotstandby-e2e-types-');
    const decl = project.path('decl');
    writeFileSync(
      project.path('tsconfig.decl.json'),
      JSON.stringify({
        extends: path.join(REPO_ROOT, 'tsconfig.json'),
        compilerOptions: {
          noEmit: false,
          declaration: true,
          emitDeclarationOnly: true,
          outDir: decl,
          rootDir: REPO_ROOT,
          typeRoots: [path.join(REPO_ROOT, 'node_modules', '@types')],
        },
        include: [path.join(REPO_ROOT, 'packages/cli/src/index.ts'), path.join(REPO_ROOT, 'packages/core/src/index.ts')],
        exclude: [],
      }),
    );
    const emitted = await runProgram(TSC, ['-p', 'tsconfig.decl.json'], { cwd: project.dir, timeoutMs: 240_000 });
    expect(emitted.code, describeRun(emitted)).toBe(0);
    const entries = { hotstandby: path.join(decl, 'packages/cli/src/index.d.ts'), core: path.join(decl, 'packages/core/src/index.d.ts') };
    const publicFiles = new Set([...reachable(entries.hotstandby), ...reachable(entries.core)]);
    const fromPg = [...publicFiles].filter((f) => /from 'pg'|import\("pg"\)/.test(readFileSync(f, 'utf8')));
    expect(fromPg.map((f) => path.relative(decl, f))).toEqual([]);

    // The consumer: `tsc --init`, the two packages as installed (declarations only), their type dependencies.
    const consumer = project.path('consumer');
    await mkdir(path.join(consumer, 'node_modules', '@hotstandby'), { recursive: true });
    const init = await runProgram(TSC, ['--init'], { cwd: consumer });
    expect(init.code, describeRun(init)).toBe(0);
    for (const [name, dir] of [
      ['hotstandby', 'cli'],
      ['@hotstandby/core', 'core'],
    ] as const) {
      const target = path.join(consumer, 'node_modules', name);
      cpSync(path.join(decl, 'packages', dir), target, { recursive: true });
      writeFileSync(path.join(target, 'package.json'), JSON.stringify({ name, type: 'module', exports: { '.': { types: './src/index.d.ts' } } }));
    }
    for (const dep of readdirSync(path.join(REPO_ROOT, 'packages/core/node_modules')).filter((d) => d === 'zod' || d === 'tsyringe')) {
      symlinkSync(path.join(REPO_ROOT, 'packages/core/node_modules', dep), path.join(consumer, 'node_modules', dep));
    }
    writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    writeFileSync(
      path.join(consumer, 'consumer.ts'),
      `import type { Cluster, PromoteJson, VerifyResult, SwitchoverResult, ErrorJson } from 'hotstandby';
import type { PgNode, SqlClient } from '@hotstandby/core';

export async function use(cluster: Cluster): Promise<string> {
  const verified: VerifyResult = await cluster.verify();
  const lag = 'standbys' in verified ? verified.standbys.map((s) => s.replayLagBytes ?? 0) : [];
  const switched: SwitchoverResult = await cluster.switchover('s1');
  const promoted: PromoteJson = { ...(await cluster.promote('s1')), newPrimary: 's1', warnings: [] };
  const failed: ErrorJson = { error: { code: 'USAGE', message: 'm', where: {}, fix: null, detail: null } };
  return [switched.method, lag.join(), promoted.oldPrimary, failed.error.code, (await cluster.status()).nodes[0]?.name].join();
}

export async function one(node: PgNode): Promise<number> {
  return node.session(async (client: SqlClient) => (await client.query<{ n: number }>('SELECT 1 AS n')).rows[0]?.n ?? 0);
}
`,
    );
    const compiled = await runProgram(TSC, ['--noEmit', '-p', '.'], { cwd: consumer, timeoutMs: 240_000 });
    expect(compiled.code, describeRun(compiled)).toBe(0);
  });
});
