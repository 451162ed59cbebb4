import { HotstandbyError, pluginProblem, type LoadedPlugin, type StepPlugin } from '@hotstandby/core';

// A plugin as createTestCluster takes it: the plugin object itself (what a plugin module exports), or a
// LoadedPlugin ({ plugin, origin }) as BUILTIN_PLUGINS and loadPlugins give them.
export type TestPluginInput = LoadedPlugin | StepPlugin<any>;

// Every input as a LoadedPlugin: a bare plugin gets the origin "test" (how messages name it). Anything else
// is refused, naming its index, before a server is started.
export function asLoadedPlugins(inputs: readonly TestPluginInput[]): LoadedPlugin[] {
  return inputs.map((input, i) => {
    if (isLoaded(input)) return input;
    const problem = input === undefined || input === null ? `it is ${String(input)}` : pluginProblem(input);
    if (problem !== undefined) {
      throw new HotstandbyError('PLUGIN_INVALID', `createTestCluster: plugins[${i}] is not a step plugin: ${problem}`, {
        fix: "pass the plugin object (import plugin from '../src/index.js'), or { plugin, origin } like the entries of BUILTIN_PLUGINS",
      });
    }
    return { plugin: input, origin: 'test' };
  });
}

function isLoaded(input: TestPluginInput): input is LoadedPlugin {
  return typeof input === 'object' && input !== null && 'plugin' in input && 'origin' in input;
}
