import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { printJson } from '../output/json-output.js';
import type { PluginNewJson } from '../output/json-types.js';

// `hotstandby plugin new NAME [--dir D]`: scaffold a plugin package (source, a test against a real PostgreSQL,
// README) whose test passes as generated.
export function registerPlugin(program: Command, cli: CliContext): void {
  const plugin = program.command('plugin').description('author step plugins');
  plugin
    .command('new')
    .description('scaffold a plugin package: src/index.ts, a test against a real PostgreSQL, README')
    .argument('<name>', 'step name, e.g. seed-schema')
    .option('--dir <dir>', 'directory to create (default: ./hotstandby-plugin-<name>)')
    .option('--json', 'print the package written as JSON')
    .action(async (name: string, opts: { dir?: string; json?: boolean }) => {
      const dir = path.resolve(cli.cwd, opts.dir ?? `hotstandby-plugin-${name}`);
      const { scaffoldPlugin } = await import('../scaffold/scaffold-plugin.js');
      const { describeSource } = await import('../scaffold/hotstandby-source.js');
      const result = await scaffoldPlugin(name, dir);
      if (opts.json) return printJson(cli, { dir: result.dir, packageName: result.packageName, files: result.files, source: result.source } satisfies PluginNewJson);
      const shown = path.relative(cli.cwd, dir) || '.';
      cli.out(`Created ${result.packageName} in ${shown}:`);
      for (const f of result.files) cli.out(`  ${f}`);
      cli.out('');
      cli.out(`Dependencies: ${describeSource(result.source)}.`);
      cli.out('');
      cli.out('Next:');
      cli.out(`  cd ${shown} && npm install && npm test     # runs the step against a real PostgreSQL`);
      cli.out(`  then add "./${shown}" (or the package name, once installed) to "plugins" in your hotstandby config`);
    });
}
