import { createContainer, TOKENS, type Cluster, type ClusterSpec } from '@hotstandby/core';

// A Cluster with no step plugins, for a command that neither runs nor plans a step (status): the built-in steps'
// code and their option schemas (zod) stay unloaded.
export function steplessCluster(spec: ClusterSpec): Cluster {
  const container = createContainer();
  container.register(TOKENS.Plugins, { useValue: [] });
  return container.resolve(TOKENS.ClusterFactory)(spec);
}
