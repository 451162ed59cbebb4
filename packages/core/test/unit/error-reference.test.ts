import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderErrorReference } from '../../src/errors/error-reference.js';

const file = fileURLToPath(new URL('../../../../docs/errors.md', import.meta.url));

describe('docs/errors.md', () => {
  it('lists every error code (UPDATE_GOLDEN=1 regenerates it)', () => {
    const generated = renderErrorReference();
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, generated);
    expect(readFileSync(file, 'utf8')).toBe(generated);
  });
});
