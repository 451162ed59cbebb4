// True on Windows, where there is no root/postgres split, no POSIX mode bits or signals, and no Unix sockets.
export function onWindows(platform: NodeJS.Platform = process.platform): boolean {
  return platform === 'win32';
}
