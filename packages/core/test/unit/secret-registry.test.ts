import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MASK, clearSecretsForTests, maskSecrets, registerSecret } from '../../src/secrets/secret-registry.js';

beforeEach(() => clearSecretsForTests());
afterEach(() => clearSecretsForTests());

describe('maskSecrets with registered secrets', () => {
  it('replaces every occurrence of a registered secret', () => {
    registerSecret('s3cr3t');
    expect(maskSecrets('pw s3cr3t and again s3cr3t.')).toBe(`pw ${MASK} and again ${MASK}.`);
  });

  it('masks the longer of two overlapping secrets completely', () => {
    registerSecret('abc');
    registerSecret('abcdef');
    expect(maskSecrets('x abcdef y abc')).toBe(`x ${MASK} y ${MASK}`);
    expect(maskSecrets('abcdef')).not.toContain('def');
  });

  it('treats secrets as text, not as patterns', () => {
    registerSecret('a.b*c');
    expect(maskSecrets('a.b*c axbbc')).toBe(`${MASK} axbbc`);
  });

  it('ignores empty, null and undefined secrets', () => {
    registerSecret('');
    registerSecret(undefined);
    registerSecret(null);
    expect(maskSecrets('nothing to hide')).toBe('nothing to hide');
  });

  it('forgets secrets when cleared', () => {
    registerSecret('hunter2');
    clearSecretsForTests();
    expect(maskSecrets('hunter2')).toBe('hunter2');
  });

  it('leaves text without secrets alone, including empty text', () => {
    registerSecret('hunter2');
    expect(maskSecrets('')).toBe('');
    expect(maskSecrets('all clear')).toBe('all clear');
  });
});

describe('maskSecrets on password= patterns', () => {
  it('masks bare, quoted and spaced password= values in connection strings', () => {
    registerSecret('unrelated');
    expect(maskSecrets('host=x password=abc port=5432')).toBe(`host=x password=${MASK} port=5432`);
    expect(maskSecrets("PASSWORD = 'a b' user=x")).toBe(`PASSWORD = ${MASK} user=x`);
    expect(maskSecrets("password='it\\'s x' y")).toBe(`password=${MASK} y`);
  });

  it('masks password= values even when no secret was registered yet', () => {
    // A password in a libpq error or a user's conninfo can appear before the tool has registered anything.
    expect(maskSecrets('connection "host=x password=abc" failed')).not.toContain('abc');
  });

  it('does not touch settings whose names merely contain "password"', () => {
    registerSecret('unrelated');
    expect(maskSecrets('password_encryption = scram-sha-256')).toBe('password_encryption = scram-sha-256');
    expect(maskSecrets('md5_password_warnings = on')).toBe('md5_password_warnings = on');
  });

  it('masks the whole password inside a quoted conf value (doubled quotes)', () => {
    registerSecret('unrelated');
    // primary_conninfo as postgresql.auto.conf stores it: the conninfo's quotes are doubled by the conf quoting.
    const line = "primary_conninfo = 'user=rep password=''it''''s a secret'' host=127.0.0.1'";
    const masked = maskSecrets(line);
    expect(masked).not.toContain('secret');
    expect(masked).toContain('host=127.0.0.1');
  });
});
