import { createContainer, TOKENS, type ClusterSpec, type Cluster, type DependencyContainer, type LoadedPlugin } from '@hotstandby/core';
import { BUILTIN_PLUGINS } from '@hotstandby/builtin-steps';
import { progressBar } from './output/progress-bar.js';

// The composition root: the one place that wires the built-in plugins and services into the container.
export function buildContainer(): DependencyContainer {
  const container = createContainer();
  container.register(TOKENS.Plugins, { useValue: BUILTIN_PLUGINS });
  container.register(TOKENS.DownloadProgress, { useValue: progressBar() });
  return container;
}

// The plugins a cluster runs with: the registered ones (the built-ins) followed by those the config loaded.
export function pluginsFor(container: DependencyContainer, loaded: readonly LoadedPlugin[] = []): LoadedPlugin[] {
  return [...container.resolve(TOKENS.Plugins), ...loaded];
}

// A Cluster for a spec, built from the container, with the plugins the config loaded added to the registered ones.
export function clusterFor(container: DependencyContainer, spec: ClusterSpec, loaded: readonly LoadedPlugin[] = []): Cluster {
  if (loaded.length === 0) return container.resolve(TOKENS.ClusterFactory)(spec);
  const scoped = container.createChildContainer();
  scoped.register(TOKENS.Plugins, { useValue: pluginsFor(container, loaded) });
  return scoped.resolve(TOKENS.ClusterFactory)(spec);
}
