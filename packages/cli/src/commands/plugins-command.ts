import type { Command } from 'commander';
import { loadPlugins, resolvePipeline } from '@hotstandby/core';
import { openSpec, type CliContext } from '../cli-context.js';
import { pluginsFor } from '../composition-root.js';
import { pipelineJson, renderPipeline } from '../output/pipeline-view.js';

// `hotstandby plugins`: the pipeline `up` would run, resolved from the config: order, step, scope, where each
// step comes from, and which built-in steps are replaced or do not run. Loads and checks every plugin and its
// options; changes nothing.
export function registerPlugins(program: Command, cli: CliContext): void {
  program
    .command('plugins')
    .description('show the resolved pipeline: order, step, scope, origin; replaced and disabled built-in steps')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, command: Command) => {
      const spec = await openSpec(cli, command);
      const loaded = await loadPlugins(spec);
      const data = pipelineJson(spec, resolvePipeline(spec, pluginsFor(cli.container, loaded)));
      cli.out(opts.json ? JSON.stringify(data, null, 2) : renderPipeline(data, cli.cwd));
    });
}
