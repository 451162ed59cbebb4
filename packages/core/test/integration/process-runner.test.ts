// Programs the tool starts run in a process group of their own that ends with them: a helper a program forks
// can neither outlive it nor hang the tool by holding its output pipes.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { runProgram, runProgramAllowFailure } from '../../src/postgres/process-runner.js';

// Processes whose command line contains the marker.
function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

// A shell whose background child keeps stdout and stderr open long after the shell exits; the child's command
// line carries a marker so the test can find it.
function leaveChild(marker: string, then: string): string[] {
  return ['-c', `sh -c 'sleep 300; : ${marker}' & echo started; ${then}`];
}

describe('running a program', () => {
  test('returns when the program exits although a child it left holds the pipes, and ends that child', async () => {
    const marker = `leftover-${process.pid}-a`;
    const started = Date.now();
    const result = await runProgram('/bin/sh', leaveChild(marker, 'exit 0'));
    expect(Date.now() - started, 'waited on the program, not on the pipes').toBeLessThan(5_000);
    expect(result.stdout).toBe('started');
    expect(processesWith(marker), 'the child left in its process group is gone').toEqual([]);
  });

  test('ends the whole process group of a program that is killed, and reports the signal', async () => {
    const marker = `leftover-${process.pid}-b`;
    const result = await runProgramAllowFailure('/bin/sh', leaveChild(marker, 'kill -9 $$'));
    expect(result.killedBy).toBe('SIGKILL');
    expect(result.exitCode).toBe(137);
    expect(processesWith(marker)).toEqual([]);
  });

  test('ends the whole process group when interrupted', async () => {
    const marker = `leftover-${process.pid}-c`;
    const interrupt = new AbortController();
    const running = runProgram('/bin/sh', leaveChild(marker, 'sleep 300'), { signal: interrupt.signal, purpose: 'the sleeper' });
    const outcome = running.catch((error: unknown) => error as { code?: string; message?: string });
    while (processesWith(marker).length === 0) await new Promise((resolve) => setImmediate(resolve));
    interrupt.abort();
    expect(await outcome).toMatchObject({ code: 'ABORTED', message: 'the sleeper was interrupted' });
    expect(processesWith(marker)).toEqual([]);
  });
});
