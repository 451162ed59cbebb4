import { describe, expect, it } from 'vitest';
import { definePlugin, isHotstandbyError, type StepPlugin } from '@hotstandby/core';
import { asLoadedPlugins, BUILTIN_PLUGINS, type TestPluginInput } from '../../src/index.js';

const mine = definePlugin({
  name: 'mine',
  description: 'd',
  scope: 'primary',
  async plan() {
    return { actions: [] };
  },
});

describe('asLoadedPlugins (what createTestCluster does with its plugins)', () => {
  it('takes bare plugins (origin "test") and LoadedPlugins (as they are) side by side', () => {
    const loaded = asLoadedPlugins([...BUILTIN_PLUGINS, mine, { plugin: mine, origin: './steps/mine.ts' }]);
    expect(loaded.map((l) => l.plugin.name)).toEqual(['user-creation', 'hba-config', 'wal-config', 'base-backup', 'recovery-config', 'verify', 'mine', 'mine']);
    expect(loaded.slice(0, 6).every((l) => l.builtin === true)).toBe(true);
    expect(loaded.slice(6)).toEqual([
      { plugin: mine, origin: 'test' },
      { plugin: mine, origin: './steps/mine.ts' },
    ]);
  });

  it('refuses what is not a plugin, naming its index, e.g. a module namespace instead of its default export', () => {
    const cases: [unknown, string][] = [
      [{ default: mine }, 'createTestCluster: plugins[1] is not a step plugin: its "name" is missing'],
      [undefined, 'createTestCluster: plugins[1] is not a step plugin: it is undefined'],
    ];
    for (const [bad, message] of cases) {
      let error: unknown;
      try {
        asLoadedPlugins([mine, bad as TestPluginInput]);
      } catch (e) {
        error = e;
      }
      expect(isHotstandbyError(error) && error.code).toBe('PLUGIN_INVALID');
      expect((error as Error).message).toContain(message);
      expect((error as { fix: string }).fix).toContain("import plugin from '../src/index.js'");
    }
  });
});

// The type accepts both shapes.
const shapes: TestPluginInput[] = [mine as StepPlugin<any>, BUILTIN_PLUGINS[0]!];
void shapes;
