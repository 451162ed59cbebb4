import { describe, expect, it } from 'vitest';
import { icaclsOwnerOnlyArgs, restrictToOwner } from '../../src/util/owner-only-access.js';

describe('owner-only access on Windows', () => {
  it('removes inherited entries and grants the current account alone full control, inherited by what a directory holds', () => {
    expect(icaclsOwnerOnlyArgs('C:\\p ü\\.hotstandby\\secrets', 'dir', 'WORK', 'ann')).toEqual([
      'C:\\p ü\\.hotstandby\\secrets',
      '/inheritance:r',
      '/grant:r',
      'WORK\\ann:(OI)(CI)F',
    ]);
    expect(icaclsOwnerOnlyArgs('C:\\p\\.hotstandby\\pgpass', 'file', undefined, 'ann')).toEqual(['C:\\p\\.hotstandby\\pgpass', '/inheritance:r', '/grant:r', 'ann:F']);
  });

  it('refuses to guess an account when USERNAME is not set', () => {
    expect(() => icaclsOwnerOnlyArgs('C:\\p', 'dir', 'WORK', undefined)).toThrow(/USERNAME is not set/);
  });

  it('leaves a path alone off Windows (its mode protects it)', async () => {
    await expect(restrictToOwner('/nonexistent/secrets', 'dir', 'linux')).resolves.toBeUndefined();
  });
});
