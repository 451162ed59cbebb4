// The files of a new plugin package (`hotstandby plugin new NAME`): a working step that makes sure a schema exists
// on the primary, a test that runs it against a real PostgreSQL, and a README. Kept small so it is easy to adapt.

import { describeSource, type HotstandbySource } from './hotstandby-source.js';

// What the templates need to know.
export interface PluginTemplateInput {
  // The step name (also the plugin's default schema name with "-" → "_").
  name: string;
  packageName: string;
  // Where @hotstandby/core and @hotstandby/testing come from (said in the README).
  source: HotstandbySource;
  // Dependency specifiers for the package.json: file:<dir> (a checkout) or a version range (a registry).
  coreRange: string;
  testingRange: string;
  vitestRange: string;
  typescriptRange: string;
  nodeTypesRange: string;
}

// Every file of the package, keyed by its path inside the package directory.
export function pluginFiles(input: PluginTemplateInput): Record<string, string> {
  return {
    'package.json': packageJson(input),
    'src/index.ts': indexTs(input),
    [`test/${input.name}.test.ts`]: testTs(input),
    'README.md': readme(input),
    'tsconfig.json': tsconfig(input.source),
    'vitest.config.ts': vitestConfig(input.source),
    '.gitignore': 'node_modules/\n',
  };
}

function packageJson(i: PluginTemplateInput): string {
  const pkg = {
    name: i.packageName,
    version: '0.1.0',
    description: `hotstandby step plugin: ${i.name}`,
    type: 'module',
    keywords: ['hotstandby', 'hotstandby-plugin', 'postgresql'],
    exports: { '.': './src/index.ts' },
    files: ['src', 'README.md'],
    scripts: { test: 'vitest run', typecheck: 'tsc --noEmit' },
    dependencies: { '@hotstandby/core': i.coreRange },
    devDependencies: {
      '@hotstandby/testing': i.testingRange,
      '@types/node': i.nodeTypesRange,
      typescript: i.typescriptRange,
      vitest: i.vitestRange,
    },
  };
  return JSON.stringify(pkg, null, 2) + '\n';
}

function indexTs(i: PluginTemplateInput): string {
  const schema = i.name.replace(/-/g, '_');
  return `import { definePlugin, quoteIdent, z, type Action } from '@hotstandby/core';

// The step's options: "steps.${i.name}" in the hotstandby config (or ["${i.packageName}", { ... }] in "plugins").
const options = z.strictObject({
  // The schema to create on the primary.
  schema: z.string().min(1).max(63).default('${schema}'),
  // The database it goes into.
  database: z.string().min(1).default('postgres'),
});

// Options after validation (defaults applied).
export type Options = z.infer<typeof options>;

// ${i.name}: make sure a schema exists on the primary. It runs before base-backup, so the standbys are copied
// with it. plan() looks at the server and returns only what is missing: an empty plan means "already in place".
export default definePlugin<Options>({
  name: '${i.name}',
  description: 'Create a schema on the primary (before the standbys are copied).',
  scope: 'primary',
  options,
  before: ['base-backup'],
  async plan(ctx) {
    const { schema, database } = ctx.options;
    // In a dry run of a cluster that does not exist yet there is no server to ask: plan everything.
    const exists = ctx.isPlanned(ctx.primary)
      ? false
      : (await ctx.primary.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema], database)).length > 0;
    const actions: Action[] = exists
      ? []
      : [{ kind: 'sql', node: ctx.primary.name, database, sql: \`CREATE SCHEMA \${quoteIdent(schema)}\`, summary: \`create the schema \${schema}\` }];
    return { actions, notes: exists ? [\`schema \${schema} already exists\`] : [] };
  },
  // No apply(): core applies the planned actions in order, through its journaled executor.
});
`;
}

