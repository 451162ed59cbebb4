// The program that copies a directory tree with what PostgreSQL cares about (modes, owners, timestamps), or
// undefined where there is none (Windows). GNU cp on Linux shares the blocks where the file system can (XFS,
// Btrfs); elsewhere a POSIX `cp -a`. `into`: copy the contents of `from` into the existing directory `to`;
// otherwise `to` must not exist and becomes the copy.
export function copyTreeCommand(from: string, to: string, options: { into?: boolean; platform?: NodeJS.Platform } = {}): { file: string; args: string[] } | undefined {
  const platform = options.platform ?? process.platform;
  if (platform === 'win32') return undefined;
  const flags = platform === 'linux' ? ['-a', '--reflink=auto'] : ['-a'];
  return { file: 'cp', args: [...flags, '--', options.into ? `${from}/.` : from, to] };
}
