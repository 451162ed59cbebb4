// How a program on another host is put in a process group of its own and ended there: the wrapper's group line is
// found however standard error is cut into pieces and never shows in the program's output, and the script that ends
// the group (run here with sh, as on a host) leaves no process of it, SIGKILL for one that ignores SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { abortOnceGroupKnown, END_GROUP_SCRIPT, GroupLineReader, inOwnGroupArgv, stillRunsThere, withoutGroupLine } from '../../src/hosts/remote-process-group.js';

// The pids of the live (not zombie) processes of a group.
function liveMembers(group: number): number[] {
  const out = spawnSync('ps', ['-o', 'pid=,stat=', '-g', String(group)], { encoding: 'utf8' }).stdout;
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([pid, stat]) => pid && stat && !stat.startsWith('Z'))
    .map(([pid]) => Number(pid));
}

describe('a remote program in its own process group', () => {
  it('finds the group line in pieces, and strips only it from standard error', () => {
    const reader = new GroupLineReader();
    reader.feed(Buffer.from('hotstandby-process-'));
    expect(reader.group).toBeUndefined();
    reader.feed(Buffer.from('group 4321\nthe program says'));
    expect(reader.group).toBe(4321);
    expect(withoutGroupLine('hotstandby-process-group 4321\nthe program says')).toBe('the program says');
    expect(withoutGroupLine('hotstandby-process-group 4321')).toBe('');
    expect(withoutGroupLine('hotstandby-process-group 4321\nsays hotstandby-process-group 9\nhotstandby-process-group 9')).toBe(
      'says hotstandby-process-group 9\nhotstandby-process-group 9',
    );
    expect(withoutGroupLine('the program says nothing of ours')).toBe('the program says nothing of ours');
  });

  it('finds the group line after what the login printed first (sshd, a shell start-up file), and strips only that line', () => {
    const reader = new GroupLineReader();
    reader.feed(Buffer.from('Could not chdir to home directory /var/lib/postgresql: No such file or directory\n'));
    expect(reader.group).toBeUndefined();
    reader.feed(Buffer.from('hotstandby-process-group 77\nthe program says'));
    expect(reader.group).toBe(77);
    expect(withoutGroupLine('Could not chdir to home directory /x\nhotstandby-process-group 77\nthe program says')).toBe('Could not chdir to home directory /x\nthe program says');
    expect(withoutGroupLine('motd\nhotstandby-process-group 77')).toBe('motd');
  });

  it('stops the local client of an interrupted program only once the host said its group, so that group can be ended', async () => {
    const reader = new GroupLineReader();
    const command = new AbortController();
    const interrupt = abortOnceGroupKnown(command.signal, reader);
    command.abort();
    await new Promise((resolve) => setImmediate(resolve));
    expect(interrupt.signal.aborted).toBe(false);
    reader.feed(Buffer.from('hotstandby-process-group 55\n'));
    await reader.found;
    await new Promise((resolve) => setImmediate(resolve));
    expect(interrupt.signal.aborted).toBe(true);
    interrupt.dispose();
    // Known before the interruption: at once.
    const known = new GroupLineReader();
    known.feed(Buffer.from('hotstandby-process-group 56\n'));
    const later = new AbortController();
    const second = abortOnceGroupKnown(later.signal, known);
    later.abort();
    await new Promise((resolve) => setImmediate(resolve));
    expect(second.signal.aborted).toBe(true);
    second.dispose();
  });

  it('tells an error whose program still runs on its host from one whose program was ended', () => {
    expect(stillRunsThere({ data: { stillRunning: { host: 'root@db2', processGroup: 12 } } })).toBe(true);
    expect(stillRunsThere({ data: {} })).toBe(false);
    expect(stillRunsThere(new Error('x'))).toBe(false);
    expect(stillRunsThere(undefined)).toBe(false);
  });

  it('ends the whole group: SIGTERM, then SIGKILL for what ignores it, and waits until nothing of it is left', async () => {
    const [file, ...args] = inOwnGroupArgv(['sh', '-c', 'trap "" TERM; sleep 300 & sleep 300']);
    const child = spawn(file!, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const reader = new GroupLineReader();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve) =>
      child.stderr!.on('data', (chunk: Buffer) => {
        reader.feed(chunk);
        if (reader.group !== undefined) resolve();
      }),
    );
    const group = reader.group!;
    try {
      // Both sleeps run before the group is ended.
      for (let i = 0; i < 500 && liveMembers(group).length < 3; i++) await new Promise((r) => setImmediate(r));
      expect(liveMembers(group).length).toBeGreaterThanOrEqual(3);
      const ended = spawnSync('sh', ['-c', END_GROUP_SCRIPT, 'end', String(group)], { encoding: 'utf8', timeout: 20_000 });
      expect(ended.status, ended.stderr).toBe(0);
      expect(ended.stderr).toBe('');
      expect(liveMembers(group)).toEqual([]);
      await exited;
      // A group that is gone already is no error.
      expect(spawnSync('sh', ['-c', END_GROUP_SCRIPT, 'end', String(group)]).status).toBe(0);
    } finally {
      // Nothing of it outlives a failed assertion either.
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        // gone, as it should be
      }
    }
  }, 30_000);
});
