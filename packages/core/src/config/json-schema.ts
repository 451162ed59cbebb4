import { z } from 'zod';
import { configSchema } from './config-schema.js';

// The JSON Schema of the config file, for editors: packages/core/config.schema.json (shipped in the package, so a
// config can say "$schema": "./node_modules/@hotstandby/core/config.schema.json") is generated from it.
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
}
