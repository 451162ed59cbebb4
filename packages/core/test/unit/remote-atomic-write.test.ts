// The script that writes a file atomically on another host: run here with sh, it installs exactly what it was sent,
// and a copy cut short on the way (fewer bytes than announced) never replaces the file.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { atomicWriteScript } from '../../src/hosts/remote-shell.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir('hotstandby-remote-write-');
});
afterEach(async () => {
  await removeTempDir(dir);
});

const run = (script: string, input: string) => spawnSync('sh', ['-c', script], { input, encoding: 'utf8' });

describe('the remote atomic write script', () => {
  it('installs the content it receives when the size matches, with the mode asked for', () => {
    const file = path.join(dir, 'pg_hba.conf');
    const content = 'host replication rep 198.18.0.12/32 scram-sha-256\n';
    const result = run(atomicWriteScript(file, { mode: 0o600, size: Buffer.byteLength(content) }), content);
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(content);
  });

  it('keeps the old file and leaves no temporary file when fewer bytes arrive than were sent', () => {
    const file = path.join(dir, 'postgresql.conf');
    writeFileSync(file, 'port = 5432\n');
    const content = "listen_addresses = '127.0.0.1,198.18.0.10'\n";
    const result = run(atomicWriteScript(file, { mode: 0o600, size: Buffer.byteLength(content) }), content.slice(0, 10));
    expect(result.status).toBe(5);
    expect(result.stderr).toMatch(/cut-short copy/);
    expect(readFileSync(file, 'utf8')).toBe('port = 5432\n');
    expect(readdirSync(dir)).toEqual(['postgresql.conf']);
    expect(existsSync(file)).toBe(true);
  });
});
