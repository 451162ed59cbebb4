import { describe, expect, it } from 'vitest';
import {
  HBA_BLOCK_BEGIN,
  HBA_BLOCK_END,
  formatHbaRule,
  managedRules,
  withManagedBlock,
  withoutRuleInManagedBlock,
  withRuleInManagedBlock,
  type HbaRule,
} from '../../src/postgres/hba-file.js';

const REPLICATION: HbaRule = { type: 'host', database: 'replication', user: 'repuser', address: '127.0.0.1/32', method: 'scram-sha-256' };
const REPLICATION_V6: HbaRule = { ...REPLICATION, address: '::1/128' };

const INITDB_HBA = [
  '# PostgreSQL Client Authentication Configuration File',
  '# ===================================================',
  '#',
  '# TYPE  DATABASE        USER            ADDRESS                 METHOD',
  '',
  '# "local" is for Unix domain socket connections only',
  'local   all             all                                     trust',
  '# IPv4 local connections:',
  'host    all             all             127.0.0.1/32            trust',
  'local   replication     all                                     trust',
  'host    replication     all             127.0.0.1/32            trust',
  '',
].join('\n');

describe('formatHbaRule', () => {
  it('leaves the replication keyword bare and always quotes the user', () => {
    expect(formatHbaRule(REPLICATION)).toBe('host    replication     "repuser"       127.0.0.1/32            scram-sha-256');
  });

  it('quotes a user or database that looks like a keyword, a group or a file', () => {
    expect(formatHbaRule({ ...REPLICATION, user: 'all' })).toContain(' "all" ');
    expect(formatHbaRule({ ...REPLICATION, user: '+admins' })).toContain(' "+admins" ');
    expect(formatHbaRule({ ...REPLICATION, user: '@users' })).toContain(' "@users" ');
    expect(formatHbaRule({ ...REPLICATION, user: 'we"ird' })).toContain(' "we""ird" ');
    expect(formatHbaRule({ ...REPLICATION, database: 'app db' })).toMatch(/^host {4}"app db" /);
  });

  it('leaves out the address column for local rules', () => {
    expect(formatHbaRule({ type: 'local', database: 'replication', user: 'repuser', method: 'peer' })).toBe('local   replication     "repuser"       peer');
  });

  it('separates columns even when a value is wider than its column', () => {
    const long = formatHbaRule({ ...REPLICATION, user: 'a_very_long_replication_role_name' });
    expect(long.split(/\s+/)).toEqual(['host', 'replication', '"a_very_long_replication_role_name"', '127.0.0.1/32', 'scram-sha-256']);
  });
});

