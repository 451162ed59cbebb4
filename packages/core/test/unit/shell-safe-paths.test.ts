import { describe, expect, it } from 'vitest';
import { describeCharacter, shellActiveCharacter } from '../../src/cluster/shell-safe-paths.js';

describe('shellActiveCharacter', () => {
  it('finds the first of $, `, " and \\ that a double-quoted sh string would not keep', () => {
    expect(shellActiveCharacter('/srv/pg$1/data')).toBe('$');
    expect(shellActiveCharacter('/srv/`id`/data')).toBe('`');
    expect(shellActiveCharacter('/srv/"x"/data')).toBe('"');
    expect(shellActiveCharacter('/srv/a\\b/data')).toBe('\\');
    expect(shellActiveCharacter('/srv/a\\b$/data')).toBe('\\');
  });

  it('lets spaces, single quotes and other characters through', () => {
    expect(shellActiveCharacter("/srv/it's my data/pg 15 (main)/ñ;&|*?~")).toBeUndefined();
  });

  it('names each character in words', () => {
    expect(describeCharacter('$')).toBe('a dollar sign ($)');
    expect(describeCharacter('\\')).toBe('a backslash (\\)');
  });
});
