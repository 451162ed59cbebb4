import { describe, expect, it } from 'vitest';
import { sizeToMb } from '../../src/config/sizes.js';

describe('sizeToMb', () => {
  it.each([
    ['1GB', 1024],
    ['512MB', 512],
    ['512', 512],
    ['1TB', 1024 * 1024],
    ['2048kB', 2],
    ['1kB', 1],
    ['100B', 1],
    ['0', 0],
    ['0GB', 0],
    [' 2 gb ', 2048],
    ['16mb', 16],
  ])('reads %j as %d MB', (text, mb) => {
    expect(sizeToMb(text)).toBe(mb);
  });

  it('rounds a size that is not a whole number of megabytes up, never to zero', () => {
    expect(sizeToMb('1500kB')).toBe(2);
    expect(sizeToMb('1B')).toBe(1);
  });

  it('takes a bare number as megabytes', () => {
    expect(sizeToMb(1024)).toBe(1024);
    expect(sizeToMb(0)).toBe(0);
  });

  it('refuses text that is not a size, naming it', () => {
    expect(() => sizeToMb('lots')).toThrow(/"lots" is not a size/);
    expect(() => sizeToMb('1.5GB')).toThrow(/not a size/);
    expect(() => sizeToMb('-1GB')).toThrow(/not a size/);
    expect(() => sizeToMb('')).toThrow(/not a size/);
  });

  it('refuses an unknown unit, naming it', () => {
    expect(() => sizeToMb('1PB')).toThrow(/"1PB" has an unknown unit/);
    expect(() => sizeToMb('10 segments')).toThrow(/unknown unit/);
  });
});
