import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_PATH } from '../../src/config/default-config.js';

const coreDir = fileURLToPath(new URL('../..', import.meta.url));
const manifest = JSON.parse(readFileSync(path.join(coreDir, 'package.json'), 'utf8')) as { files: string[] };

describe('files @hotstandby/core reads at run time', () => {
  it('the default config is inside the package and listed in its "files", so an installed copy has it', () => {
    const relative = path.relative(coreDir, DEFAULT_CONFIG_PATH);
    expect(relative.startsWith('..')).toBe(false);
    expect(manifest.files).toContain(relative.split(path.sep).join('/'));
    expect(JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'))).toMatchObject({ primary: { name: 'master' } });
  });
});
