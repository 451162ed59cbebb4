import { quoteShellArg } from '../postgres/quoting.js';

// One command line for the remote host's POSIX shell, every word quoted: ssh joins its arguments with spaces and
// hands them to the remote shell, so unquoted words would be split and expanded there.
export function remoteCommandLine(argv: readonly string[]): string {
  if (argv.length === 0) throw new RangeError('a remote command needs a program');
  return argv.map(quoteShellArg).join(' ');
}

// A script that writes its standard input to a file atomically on the remote host: a temporary file beside it
// (created 0600 by umask, so a secret is never readable on the way), the final mode and owner, then a rename; the
// temporary file is removed when anything fails. The content travels on stdin, never in a command line.
export function atomicWriteScript(file: string, options: { mode: number; owner?: string }): string {
  const q = quoteShellArg;
  const lines = [
    'set -eu',
    'umask 077',
    `target=${q(file)}`,
    'dir=$(dirname -- "$target")',
    'tmp=$(mktemp "$dir/.hotstandby-tmp.XXXXXX")',
    `trap 'rm -f -- "$tmp"' EXIT`,
    'cat > "$tmp"',
    `chmod ${options.mode.toString(8)} "$tmp"`,
    ...(options.owner ? [`chown ${q(options.owner)} "$tmp"`] : []),
    'sync -- "$tmp" 2>/dev/null || true',
    'mv -f -- "$tmp" "$target"',
    'trap - EXIT',
  ];
  return lines.join('\n');
}
