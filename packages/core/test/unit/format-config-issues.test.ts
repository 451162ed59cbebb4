import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/config-schema.js';
import { formatConfigIssues, formatConfigPath, knownKeysAt } from '../../src/config/format-config-issues.js';

describe('formatConfigPath', () => {
  it('writes paths the way users write them in a config', () => {
    expect(formatConfigPath(['standbys', 0, 'port'])).toBe('standbys[0].port');
    expect(formatConfigPath(['primary', 'dataDir'])).toBe('primary.dataDir');
    expect(formatConfigPath([0, 'a'])).toBe('[0].a');
    expect(formatConfigPath([])).toBe('(top level)');
  });
});

describe('knownKeysAt', () => {
  it('lists the keys of the object at a path, through optional, array and union wrappers', () => {
    expect(knownKeysAt(configSchema, [])).toEqual(expect.arrayContaining(['stateDir', 'primary', 'standbys', 'replication', 'archive', 'wal', 'steps']));
    expect(knownKeysAt(configSchema, [])).not.toContain('$schema');
    expect(knownKeysAt(configSchema, ['primary'])).toEqual(['name', 'port', 'dataDir', 'configDir', 'host', 'ssh']);
    expect(knownKeysAt(configSchema, ['standbys', 3])).toEqual(expect.arrayContaining(['name', 'port', 'dataDir', 'slot']));
    expect(knownKeysAt(configSchema, ['archive'])).toEqual(['dir']);
  });

  it('gives no keys where there is no object', () => {
    expect(knownKeysAt(configSchema, ['primary', 'port'])).toEqual([]);
    expect(knownKeysAt(configSchema, ['nonsense'])).toEqual([]);
  });
});

describe('formatConfigIssues', () => {
  const issuesOf = (raw: unknown) => {
    const result = configSchema.safeParse(raw, { reportInput: true });
    expect(result.success).toBe(false);
    return formatConfigIssues(result.error!.issues, configSchema);
  };

  it('gives one line per unknown key, each with its own suggestion', () => {
    const [line] = issuesOf({ primary: { prot: 1, nmae: 'x' } });
    expect(line!.split('\n')).toEqual([
      'primary.prot: unknown key (did you mean "port"?); known keys here: name, port, dataDir, configDir, host, ssh',
      'primary.nmae: unknown key (did you mean "name"?); known keys here: name, port, dataDir, configDir, host, ssh',
    ]);
  });

  it('matches suggestions case-insensitively', () => {
    expect(issuesOf({ STATEDIR: 'x' })[0]).toContain('did you mean "stateDir"?');
  });

  it('describes what it got: strings quoted and shortened, lists, objects and null named', () => {
    expect(issuesOf({ primary: { dataDir: 42 } })[0]).toMatch(/^primary\.dataDir: .*, got 42$/);
    expect(issuesOf({ primary: { port: 'x'.repeat(100) } })[0]).toContain(`got "${'x'.repeat(57)}..."`);
    expect(issuesOf({ primary: [] })[0]).toMatch(/got a list$/);
    expect(issuesOf({ wal: 'big' })[0]).toMatch(/^wal: .*got "big"$/);
    expect(issuesOf({ primary: null })[0]).toMatch(/got null$/);
  });

  it('reports every problem, not just the first', () => {
    expect(issuesOf({ primary: { port: 0 }, standbys: [{ name: 'UPPER' }] })).toHaveLength(2);
  });
});
