import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DependencyContainer } from '@hotstandby/core';
import { runCli } from '../../src/main.js';

describe('hotstandby --version', () => {
  it('prints the package version and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const out: string[] = [];
    const code = await runCli(['--version'], { container: {} as DependencyContainer, cwd: process.cwd(), out: (t) => void out.push(t), err: () => undefined });
    expect(code).toBe(0);
    expect(out).toEqual([version]);
  });
});
