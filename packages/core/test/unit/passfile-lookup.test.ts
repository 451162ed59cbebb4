import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { passwordFromPassfile } from '../../src/postgres/passfile-lookup.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function passfile(text: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'passfile-'));
  dirs.push(dir);
  const file = path.join(dir, 'pgpass');
  await writeFile(file, text, { mode: 0o600 });
  return file;
}

const target = { host: '127.0.0.1', port: 5433, database: 'shop', user: 'app' };

describe('passwordFromPassfile', () => {
  it('takes the first line whose fields match, * matching anything, with \\: and \\\\ unescaped', async () => {
    const file = await passfile(['# comment', '127.0.0.1:5432:*:app:wrong-port', 'localhost:*:*:app:wrong-host', '127.0.0.1:*:*:app:p\\:w\\\\d', '*:*:*:*:later'].join('\n'));
    expect(await passwordFromPassfile(file, target)).toBe('p:w\\d');
  });

  it('gives undefined when no line matches or the file is missing', async () => {
    expect(await passwordFromPassfile(await passfile('127.0.0.1:*:*:other:x\n'), target)).toBeUndefined();
    expect(await passwordFromPassfile(path.join(os.tmpdir(), 'no-such-passfile-here'), target)).toBeUndefined();
  });
});