describe('withManagedBlock', () => {
  it('inserts the block before the first rule, after the header comments', () => {
    const out = withManagedBlock(INITDB_HBA, [REPLICATION]);
    const lines = out.split('\n');
    const begin = lines.indexOf(HBA_BLOCK_BEGIN);
    expect(lines.slice(begin, begin + 3)).toEqual([HBA_BLOCK_BEGIN, formatHbaRule(REPLICATION), HBA_BLOCK_END]);
    expect(lines[begin - 1]).toBe('# "local" is for Unix domain socket connections only');
    expect(lines[begin + 3]).toBe('local   all             all                                     trust');
    // Nothing of the user's file is lost or changed.
    expect(lines.filter((_, i) => i < begin || i > begin + 2).join('\n')).toBe(INITDB_HBA);
  });

  it("puts the block ahead of initdb's trust replication lines, so it is the first match", () => {
    const out = withManagedBlock(INITDB_HBA, [REPLICATION]);
    expect(out.indexOf(formatHbaRule(REPLICATION))).toBeLessThan(out.indexOf('host    replication     all'));
  });

  it('replaces an existing block instead of adding a second one', () => {
    const once = withManagedBlock(INITDB_HBA, [REPLICATION]);
    const changed = withManagedBlock(once, [REPLICATION, REPLICATION_V6]);
    expect(changed.split(HBA_BLOCK_BEGIN)).toHaveLength(2);
    expect(managedRules(changed)).toEqual([formatHbaRule(REPLICATION), formatHbaRule(REPLICATION_V6)]);
    expect(changed).toBe(withManagedBlock(INITDB_HBA, [REPLICATION, REPLICATION_V6]));
  });

  it('moves a block a user put after the rules back in front of them', () => {
    const blockAtEnd = `${INITDB_HBA}${HBA_BLOCK_BEGIN}\n${formatHbaRule(REPLICATION)}\n${HBA_BLOCK_END}\n`;
    expect(withManagedBlock(blockAtEnd, [REPLICATION])).toBe(withManagedBlock(INITDB_HBA, [REPLICATION]));
  });

  it('is idempotent: the same input twice gives identical bytes', () => {
    const once = withManagedBlock(INITDB_HBA, [REPLICATION, REPLICATION_V6]);
    expect(withManagedBlock(once, [REPLICATION, REPLICATION_V6])).toBe(once);
  });

  it.each([
    ['an initdb file (LF)', INITDB_HBA],
    ['an initdb file (CRLF)', INITDB_HBA.replace(/\n/g, '\r\n')],
    ['rules without a final newline', '# c\nlocal all all trust'],
    ['CRLF rules without a final newline', '# c\r\nlocal all all trust'],
    ['an empty file', ''],
    ['only comments', '# nothing allowed\n# at all\n'],
    ['only comments (CRLF)', '# nothing allowed\r\n# at all\r\n'],
    ['only comments, no final newline', '# nothing allowed\n# at all'],
    ['only comments, CRLF, no final newline', '# nothing allowed\r\n# at all'],
    ['a rule first, no header', 'host all all 0.0.0.0/0 reject\n'],
  ])('gives back the original bytes of %s when the block is removed with []', (_name, original) => {
    const withBlock = withManagedBlock(original, [REPLICATION]);
    expect(withBlock).not.toBe(original);
    expect(withManagedBlock(withBlock, [])).toBe(original);
  });

  it('keeps CRLF line endings for the block lines too', () => {
    const out = withManagedBlock(INITDB_HBA.replace(/\n/g, '\r\n'), [REPLICATION]);
    expect(out).toContain(`\r\n${HBA_BLOCK_BEGIN}\r\n${formatHbaRule(REPLICATION)}\r\n${HBA_BLOCK_END}\r\n`);
    expect(out.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('appends the block to a file with only comments, so the result is a valid file', () => {
    const out = withManagedBlock('# header\n# more\n', [REPLICATION]);
    expect(out).toBe(`# header\n# more\n${HBA_BLOCK_BEGIN}\n${formatHbaRule(REPLICATION)}\n${HBA_BLOCK_END}\n`);
  });

  it('leaves a file without a block unchanged when asked for no rules', () => {
    expect(withManagedBlock(INITDB_HBA, [])).toBe(INITDB_HBA);
  });

  it('refuses a begin marker without an end marker', () => {
    expect(() => withManagedBlock(`${HBA_BLOCK_BEGIN}\nhost all all all trust\n`, [REPLICATION])).toThrow(/without/);
  });
});

describe('managedRules', () => {
  it('reads the rule lines inside the block, or none', () => {
    expect(managedRules(INITDB_HBA)).toEqual([]);
    expect(managedRules(withManagedBlock(INITDB_HBA.replace(/\n/g, '\r\n'), [REPLICATION]))).toEqual([formatHbaRule(REPLICATION)]);
  });
});

describe('a temporary rule in the managed block', () => {
  const SUPERUSER: HbaRule = { type: 'hostssl', database: 'postgres', user: 'postgres', address: '198.18.0.2/32', method: 'scram-sha-256' };

  it('goes first in an existing block, and removing it gives back the same bytes', () => {
    const original = withManagedBlock(INITDB_HBA.replace(/\n/g, '\r\n'), [REPLICATION]);
    const granted = withRuleInManagedBlock(original, SUPERUSER);
    expect(managedRules(granted)).toEqual([formatHbaRule(SUPERUSER), formatHbaRule(REPLICATION)]);
    expect(withoutRuleInManagedBlock(granted, SUPERUSER)).toBe(original);
  });

  it('makes a block of its own in a file without one, which goes again with it', () => {
    const granted = withRuleInManagedBlock(INITDB_HBA, SUPERUSER);
    expect(managedRules(granted)).toEqual([formatHbaRule(SUPERUSER)]);
    expect(withoutRuleInManagedBlock(granted, SUPERUSER)).toBe(INITDB_HBA);
  });

  it('is added once however often it is asked for, and a leftover copy is removed', () => {
    const original = withManagedBlock(INITDB_HBA, [REPLICATION]);
    const granted = withRuleInManagedBlock(original, SUPERUSER);
    expect(withRuleInManagedBlock(granted, SUPERUSER)).toBe(granted);
    expect(withoutRuleInManagedBlock(granted, SUPERUSER)).toBe(original);
  });

  it('leaves a file that lacks it byte for byte, and the same rule outside the block alone', () => {
    const userOwn = `${formatHbaRule(SUPERUSER)}\n${INITDB_HBA}`;
    expect(withoutRuleInManagedBlock(userOwn, SUPERUSER)).toBe(userOwn);
    const original = withManagedBlock(INITDB_HBA, [REPLICATION]);
    expect(withoutRuleInManagedBlock(original, SUPERUSER)).toBe(original);
  });
});
