import { describe, expect, it } from 'vitest';
import { singleUserArgs } from '../../src/postgres/single-user.js';

describe('the arguments of a single-user session', () => {
  it('never echo statements, and the database name comes last', () => {
    const args = singleUserArgs('/data/primary');
    expect(args.slice(0, 3)).toEqual(['--single', '-D', '/data/primary']);
    expect(args).toContain('log_min_error_statement=panic');
    expect(args.at(-1)).toBe('postgres');
  });

  it('turn fsync off only for a throwaway cluster', () => {
    expect(singleUserArgs('/d')).not.toContain('fsync=off');
    expect(singleUserArgs('/d', { fsync: true })).not.toContain('fsync=off');
    const args = singleUserArgs('/d', { fsync: false });
    expect(args[args.indexOf('fsync=off') - 1]).toBe('-c');
  });
});
