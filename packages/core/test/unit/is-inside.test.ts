import { describe, expect, it } from 'vitest';
import { isInside } from '../../src/util/is-inside.js';

describe('isInside', () => {
  it.each([
    ['/srv/pg/data/base', '/srv/pg/data', true],
    ['/srv/pg/data/a/b/c', '/srv/pg/data', true],
    ['/srv/pg/data/..backup', '/srv/pg/data', true],
    ['/srv/pg/data/x/../y', '/srv/pg/data', true],
    ['/srv/pg/data', '/srv/pg/data', false],
    ['/srv/pg/data/', '/srv/pg/data', false],
    ['/srv/pg', '/srv/pg/data', false],
    ['/srv/pg/data2', '/srv/pg/data', false],
    ['/srv/pg/data/../other', '/srv/pg/data', false],
    ['/elsewhere', '/srv/pg/data', false],
  ])('%s inside %s: %s', (child, parent, inside) => {
    expect(isInside(child, parent)).toBe(inside);
  });
});
