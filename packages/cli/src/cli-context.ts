import type { Command } from 'commander';
import type { Cluster, ClusterSpec, DependencyContainer, LoadedPlugin } from '@hotstandby/core';

// What every command gets from the entry point. Commands load the engine (@hotstandby/core, the composition root)
// when they run, so --help, --version and usage errors start without it.
export interface CliContext {
  // The services and built-in plugins; the composition root's container when not given (built on first use).
  container?: DependencyContainer;
  // The user's working directory (where relative paths on the command line point).
  cwd: string;
  out(text: string): void;
  err(text: string): void;
  // Aborted by the first Ctrl-C: long commands stop between actions, kill the program they run (pg_basebackup),
  // remove a partial base backup and release the lock, instead of dying half-way.
  signal?: AbortSignal;
  // Set by a command that completes but must still exit non-zero (doctor with things to fix).
  exitCode?: number;
}

// Options every command accepts.
export interface GlobalOptions {
  config?: string;
  verbose?: boolean;
}

// Load the config the command's options point at and build the cluster through the CLI's container (the library's
// openCluster is for programs). Commands that run no steps (status, start, stop, down ...) say `withPlugins: false`:
// the config's plugins are not loaded, so a broken or missing plugin cannot keep a user from looking at, stopping
// or tearing down the cluster. A command that does not even plan a step (status) also says `withSteps: false`: its
// cluster has no step plugins, so the built-in steps are not loaded either (unless the context brings a container),
// and its config is remembered once resolved (loadConfig's rememberResolved), so an unchanged one loads no zod.
export async function openCommandCluster(
  cli: CliContext,
  command: Command,
  options: { withPlugins?: boolean; withSteps?: boolean } = {},
): Promise<{ spec: ClusterSpec; cluster: Cluster; plugins: LoadedPlugin[] }> {
  const spec = await openSpec(cli, command, { rememberResolved: options.withSteps === false });
  if (options.withSteps === false && !cli.container) {
    const { steplessCluster } = await import('./stepless-cluster.js');
    return { spec, cluster: steplessCluster(spec), plugins: [] };
  }
  const { loadPlugins } = await import('@hotstandby/core');
  const { clusterFor } = await import('./composition-root.js');
  // The config's own plugins (its "plugins" list) join the built-in steps.
  const plugins = options.withPlugins === false ? [] : await loadPlugins(spec);
  return { spec, cluster: clusterFor(await containerOf(cli), spec, plugins), plugins };
}

// The context's container: the one given, else the composition root's, built the first time a command needs it.
export async function containerOf(cli: CliContext): Promise<DependencyContainer> {
  cli.container ??= (await import('./composition-root.js')).buildContainer();
  return cli.container;
}

// Load the config the command's options point at (--config, discovery, or the built-in default).
// rememberResolved: see loadConfig (status, which changes nothing else, keeps the resolved config for next time).
export async function openSpec(cli: CliContext, command: Command, options: { rememberResolved?: boolean } = {}): Promise<ClusterSpec> {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const { loadConfig } = await import('@hotstandby/core');
  return loadConfig({ configPath: globals.config, cwd: cli.cwd, rememberResolved: options.rememberResolved });
}
