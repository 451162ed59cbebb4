import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunLock } from '../../src/state/run-lock.js';
import { hotstandbyErrorFromAsync } from './support/expect-error.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await makeTempDir('hotstandby-lock-');
  file = path.join(dir, 'state', 'lock');
});
afterEach(async () => {
  await removeTempDir(dir);
});

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

// The pid of a process that has exited (spawnSync waits for it and reaps it).
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  expect(child.status).toBe(0);
  return child.pid!;
}

describe('RunLock', () => {
  it('creates the lock file (and its directory) with our pid, and removes it on release', async () => {
    const lock = new RunLock(file);
    await lock.acquire('up');
    const holder = JSON.parse(await readFile(file, 'utf8'));
    expect(holder).toMatchObject({ pid: process.pid, command: 'up' });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await lock.release();
    expect(await exists(file)).toBe(false);
  });

  it('is re-entrant for the same lock object: held until released as often as taken', async () => {
    const lock = new RunLock(file);
    await lock.acquire('promote');
    await lock.acquire('up');
    await lock.release();
    expect(await exists(file)).toBe(true);
    expect(lock.isHeld).toBe(true);
    await lock.release();
    expect(await exists(file)).toBe(false);
    expect(lock.isHeld).toBe(false);
  });

  it('refuses a lock held by another live process with LOCKED naming its pid and command', async () => {
    await new RunLock(file).acquire('setup');
    // Make the holder a live process other than this one: our parent (the test runner) is alive.
    const live = process.ppid;
    await writeFile(file, JSON.stringify({ pid: live, command: 'down', since: '2026-01-01T00:00:00.000Z' }));
    const error = await hotstandbyErrorFromAsync(() => new RunLock(file).acquire('up'), 'LOCKED');
    expect(error.message).toContain(`pid ${live}`);
    expect(error.message).toContain('down');
    expect(error.where.file).toBe(file);
    expect(error.fix).toContain(file);
    // The other process's lock is left alone.
    expect(JSON.parse(await readFile(file, 'utf8')).pid).toBe(live);
  });

  it('takes over a lock file left by a dead process', async () => {
    const dead = deadPid();
    await new RunLock(file).acquire('setup');
    await writeFile(file, JSON.stringify({ pid: dead, command: 'up', since: '2026-01-01T00:00:00.000Z' }));
    const lock = new RunLock(file);
    await lock.acquire('verify');
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ pid: process.pid, command: 'verify' });
    await lock.release();
  });

  it('takes over an unreadable lock file', async () => {
    await new RunLock(file).acquire('setup');
    await writeFile(file, 'not json');
    const lock = new RunLock(file);
    await lock.acquire('up');
    expect(JSON.parse(await readFile(file, 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  it("release without acquire does not remove someone else's lock", async () => {
    const holder = new RunLock(file);
    await holder.acquire('up');
    await new RunLock(file).release();
    expect(await exists(file)).toBe(true);
    await holder.release();
  });

  it("lets exactly one of two processes racing to take over a dead holder's lock have it", { timeout: 60_000 }, async () => {
    const ROUNDS = 25;
    const dead = deadPid();
    for (let r = 0; r < ROUNDS; r++) {
      await mkdir(path.join(dir, String(r)));
      await writeFile(path.join(dir, String(r), 'lock'), JSON.stringify({ pid: dead, command: 'up', since: '2026-01-01T00:00:00Z' }) + '\n');
    }
    // Each taker meets the other at a barrier before every round, then tries to take that round's lock (and
    // keeps it, so a second winner cannot hide behind a release).
    const taker = path.join(dir, 'taker.mts');
    await writeFile(
      taker,
      `import { existsSync, writeFileSync } from 'node:fs';
import { RunLock } from ${JSON.stringify(fileURLToPath(new URL('../../src/state/run-lock.ts', import.meta.url)))};
const [dir, me, other, rounds] = process.argv.slice(2);
const won = [];
for (let r = 0; r < Number(rounds); r++) {
  writeFileSync(\`\${dir}/\${r}/ready-\${me}\`, '');
  while (!existsSync(\`\${dir}/\${r}/ready-\${other}\`)) await new Promise((resolve) => setImmediate(resolve));
  try {
    await new RunLock(\`\${dir}/\${r}/lock\`).acquire('up');
    won.push(r);
  } catch (error) {
    if (error.code !== 'LOCKED') throw error;
  }
}
process.stdout.write(JSON.stringify({ pid: process.pid, won }));
`,
    );
    const run = (me: string, other: string) =>
      new Promise<{ pid: number; won: number[] }>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', taker, dir, me, other, String(ROUNDS)], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (chunk) => (out += chunk));
        child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`taker ${me} exited with ${code}`))));
      });
    const [a, b] = await Promise.all([run('a', 'b'), run('b', 'a')]);

    for (let r = 0; r < ROUNDS; r++) {
      const winners = [a, b].filter((t) => t.won.includes(r)).map((t) => t.pid);
      expect(winners, `round ${r}: exactly one taker holds the lock`).toHaveLength(1);
      expect(JSON.parse(await readFile(path.join(dir, String(r), 'lock'), 'utf8')).pid, `round ${r}: the lock names the winner`).toBe(winners[0]);
    }
  });
});
