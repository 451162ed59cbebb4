import { existsSync } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { chownIfRoot } from '../util/atomic-write.js';
import path from 'node:path';

// The last lines of a server log, from a byte offset (to see only what one start wrote).
export async function logTail(file: string, lines = 20, fromOffset = 0): Promise<string> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return '';
  }
  try {
    const { size } = await handle.stat();
    const start = Math.max(fromOffset, size - 64 * 1024);
    const buffer = Buffer.alloc(Math.max(0, size - start));
    await handle.read(buffer, 0, buffer.length, start);
    return buffer.toString('utf8').split('\n').filter(Boolean).slice(-lines).join('\n');
  } finally {
    await handle.close();
  }
}

// Everything a log holds from a byte offset on (a mark taken with logSize); empty when it does not exist.
export async function logFrom(file: string, offset: number): Promise<string> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return '';
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(Math.max(0, size - offset));
    await handle.read(buffer, 0, buffer.length, offset);
    return buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}

// How many bytes the log has now (0 when it does not exist yet).
export async function logSize(file: string): Promise<number> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return 0;
  try {
    return (await handle.stat()).size;
  } finally {
    await handle.close();
  }
}

// The line of a log tail that says why something failed: the last FATAL, PANIC or ERROR (with the DETAIL or HINT
// right after it, which often names the fix), else the last line that reads like a failure ("could not" ...).
export function lastMeaningfulLine(tail: string): string | undefined {
  const error = lastErrorLine(tail);
  if (error) return error;
  const failures = tail.split('\n').filter((l) => /(could not|invalid|permission)/i.test(l));
  return failures.length ? cleanLogLine(failures[failures.length - 1]!) : undefined;
}

// The last FATAL, PANIC or ERROR line of a log tail, without its prefix (and with the DETAIL or HINT right after
// it); lines matching ignore (messages that are noise where the caller looks) are passed over.
export function lastErrorLine(tail: string, ignore?: RegExp): string | undefined {
  const lines = tail.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (!/\b(FATAL|PANIC|ERROR):/.test(line) || ignore?.test(line)) continue;
    const next = lines[i + 1];
    return next && /\b(DETAIL|HINT):/.test(next) ? `${cleanLogLine(line)} (${cleanLogLine(next)})` : cleanLogLine(line);
  }
  return undefined;
}

// A log line without its log_line_prefix: "FATAL: ..." from "2026-12-05 ... [123] FATAL:  ...".
function cleanLogLine(line: string): string {
  return line.replace(/^.*?\b(FATAL|PANIC|ERROR|LOG|DETAIL|HINT):\s*/, '$1: ').trim();
}

// Make the directory of a server's log file when it is missing (a purge removed it, say), owned by the server's
// OS user and private, so pg_ctl's -l can write there.
export async function ensureLogDir(file: string, owner: { uid: number; gid: number }): Promise<void> {
  const dir = path.dirname(file);
  if (existsSync(dir)) return;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chownIfRoot(dir, owner.uid, owner.gid);
}
