import type { Command } from 'commander';
import { loadConfig, type Cluster, type ClusterSpec, type DependencyContainer } from '@hotstandby/core';
import { clusterFor } from './composition-root.js';

// What every command gets from the entry point.
export interface CliContext {
  container: DependencyContainer;
  // The user's working directory (where relative paths on the command line point).
  cwd: string;
  out(text: string): void;
  err(text: string): void;
}

// Options every command accepts.
export interface GlobalOptions {
  config?: string;
  verbose?: boolean;
}

// Load the config the command's options point at and build the cluster.
export async function openCluster(cli: CliContext, command: Command): Promise<{ spec: ClusterSpec; cluster: Cluster }> {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const spec = await loadConfig({ configPath: globals.config, cwd: cli.cwd });
  return { spec, cluster: clusterFor(cli.container, spec) };
}
