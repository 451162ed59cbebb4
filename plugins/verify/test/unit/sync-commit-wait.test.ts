import { describe, expect, it } from 'vitest';
import { parseSyncStandbyNames } from '../../src/sync-commit-wait.js';

describe('parseSyncStandbyNames', () => {
  it.each([
    ['', undefined],
    ['   ', undefined],
    ['FIRST 1 ("s1", "s2")', { count: 1, names: ['s1', 's2'] }],
    ['ANY 2 (s1,s2,s3)', { count: 2, names: ['s1', 's2', 's3'] }],
    ['any 1 ("a b")', { count: 1, names: ['a b'] }],
    ['2 (s1, s2)', { count: 2, names: ['s1', 's2'] }],
    ['s1, s2', { count: 1, names: ['s1', 's2'] }],
    ['*', { count: 1, names: ['*'] }],
  ])('%j', (value, expected) => {
    expect(parseSyncStandbyNames(value)).toEqual(expected);
  });
});
