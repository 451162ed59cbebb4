import { describe, expect, it } from 'vitest';
import { SCRAM_ITERATIONS, passwordMatchesVerifier, scramVerifier } from '../../src/postgres/scram.js';

// A fixed salt (bytes 0..15) makes the verifier deterministic. The expected values were computed independently
// with Python's hashlib/hmac (PBKDF2-HMAC-SHA-256, 4096 iterations, RFC 5802 / RFC 7677 key derivation).
const SALT = Buffer.from(Array.from({ length: 16 }, (_, i) => i));
const PENCIL = 'SCRAM-SHA-256$4096:AAECAwQFBgcICQoLDA0ODw==$zHCdol2044/ZyWzPLi7oxApCkamKw9Z+E4U/QApd/5Y=:dd5peBOitVnLNFu7VmwP+HiDaaw4OUCv396eVCWhYiE=';
const AWKWARD_PASSWORD = 'it\'s "pass" \\ wörd';
const AWKWARD = 'SCRAM-SHA-256$4096:AAECAwQFBgcICQoLDA0ODw==$8xAvR8H1D+I/ua/nySIELtCrkn0K4xCj160HtIW20Xo=:FgTGDN/uxLW3X9gkuKRww1Z7Z95YQ+7GQ8SETOuTC3w=';
// md5 + md5('secret' + 'repuser'), as PostgreSQL stores md5 passwords.
const MD5_SECRET_REPUSER = 'md5a8ab6df06394c8c617ee768b50058d3b';

describe('scramVerifier', () => {
  it('produces the known verifier for a fixed salt', () => {
    expect(scramVerifier('pencil', SALT)).toBe(PENCIL);
    expect(scramVerifier(AWKWARD_PASSWORD, SALT)).toBe(AWKWARD);
  });

  it('has the form PostgreSQL stores: SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>', () => {
    const verifier = scramVerifier('pencil');
    const m = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(verifier);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBe(SCRAM_ITERATIONS);
    expect(SCRAM_ITERATIONS).toBe(4096);
    expect(Buffer.from(m![2]!, 'base64')).toHaveLength(16);
    expect(Buffer.from(m![3]!, 'base64')).toHaveLength(32);
    expect(Buffer.from(m![4]!, 'base64')).toHaveLength(32);
  });

  it('uses a fresh random salt each time by default', () => {
    expect(scramVerifier('pencil')).not.toBe(scramVerifier('pencil'));
  });

  it('honours a custom iteration count', () => {
    expect(scramVerifier('pencil', SALT, 1)).toMatch(/^SCRAM-SHA-256\$1:AAECAwQFBgcICQoLDA0ODw==\$/);
    expect(scramVerifier('pencil', SALT, 1)).not.toBe(PENCIL);
  });

  it('applies SASLprep before hashing, as libpq does when it logs in', () => {
    // "\u2168" (ROMAN NUMERAL NINE) is prepared to "IX"; the StoredKey below is Python's for "IX".
    expect(scramVerifier('\u2168', SALT)).toBe(scramVerifier('IX', SALT));
    expect(scramVerifier('IX', SALT)).toContain('$Hvybl93RfCHqfqLiTzsBHz9FA2JH0lY8NzX3ES+JAB0=:');
  });
});

describe('passwordMatchesVerifier', () => {
  it('matches a SCRAM verifier made from the password, whatever the salt', () => {
    expect(passwordMatchesVerifier(PENCIL, 'pencil', 'anyone')).toBe(true);
    expect(passwordMatchesVerifier(AWKWARD, AWKWARD_PASSWORD, 'repuser')).toBe(true);
    expect(passwordMatchesVerifier(scramVerifier('s3cret'), 's3cret', 'repuser')).toBe(true);
  });

  it('refuses a SCRAM verifier made from another password', () => {
    expect(passwordMatchesVerifier(PENCIL, 'Pencil', 'repuser')).toBe(false);
    expect(passwordMatchesVerifier(PENCIL, 'pencil ', 'repuser')).toBe(false);
    expect(passwordMatchesVerifier(PENCIL, '', 'repuser')).toBe(false);
  });

  it('refuses a verifier whose ServerKey does not match even when the StoredKey does', () => {
    const [head] = PENCIL.split(':dd5p');
    expect(passwordMatchesVerifier(`${head}:${Buffer.alloc(32).toString('base64')}`, 'pencil', 'repuser')).toBe(false);
  });

  it('matches an md5 password stored as md5(password + role name)', () => {
    expect(passwordMatchesVerifier(MD5_SECRET_REPUSER, 'secret', 'repuser')).toBe(true);
  });

  it('refuses an md5 password for another password or another role', () => {
    expect(passwordMatchesVerifier(MD5_SECRET_REPUSER, 'Secret', 'repuser')).toBe(false);
    expect(passwordMatchesVerifier(MD5_SECRET_REPUSER, 'secret', 'postgres')).toBe(false);
  });

  it('refuses a missing or unreadable stored password', () => {
    expect(passwordMatchesVerifier(null, 'pencil', 'repuser')).toBe(false);
    expect(passwordMatchesVerifier('', 'pencil', 'repuser')).toBe(false);
    expect(passwordMatchesVerifier('pencil', 'pencil', 'repuser')).toBe(false);
    expect(passwordMatchesVerifier('SCRAM-SHA-256$4096:abc', 'pencil', 'repuser')).toBe(false);
  });
});
