import type { Command } from 'commander';
import { containerOf, openSpec, type CliContext } from '../cli-context.js';

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
      const { loadPlugins, resolvePipeline } = await import('@hotstandby/core');
      const { pluginsFor } = await import('../composition-root.js');
      const { pipelineJson, renderPipeline } = await import('../output/pipeline-view.js');
      const loaded = await loadPlugins(spec);
      const data = pipelineJson(spec, resolvePipeline(spec, pluginsFor(await containerOf(cli), loaded)));
      cli.out(opts.json ? JSON.stringify(data, null, 2) : renderPipeline(data, cli.cwd));
    });
}
