import { z } from 'zod';
import { configSchema } from './config-schema.js';

// The JSON Schema of the config file (packages/core/config/hotstandby.schema.json, shipped in the package, is generated from it), for editors.
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
}
