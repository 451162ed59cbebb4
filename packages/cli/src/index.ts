// Library entry of the hotstandby package: the engine with the built-in recipe steps wired in.
import {
  Cluster,
  loadConfig as loadCoreConfig,
  loadPlugins,
  configFromObject,
  HotstandbyError,
  type ClusterSpec,
  type LoadConfigOptions,
  type LoadedPlugin,
  type StepPlugin,
} from '@hotstandby/core';
import { BUILTIN_PLUGINS } from '@hotstandby/builtin-steps';

export { BUILTIN_PLUGINS, loadPlugins };
export { defineConfig, definePlugin, HotstandbyError } from '@hotstandby/core';
// What the cluster's methods return, so callers can name them.
export type {
  Cluster,
  ClusterSpec,
  ClusterStatus,
  NodeStatus,
  UpResult,
  ControlResult,
  PromoteResult,
  RejoinResult,
  RejoinMethod,
  SwitchoverResult,
  RemoveStandbyResult,
  VerifyResult,
  VerifyReport,
  VerifySummary,
  StandbyReport,
  CheckResult,
  DownResult,
  ConnectionEnv,
  DoctorReport,
  StepRecord,
} from '@hotstandby/core';
// The documents `hotstandby <command> --json` prints (docs/json-output.md).
export type * from './output/json-types.js';

// A plugin for createCluster: as loadPlugins returns it, or a plugin object from your own code.
export type PluginInput = LoadedPlugin | StepPlugin<any>;

// How createCluster and openCluster build the cluster.
export interface CreateClusterOptions {
  // Plugins besides the built-in steps (a plugin with a built-in's name replaces it).
  plugins?: readonly PluginInput[];
  // The directory relative paths of an inline config object resolve against (default: process.cwd()).
  dir?: string;
}

// Find and validate the config (--config semantics, discovery, or the built-in default).
export function loadConfig(options: LoadConfigOptions = {}): Promise<ClusterSpec> {
  return loadCoreConfig(options);
}

// A cluster with the six built-in steps (plus the given plugins), from a loaded spec or an inline config object.
// A config whose "plugins" list names files or packages needs them loaded first: use openCluster, or pass
// { plugins: await loadPlugins(spec) }.
export function createCluster(config: ClusterSpec | Record<string, unknown>, options: CreateClusterOptions = {}): Cluster {
  const spec = isSpec(config) ? config : configFromObject(config, options.dir);
  if ((spec.plugins?.length ?? 0) > 0 && options.plugins === undefined) {
    throw new HotstandbyError('PLUGIN_INVALID', `the config lists plugins (${spec.plugins!.map((p) => p.specifier).join(', ')}), which createCluster cannot load by itself`, {
      where: { file: spec.source.path, key: 'plugins' },
      fix: 'use `await openCluster(config)`, or `createCluster(spec, { plugins: await loadPlugins(spec) })`',
    });
  }
  return new Cluster(spec, { plugins: [...BUILTIN_PLUGINS, ...(options.plugins ?? []).map(asLoaded)] });
}

// Load the config's own plugins (its "plugins" list) and create the cluster with them and the built-in steps.
export async function openCluster(config: ClusterSpec | Record<string, unknown>, options: CreateClusterOptions = {}): Promise<Cluster> {
  const spec = isSpec(config) ? config : configFromObject(config, options.dir);
  return createCluster(spec, { ...options, plugins: [...(await loadPlugins(spec)), ...(options.plugins ?? [])] });
}

function asLoaded(input: PluginInput): LoadedPlugin {
  return 'plugin' in input && 'origin' in input ? input : { plugin: input, origin: `${input.name} (passed to createCluster)` };
}

function isSpec(value: unknown): value is ClusterSpec {
  return typeof value === 'object' && value !== null && 'source' in value && 'stateDir' in value && 'primary' in value;
}
