import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';

const examples = fileURLToPath(new URL('../../../../config/examples/', import.meta.url));
const defaultConfig = fileURLToPath(new URL('../../config/default.json', import.meta.url));

describe('shipped configs', () => {
  it('the default config is the recipe: master on 5432, slave1 on 5431, ports that may move', async () => {
    const spec = await loadConfig({ configPath: defaultConfig });
    expect(spec.primary).toMatchObject({ name: 'master', port: 5432 });
    expect(spec.standbys.map((s) => [s.name, s.port])).toEqual([['slave1', 5431]]);
    expect(spec.replication).toMatchObject({ user: 'repuser', connectionLimit: 3 });
  });

  for (const file of readdirSync(examples)) {
    it(`config/examples/${file} is valid`, async () => {
      const spec = await loadConfig({ configPath: path.join(examples, file) });
      expect(spec.standbys.length).toBeGreaterThan(0);
    });
  }
});
