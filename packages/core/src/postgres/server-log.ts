import { existsSync } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { chownIfRoot } from '../util/atomic-write.js';
import path from 'node:path';
import type { Machine } from '../hosts/machine.js';

// The last lines of a server log, from a byte offset (to see only what one start wrote); machine: the log's own
// machine, when it is another one.
export async function logTail(file: string, lines = 20, fromOffset = 0, machine?: Machine): Promise<string> {
  if (machine?.remote) return lastLines(await remoteLogBytes(machine, file, fromOffset, 64 * 1024), lines);
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
    return lastLines(buffer.toString('utf8'), lines);
  } finally {
    await handle.close();
  }
}

// Everything a log holds from a byte offset on (a mark taken with logSize); empty when it does not exist.
export async function logFrom(file: string, offset: number, machine?: Machine): Promise<string> {
  if (machine?.remote) return remoteLogBytes(machine, file, offset);
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
export async function logSize(file: string, machine?: Machine): Promise<number> {
  if (machine?.remote) return (await machine.stat(file))?.size ?? 0;
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
// OS user and private, so pg_ctl's -l can write there. On another machine the log file itself is made too (empty,
// 0600, owned by the server's OS user): it sits beside the data directory, in a directory the server's user may
// not be able to write.
export async function ensureLogDir(file: string, owner: { uid: number; gid: number }, machine?: Machine): Promise<void> {
  if (machine?.remote) {
    const dir = path.posix.dirname(file);
    if (!(await machine.stat(dir))) await machine.mkdir(dir, { mode: 0o700, uid: owner.uid, gid: owner.gid });
    if (!(await machine.stat(file))) await machine.writeFileAtomic(file, '', { mode: 0o600, uid: owner.uid, gid: owner.gid, exact: true });
    return;
  }
  const dir = path.dirname(file);
  if (existsSync(dir)) return;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chownIfRoot(dir, owner.uid, owner.gid);
}

// The last lines of a text, empty lines left out.
function lastLines(text: string, lines: number): string {
  return text.split('\n').filter(Boolean).slice(-lines).join('\n');
}

// Prints a file from byte $2 on (at most its last $3 bytes when $3 is given); nothing when it does not exist.
const LOG_BYTES = [
  '[ -f "$1" ] || exit 0',
  'size=$(stat -L -c %s -- "$1"); start=$2',
  'if [ -n "$3" ] && [ $((size - $3)) -gt "$start" ]; then start=$((size - $3)); fi',
  '[ "$start" -lt "$size" ] || exit 0',
  'tail -c "+$((start + 1))" -- "$1"',
].join('\n');

// What a log on another machine holds from a byte offset on (only its last `limit` bytes when given).
async function remoteLogBytes(machine: Machine, file: string, offset: number, limit?: number): Promise<string> {
  const result = await machine.runAllowFailure('sh', ['-c', LOG_BYTES, 'hotstandby', file, String(offset), limit === undefined ? '' : String(limit)], { purpose: `read ${file}` });
  return result.exitCode === 0 ? result.stdout : '';
}
