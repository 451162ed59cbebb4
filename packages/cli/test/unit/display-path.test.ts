import { describe, expect, it } from 'vitest';
import { displayPath } from '../../src/output/display-path.js';

describe('displayPath', () => {
  it('prints a path below the current directory as ./relative', () => {
    expect(displayPath('/home/me/app/hotstandby.config.ts', '/home/me/app')).toBe('./hotstandby.config.ts');
    expect(displayPath('/home/me/app/.hotstandby/pgpass', '/home/me/app')).toBe('./.hotstandby/pgpass');
  });

  it('prints the current directory itself, its parents and elsewhere as the absolute path', () => {
    expect(displayPath('/home/me/app', '/home/me/app')).toBe('/home/me/app');
    expect(displayPath('/home/me/other/data', '/home/me/app')).toBe('/home/me/other/data');
    expect(displayPath('/srv/pg', '/home/me/app')).toBe('/srv/pg');
  });
});
