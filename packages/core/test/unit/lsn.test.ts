import { describe, expect, it } from 'vitest';
import { formatLsn, lsnAfter, lsnDiff, lsnReached, parseLsn } from '../../src/postgres/lsn.js';

describe('parseLsn / formatLsn', () => {
  it('reads X/Y as (X << 32) + Y', () => {
    expect(parseLsn('0/0')).toBe(0n);
    expect(parseLsn('0/3000060')).toBe(0x3000060n);
    expect(parseLsn('1/0')).toBe(0x1_0000_0000n);
    expect(parseLsn('16/B374D848')).toBe(0x16_b374_d848n);
    expect(parseLsn('FFFFFFFF/FFFFFFFF')).toBe(0xffff_ffff_ffff_ffffn);
  });

  it('accepts lower-case hex and surrounding whitespace', () => {
    expect(parseLsn(' 16/b374d848\n')).toBe(parseLsn('16/B374D848'));
  });

  it("writes PostgreSQL's upper-case form without leading zeros", () => {
    expect(formatLsn(0x3000060n)).toBe('0/3000060');
    expect(formatLsn(0x16_b374_d848n)).toBe('16/B374D848');
    expect(formatLsn(0n)).toBe('0/0');
  });

  it.each(['0/3000060', '16/B374D848', '1/0', 'FFFFFFFF/FFFFFFFF'])('round-trips %s', (lsn) => {
    expect(formatLsn(parseLsn(lsn))).toBe(lsn);
  });

  it.each(['', '0', '0/', '/1', 'G/0', '0/3000060/1', '0x1/0'])('refuses %j', (bad) => {
    expect(() => parseLsn(bad)).toThrow(/is not a WAL position/);
  });
});

describe('lsnDiff', () => {
  it('measures bytes from b to a across the 4 GB boundary', () => {
    expect(lsnDiff('0/3000060', '0/3000000')).toBe(0x60);
    expect(lsnDiff('1/0', '0/FFFFFFFF')).toBe(1);
    expect(lsnDiff('2/10', '1/0')).toBe(0x1_0000_0010);
  });

  it('is never negative', () => {
    expect(lsnDiff('0/1', '0/2')).toBe(0);
    expect(lsnDiff('0/5', '0/5')).toBe(0);
  });
});

describe('lsnReached', () => {
  it('is true at or after the target and false before it', () => {
    expect(lsnReached('0/3000060', '0/3000060')).toBe(true);
    expect(lsnReached('1/0', '0/FFFFFFFF')).toBe(true);
    expect(lsnReached('0/FFFFFFFF', '1/0')).toBe(false);
  });

  it('compares numerically, not as text', () => {
    // As strings "0/A" > "0/10"; as positions 10 < 16.
    expect(lsnReached('0/A', '0/10')).toBe(false);
  });

  it('is false when the position is not known yet', () => {
    expect(lsnReached(null, '0/0')).toBe(false);
    expect(lsnReached(undefined, '0/0')).toBe(false);
  });
});

describe('lsnAfter', () => {
  it('is true only strictly after, comparing positions and not text', () => {
    expect(lsnAfter('0/3000061', '0/3000060')).toBe(true);
    expect(lsnAfter('0/3000060', '0/3000060')).toBe(false);
    expect(lsnAfter('0/2FFFFFF', '0/3000060')).toBe(false);
    expect(lsnAfter('1/0', '0/FFFFFFFF')).toBe(true);
    expect(lsnAfter(undefined, '0/0')).toBe(false);
  });
});
