import { quoteShellArg } from '../postgres/quoting.js';

// One command line for the remote host's POSIX shell, every word quoted: ssh joins its arguments with spaces and
// hands them to the remote shell, so unquoted words would be split and expanded there.
export function remoteCommandLine(argv: readonly string[]): string {
  if (argv.length === 0) throw new RangeError('a remote command needs a program');
  return argv.map(quoteShellArg).join(' ');
}

// A script that writes its standard input to a file atomically on the remote host: a temporary file beside it
// (created 0600 by umask, so a secret is never readable on the way), the final mode and owner, then a rename; the
// temporary file is removed when anything fails. The content travels on stdin, never in a command line. A symbolic
// link keeps pointing at its target, which is what gets rewritten; with keepExisting, a file that exists keeps its
// own mode and owner.
// With size, a temporary file that did not receive exactly that many bytes (the connection broke while sending) is
// removed instead of renamed into place.
// With receive, what standard input carries is decoded on the way: base64 (binary content), or text whose lines end
// in CR LF (a Windows cmd runbook's echo lines), whose carriage returns are dropped.
export function atomicWriteScript(file: string, options: { mode: number; owner?: string; keepExisting?: boolean; size?: number; receive?: 'base64' | 'crlf-text' }): string {
  const q = quoteShellArg;
  const lines = [
    'set -eu',
    'umask 077',
    `target=$(realpath -m -- ${q(file)})`,
    `mode=${options.mode.toString(8)}`,
    `owner=${q(options.owner ?? '')}`,
    ...(options.keepExisting ? ['if [ -f "$target" ]; then mode=$(stat -c %a -- "$target"); owner=$(stat -c %u:%g -- "$target"); fi'] : []),
    'dir=$(dirname -- "$target")',
    'tmp=$(mktemp "$dir/.hotstandby-tmp.XXXXXX")',
    `trap 'rm -f -- "$tmp"' EXIT`,
    '[ -z "$owner" ] || chown -- "$owner" "$tmp"',
    'chmod "$mode" "$tmp"',
    options.receive === 'base64' ? 'base64 -d > "$tmp"' : options.receive === 'crlf-text' ? `tr -d '\\r' > "$tmp"` : 'cat > "$tmp"',
    ...(options.size !== undefined ? [`[ "$(wc -c < "$tmp")" -eq ${options.size} ] || { echo "received a cut-short copy of $target" >&2; exit 5; }`] : []),
    'sync -- "$tmp" 2>/dev/null || true',
    'mv -f -- "$tmp" "$target"',
    'trap - EXIT',
  ];
  return lines.join('\n');
}
