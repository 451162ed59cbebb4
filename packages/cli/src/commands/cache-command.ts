import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { printJson } from '../output/json-output.js';

// `hotstandby cache clear`: remove the cached initdb templates new primaries are copied from.
export function registerCache(program: Command, cli: CliContext): void {
  const cache = program.command('cache').description('the per-user cache of initdb templates that new primaries are copied from');
  cache
    .command('clear')
    .description('remove every cached initdb template (the next new primary builds one again)')
    .option('--json', 'print what was removed as JSON: { "cache", "removed": [ ... ] }')
    .action(async (opts: { json?: boolean }) => {
      const { TemplateCache } = await import('@hotstandby/core');
      const templates = new TemplateCache();
      const removed = await templates.clear();
      if (opts.json) return printJson(cli, { cache: templates.root, removed });
      cli.out(removed.length ? `Removed ${removed.length} initdb template(s) from ${templates.root}.` : `No initdb templates in ${templates.root}; nothing to remove.`);
    });
}
