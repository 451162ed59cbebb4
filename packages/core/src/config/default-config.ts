import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The config used when no file is found: the recipe's master on 5432 and slave1 on 5431. The file ships inside
// this package (config/default.json next to src/ and dist/), so an installed hotstandby has it too.
export const DEFAULT_CONFIG_PATH = fileURLToPath(new URL('../../config/default.json', import.meta.url));

// The built-in default config as data.
export function readDefaultConfig(): unknown {
  return JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'));
}
