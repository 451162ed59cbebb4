import { createContainer, TOKENS, type ClusterSpec, type Cluster, type DependencyContainer } from '@hotstandby/core';
import { BUILTIN_PLUGINS } from './builtin-plugins.js';
import { progressBar } from './output/progress-bar.js';

// The composition root: the one place that wires the built-in plugins and services into the container.
export function buildContainer(): DependencyContainer {
  const container = createContainer();
  container.register(TOKENS.Plugins, { useValue: BUILTIN_PLUGINS });
  container.register(TOKENS.DownloadProgress, { useValue: progressBar() });
  return container;
}

// A Cluster for a spec, built from the container.
export function clusterFor(container: DependencyContainer, spec: ClusterSpec): Cluster {
  return container.resolve(TOKENS.ClusterFactory)(spec);
}
