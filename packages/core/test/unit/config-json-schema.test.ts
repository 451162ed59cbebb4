import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configJsonSchema } from '../../src/config/json-schema.js';

const file = fileURLToPath(new URL('../../config.schema.json', import.meta.url));

describe('the config.schema.json that ships in @hotstandby/core', () => {
  it('is generated from the config schema (UPDATE_GOLDEN=1 regenerates it)', () => {
    const generated = JSON.stringify(configJsonSchema(), null, 2) + '\n';
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, generated);
    expect(readFileSync(file, 'utf8')).toBe(generated);
  });

  it('describes the keys users write', () => {
    const schema = configJsonSchema() as { properties: Record<string, unknown>; additionalProperties?: unknown };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['postgres', 'superuser', 'primary', 'standbys', 'replication', 'archive', 'wal', 'steps']));
    expect(schema.additionalProperties).toBe(false);
  });
});
