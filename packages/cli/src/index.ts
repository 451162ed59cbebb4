// Library entry of the hotstandby package: the engine with the built-in recipe steps wired in.
import { Cluster, loadConfig as loadCoreConfig, configFromObject, type ClusterSpec, type LoadConfigOptions, type LoadedPlugin } from '@hotstandby/core';
import { BUILTIN_PLUGINS } from './builtin-plugins.js';

export { BUILTIN_PLUGINS };
export { defineConfig, definePlugin, HotstandbyError } from '@hotstandby/core';

// Find and validate the config (--config semantics, discovery, or the built-in default).
export function loadConfig(options: LoadConfigOptions = {}): Promise<ClusterSpec> {
  return loadCoreConfig(options);
}

// A cluster with the six built-in steps (plus any extra plugins), from a loaded spec or an inline config object.
export function createCluster(config: ClusterSpec | Record<string, unknown>, options: { plugins?: readonly LoadedPlugin[]; dir?: string } = {}): Cluster {
  const spec = isSpec(config) ? config : configFromObject(config, options.dir);
  return new Cluster(spec, { plugins: [...BUILTIN_PLUGINS, ...(options.plugins ?? [])] });
}

function isSpec(value: unknown): value is ClusterSpec {
  return typeof value === 'object' && value !== null && 'source' in value && 'stateDir' in value && 'primary' in value;
}
