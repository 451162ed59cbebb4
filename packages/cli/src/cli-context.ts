import type { Command } from 'commander';
import { loadConfig, loadPlugins, type Cluster, type ClusterSpec, type DependencyContainer, type LoadedPlugin } from '@hotstandby/core';
import { clusterFor } from './composition-root.js';

// What every command gets from the entry point.
export interface CliContext {
  container: DependencyContainer;
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

// Load the config the command's options point at and build the cluster. Commands that run no steps (status,
// start, stop, down ...) say `withPlugins: false`: the config's plugins are not loaded, so a broken or missing
// plugin cannot keep a user from looking at, stopping or tearing down the cluster.
export async function openCluster(
  cli: CliContext,
  command: Command,
  options: { withPlugins?: boolean } = {},
): Promise<{ spec: ClusterSpec; cluster: Cluster; plugins: LoadedPlugin[] }> {
  const spec = await openSpec(cli, command);
  // The config's own plugins (its "plugins" list) join the built-in steps.
  const plugins = options.withPlugins === false ? [] : await loadPlugins(spec);
  return { spec, cluster: clusterFor(cli.container, spec, plugins), plugins };
}

// Load the config the command's options point at (--config, discovery, or the built-in default).
export async function openSpec(cli: CliContext, command: Command): Promise<ClusterSpec> {
  const globals = command.optsWithGlobals<GlobalOptions>();
  return loadConfig({ configPath: globals.config, cwd: cli.cwd });
}
