import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { JournalEntry, NodeState, StateView } from '../../src/index.js';

const source = (file: string) => readFileSync(new URL(`../../src/${file}`, import.meta.url), 'utf8');

// The names a module exports through `export { … }` / `export type { … }` (as exported: "X as Y" gives Y).
function reExported(code: string): Set<string> {
  const names = new Set<string>();
  for (const [, list] of code.matchAll(/export (?:type )?\{([^}]*)\}/g)) {
    for (const item of list!.split(',')) {
      const name = item
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .at(-1)!
        .trim();
      if (name) names.add(name);
    }
  }
  return names;
}

// The names a module imports from inside core (relative imports), and the types and functions it declares.
function importedFromCore(code: string): string[] {
  return [...code.matchAll(/import (?:type )?\{([^}]*)\} from '\.{1,2}\//g)].flatMap(([, list]) =>
    list!
      .split(',')
      .map((n) => n.trim().replace(/^type\s+/, ''))
      .filter(Boolean),
  );
}
function declared(code: string): string[] {
  return [...code.matchAll(/^export (?:interface|type|function|const) (\w+)/gm)].map(([, name]) => name!);
}

// What a plugin sees (its context, its contract, its actions and events) must be nameable from
// '@hotstandby/core': a type a plugin receives but cannot import cannot be written down in its own code.
describe('the public entry of @hotstandby/core', () => {
  const entry = reExported(source('index.ts'));
  const contract = ['plugin/step-context.ts', 'plugin/step-plugin.ts', 'executor/action.ts', 'pipeline/pipeline-events.ts'];

  it('exports every type the plugin contract uses or declares', () => {
    const used = contract.flatMap((file) => [...importedFromCore(source(file)), ...declared(source(file))]);
    expect(used).toContain('NodeState');
    expect(used.filter((name) => !entry.has(name))).toEqual([]);
  });

  it('lets a plugin write down what ctx.state returns', () => {
    const state: StateView = {
      node: (): NodeState | undefined => undefined,
      journal: (): readonly JournalEntry[] => [{ kind: 'role', node: 'primary', role: 'repuser', at: '2024-01-01T00:00:00Z' }],
      roleCreatedByTool: () => true,
      slotCreatedByTool: () => false,
      dirCreatedByTool: () => false,
    };
    expect(state.journal()[0]?.kind).toBe('role');
  });
});