function testTs(i: PluginTemplateInput): string {
  return `import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCluster, expectPlanned, runStep, type TestCluster } from '@hotstandby/testing';
import plugin from '../src/index.js';

// A real PostgreSQL primary (initdb + start on a free port, as the postgres OS user when run as root).
describe('${i.name}', () => {
  let tc: TestCluster;
  beforeAll(async () => {
    tc = await createTestCluster({ plugins: [], standbys: [] });
  });
  afterAll(async () => {
    await tc?.cleanup();
  });

  it('creates the schema, then has nothing left to do', async () => {
    const first = await runStep(tc, plugin, { options: { schema: 'scaffold_demo' } });
    expectPlanned(first.plan).toRunSql(/CREATE SCHEMA "scaffold_demo"/);
    expect(first.record.changed).toBe(true);
    const rows = await tc.primary.node.query("SELECT 1 FROM pg_namespace WHERE nspname = 'scaffold_demo'");
    expect(rows).toHaveLength(1);

    // Idempotent: the second run plans nothing and changes nothing.
    const second = await runStep(tc, plugin, { options: { schema: 'scaffold_demo' } });
    expectPlanned(second.plan).toBeEmpty().toNote(/already exists/);
    expect(second.record.changed).toBe(false);
  });
});
`;
}

function readme(i: PluginTemplateInput): string {
  return `# ${i.packageName}

A [hotstandby](https://www.npmjs.com/package/hotstandby) step plugin: **${i.name}** makes sure a schema exists on
the primary. It asks to run before \`base-backup\`, so every standby is copied with it.

## Use it

In your hotstandby config (\`hotstandby.config.json\`):

\`\`\`json
{
  "plugins": ["${i.packageName}"],
  "steps": { "${i.name}": { "schema": "app" } }
}
\`\`\`

Installed with \`npm install --save-dev ${i.packageName}\`, or point at the folder: \`"plugins": ["./${i.packageName}"]\`.
\`hotstandby plugins\` shows where the step runs; \`hotstandby up --dry-run\` prints its SQL.

| Option | Default | Meaning |
|---|---|---|
| \`schema\` | \`${i.name.replace(/-/g, '_')}\` | The schema to create. |
| \`database\` | \`postgres\` | The database it goes into. |

## Develop it

\`\`\`sh
npm install
npm test           # starts a real PostgreSQL (initdb on a free port), runs the step twice, checks it is idempotent
npm run typecheck
\`\`\`

${dependencyNote(i)}

The step is \`src/index.ts\`: \`plan(ctx)\` looks at the server and returns the actions still needed; core applies
them (and prints them for \`--dry-run\`). See hotstandby's docs/plugins.md for the whole context API.
`;
}

// Where the @hotstandby packages come from, as a sentence of the README.
function dependencyNote(i: PluginTemplateInput): string {
  const said = describeSource(i.source);
  return `${said[0]!.toUpperCase()}${said.slice(1)}.`;
}

function tsconfig(source: HotstandbySource): string {
  const config = {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2023'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      skipLibCheck: true,
      allowImportingTsExtensions: true,
      noEmit: true,
      types: ['node'],
      // A checkout's packages are not built: read their TypeScript sources (see vitest.config.ts).
      ...(source.kind === 'checkout' ? { customConditions: ['source'] } : {}),
    },
    include: ['src', 'test'],
  };
  return JSON.stringify(config, null, 2) + '\n';
}

function vitestConfig(source: HotstandbySource): string {
  const fromCheckout =
    source.kind === 'checkout'
      ? `
// @hotstandby/core and @hotstandby/testing are linked from a hotstandby checkout, which is not built: load their
// TypeScript sources (their "source" export condition). Drop resolve and ssr when they come from the registry.
const conditions = ['source', 'module', 'node', 'development|production'];
`
      : '';
  const resolve = source.kind === 'checkout' ? '\n  resolve: { conditions },\n  ssr: { resolve: { conditions } },' : '';
  return `import { defineConfig } from 'vitest/config';
${fromCheckout}
// The test starts a real PostgreSQL server: give it more than vitest's default 5 seconds.
export default defineConfig({${resolve}
  test: { testTimeout: 60_000, hookTimeout: 60_000 },
});
`;
}
