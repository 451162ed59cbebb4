import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { majorLabel } from '@hotstandby/core';
import { GOLDEN_MAJORS, renderGeneratedConfig } from './render-generated-config.js';

const here = path.dirname(fileURLToPath(import.meta.url));

// 9.3–9.6 cannot run here (no binaries can be had), so what hotstandby generates for them is pinned by these
// files; 10–18 are also run for real by `pnpm test:matrix`. UPDATE_GOLDEN=1 rewrites the files after a
// deliberate change; review the diff.
describe('generated configuration per PostgreSQL major (golden files)', () => {
  for (const major of GOLDEN_MAJORS) {
    it(`PostgreSQL ${majorLabel(major)}`, async () => {
      const file = path.join(here, 'expected', `pg-${majorLabel(major)}.txt`);
      const actual = await renderGeneratedConfig(major);
      if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) writeFileSync(file, actual);
      expect(actual).toBe(readFileSync(file, 'utf8'));
    });
  }
});
